// The test MCP server's tools, shared by the stdio server (server.ts) and the HTTP one (http.ts):
// add(a, b) -> the sum; echo(text) -> the text; big(chars) -> that many "x" (result caps);
// slow(ms) -> answers after ms (timeouts, stop); fail() -> an error result.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';

const text = (t: string) => ({ content: [{ type: 'text' as const, text: t }] });

export function buildTestMcpServer(): McpServer {
  const server = new McpServer({ name: 'parley-test-tools', version: '1.0.0' });
  server.registerTool('add', { description: 'Adds two numbers.', inputSchema: { a: z.number(), b: z.number() } }, ({ a, b }) => text(String(a + b)));
  server.registerTool('echo', { description: 'Says the text back.', inputSchema: { text: z.string() } }, ({ text: t }) => text(t));
  server.registerTool('big', { description: 'A long result.', inputSchema: { chars: z.number() } }, ({ chars }) => text('x'.repeat(chars)));
  server.registerTool('slow', { description: 'Answers after a while.', inputSchema: { ms: z.number() } }, async ({ ms }) => {
    await new Promise((r) => setTimeout(r, ms));
    return text('slept');
  });
  server.registerTool('fail', { description: 'Always fails.' }, () => ({ ...text('it broke'), isError: true }));
  return server;
}
