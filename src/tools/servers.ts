// MCP_SERVERS: the file naming the Model Context Protocol servers whose tools the model may use.
// YAML or JSON (YAML is a superset), under `servers:` or the `mcpServers:` key other MCP clients use.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../config/index.js';

const stdioServer = z.object({
  command: z.string().min(1),
  args: z.array(z.string()).default([]),
  /** Added to a minimal safe environment (PATH, HOME, …): our own secrets are never passed on. */
  env: z.record(z.string(), z.string()).default({}),
  cwd: z.string().optional(),
});

const httpServer = z.object({
  url: z.url(),
  headers: z.record(z.string(), z.string()).default({}),
});

const serverEntry = z.union([stdioServer.strict(), httpServer.strict()]);

const fileSchema = z
  .object({
    servers: z.record(z.string(), serverEntry).optional(),
    mcpServers: z.record(z.string(), serverEntry).optional(),
  })
  .refine((f) => f.servers ?? f.mcpServers, { message: 'needs a `servers:` map' });

export type StdioServerConfig = z.infer<typeof stdioServer> & { name: string; kind: 'stdio' };
export type HttpServerConfig = z.infer<typeof httpServer> & { name: string; kind: 'http' };
export type McpServerConfig = StdioServerConfig | HttpServerConfig;

/** Reads and validates the servers file; any problem is a ConfigError naming the file. */
export function loadMcpServers(path: string): McpServerConfig[] {
  let raw: unknown;
  try {
    raw = parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError(`Invalid configuration:\nMCP_SERVERS: cannot read ${path}: ${(err as Error).message.split('\n')[0]}`);
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`).join('; ');
    throw new ConfigError(`Invalid configuration:\nMCP_SERVERS: ${path}: ${issues}`);
  }
  const entries = Object.entries(parsed.data.servers ?? parsed.data.mcpServers ?? {});
  return entries.map(([name, entry]): McpServerConfig => ('command' in entry ? { ...entry, name, kind: 'stdio' } : { ...entry, name, kind: 'http' }));
}
