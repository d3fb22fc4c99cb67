// The MCP client side: one connection per configured server, opened at start and closed on
// shutdown. Their tools are offered to the model under OpenAI-safe names; calls run with a
// timeout and their results are capped before they reach the model (and the history).
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { ToolSpec } from '../llm/types.js';
import type { Logger } from '../log.js';
import type { McpServerConfig } from './servers.js';

/** OpenAI accepts tool names matching ^[a-zA-Z0-9_-]{1,64}$. */
const MAX_TOOL_NAME = 64;
/** Starting a server (`npx -y …` may download it first) gets longer than one call. */
const DEFAULT_CONNECT_TIMEOUT_MS = 60_000;

export interface ToolPoolOptions {
  /** One tool call. */
  timeoutMs: number;
  /** Connecting and listing tools (default 60 s). */
  connectTimeoutMs?: number;
  maxResultChars: number;
  logger: Logger;
}

export interface ToolResult {
  /** Text for the model: the tool's text content, or a short error line. */
  content: string;
  isError: boolean;
  ms: number;
}

interface ToolEntry {
  client: Client;
  server: string;
  /** The tool's own name on its server. */
  tool: string;
  spec: ToolSpec;
}

/** `server__tool`, with every character OpenAI refuses replaced and the whole cut to 64. */
export function toolName(server: string, tool: string): string {
  return `${server}__${tool}`.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, MAX_TOOL_NAME);
}

export class McpToolPool {
  private readonly clients: Client[] = [];
  private readonly entries = new Map<string, ToolEntry>();

  constructor(private readonly opts: ToolPoolOptions) {}

  /**
   * Connects to every server and lists its tools. A server that cannot be reached is logged and
   * left out: the others (and plain chat) still work.
   */
  async connect(servers: McpServerConfig[]): Promise<void> {
    await Promise.all(servers.map((s) => this.connectOne(s)));
    this.opts.logger.info({ servers: servers.length, tools: this.entries.size }, 'tools: MCP servers connected');
  }

  private async connectOne(server: McpServerConfig): Promise<void> {
    const log = this.opts.logger.child({ mcpServer: server.name });
    const client = new Client({ name: 'parley', version: '0.1.0' });
    try {
      const timeout = this.opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
      await client.connect(this.transportFor(server, log), { timeout });
      this.clients.push(client);
      const { tools } = await client.listTools(undefined, { timeout });
      for (const tool of tools) {
        let name = toolName(server.name, tool.name);
        // Two names that sanitize alike: the later one gets a numbered name instead of replacing.
        for (let n = 2; this.entries.has(name); n++) name = `${toolName(server.name, tool.name).slice(0, MAX_TOOL_NAME - 4)}_${n}`;
        this.entries.set(name, {
          client,
          server: server.name,
          tool: tool.name,
          spec: { name, description: tool.description, parameters: tool.inputSchema as Record<string, unknown> },
        });
      }
      log.info({ tools: tools.map((t) => t.name) }, 'tools: MCP server ready');
    } catch (err) {
      log.warn({ err }, 'tools: MCP server not available, its tools are left out');
      await client.close().catch(() => undefined);
    }
  }

  private transportFor(server: McpServerConfig, log: Logger): Transport {
    if (server.kind === 'http') {
      return new StreamableHTTPClientTransport(new URL(server.url), { requestInit: { headers: server.headers } });
    }
    const transport = new StdioClientTransport({
      command: server.command,
      args: server.args,
      // The SDK's safe minimum plus the file's own: API keys in our environment stay ours.
      env: { ...getDefaultEnvironment(), ...server.env },
      cwd: server.cwd,
      // A server's stderr would interleave with our JSON logs: it goes into them instead.
      stderr: 'pipe',
    });
    transport.stderr?.on('data', (chunk: Buffer) => log.debug({ stderr: chunk.toString('utf8').trimEnd().slice(0, 2_000) }, 'tools: MCP server stderr'));
    return transport;
  }

  /** The tools to offer the model. */
  specs(): ToolSpec[] {
    return [...this.entries.values()].map((e) => e.spec);
  }

  /** Name of a tool as people know it (its own name, not the server-prefixed one). */
  displayName(name: string): string {
    return this.entries.get(name)?.tool ?? name;
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * Runs one call. Never throws for the tool's own failures (unknown tool, bad JSON, timeout,
   * an error result): the model gets a short error text and can answer with it.
   */
  async call(name: string, argumentsJson: string, ctx: { signal?: AbortSignal; requestId?: string; channel?: string }): Promise<ToolResult> {
    const started = Date.now();
    const entry = this.entries.get(name);
    const log = this.opts.logger.child({ tool: name, requestId: ctx.requestId, channel: ctx.channel });
    const done = (content: string, isError: boolean, err?: unknown): ToolResult => {
      const ms = Date.now() - started;
      const capped = capText(content, this.opts.maxResultChars);
      if (isError) log.warn({ ms, chars: content.length, ...(err ? { err } : {}) }, 'tool call failed');
      else log.info({ ms, chars: content.length, capped: capped.length < content.length }, 'tool call done');
      return { content: capped, isError, ms };
    };
    if (!entry) return done(`error: there is no tool named ${name}`, true);
    let args: Record<string, unknown>;
    try {
      const parsed: unknown = argumentsJson.trim() ? JSON.parse(argumentsJson) : {};
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('arguments must be a JSON object');
      args = parsed as Record<string, unknown>;
    } catch (err) {
      return done(`error: the arguments are not a JSON object (${(err as Error).message})`, true);
    }
    try {
      const result = await entry.client.callTool({ name: entry.tool, arguments: args }, undefined, {
        timeout: this.opts.timeoutMs,
        signal: ctx.signal,
      });
      return done(resultText(result), result.isError === true);
    } catch (err) {
      if (ctx.signal?.aborted) throw err;
      return done(`error: ${(err as Error).message}`, true, err);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.close().catch((err: unknown) => this.opts.logger.debug({ err }, 'tools: close failed'))));
    this.clients.length = 0;
    this.entries.clear();
  }
}

/** The text parts of a result; other content (images, resources) is named, not inlined. */
function resultText(result: Record<string, unknown>): string {
  const content = Array.isArray(result.content) ? (result.content as Array<Record<string, unknown>>) : [];
  const parts = content.map((c) => (c.type === 'text' && typeof c.text === 'string' ? c.text : `[${String(c.type)}]`));
  if (parts.length === 0 && result.structuredContent !== undefined) return JSON.stringify(result.structuredContent);
  return parts.join('\n');
}

/** Cuts a result to `max` characters, saying so, so the model knows it saw only a part. */
export function capText(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}\n[… cut: ${text.length - max} more characters]`;
}
