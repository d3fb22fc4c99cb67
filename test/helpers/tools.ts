// Tools in tests: an MCP_SERVERS file naming the real stdio MCP server in test/fakes/mcp/, and a
// fake-upstream script for a model that calls add and echo, then answers with their results.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ToolPlanner } from '../fakes/upstream/server.js';

/** Writes an MCP_SERVERS file with one server, `calc` (tools add, echo, big, slow, fail); returns its path. */
export function testServersFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'parley-tools-'));
  const file = join(dir, 'mcp.yaml');
  const server = join(import.meta.dirname, '../fakes/mcp/server.ts');
  writeFileSync(file, `servers:\n  calc:\n    command: ${JSON.stringify(process.execPath)}\n    args: ["--import", "tsx", ${JSON.stringify(server)}]\n`);
  return file;
}

/** Calls add(2, 40) and echo("héllo") while the newest message is the user's; nothing after. */
export const addThenAnswer: ToolPlanner = (body) =>
  body.messages?.at(-1)?.role === 'user'
    ? [
        { name: 'calc__add', arguments: '{"a": 2, "b": 40}' },
        { name: 'calc__echo', arguments: '{"text": "héllo"}' },
      ]
    : undefined;

/** The reply once tool results are in the request: "The tools said 42 and héllo." */
export const answerFromResults = (body: unknown): string => {
  const messages = (body as { messages: Array<{ role: string; content: unknown }> }).messages;
  const results = messages.filter((m) => m.role === 'tool').map((m) => String(m.content));
  return results.length ? `The tools said ${results.join(' and ')}.` : 'No tools.';
};

export const TOOL_ANSWER = 'The tools said 42 and héllo.';
