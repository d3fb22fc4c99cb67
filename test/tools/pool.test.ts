// The MCP client pool against a real MCP server over stdio (test/fakes/mcp/server.ts, started by
// the SDK's stdio transport): tool naming, calls, the timeout, the result cap, bad arguments,
// a server that cannot start, and the servers file.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/index.js';
import { createLogger } from '../../src/log.js';
import { McpToolPool, toolName } from '../../src/tools/pool.js';
import { loadMcpServers, type McpServerConfig } from '../../src/tools/servers.js';
import { startHttpMcp } from '../fakes/mcp/http.js';

const TEST_MCP_SERVER: McpServerConfig = {
  kind: 'stdio',
  name: 'test',
  command: process.execPath,
  args: ['--import', 'tsx', join(import.meta.dirname, '../fakes/mcp/server.ts')],
  env: {},
};

describe('McpToolPool over stdio', () => {
  const lines: Array<{ msg: string; tool?: string; ms?: number; mcpServer?: string }> = [];
  const logger = createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line) as { msg: string }) });
  const pool = new McpToolPool({ timeoutMs: 3_000, maxResultChars: 50, logger });

  beforeAll(async () => {
    await pool.connect([TEST_MCP_SERVER, { kind: 'stdio', name: 'broken', command: join(tmpdir(), 'no-such-mcp-server'), args: [], env: {} }]);
  }, 30_000);
  afterAll(() => pool.close());

  it('offers the server tools as server__tool with their JSON schemas; a server that cannot start is left out', () => {
    const specs = pool.specs();
    expect(specs.map((s) => s.name).sort()).toEqual(['test__add', 'test__big', 'test__echo', 'test__fail', 'test__slow']);
    expect(specs.find((s) => s.name === 'test__add')!.parameters).toMatchObject({ type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } } });
    expect(pool.displayName('test__add')).toBe('add');
    expect(lines.some((l) => l.mcpServer === 'broken' && l.msg.includes('not available'))).toBe(true);
  });

  it('calls a tool and logs it with its duration', async () => {
    expect(await pool.call('test__add', '{"a": 2, "b": 40}', { requestId: 'r1' })).toMatchObject({ content: '42', isError: false });
    const logged = lines.find((l) => l.msg === 'tool call done' && l.tool === 'test__add');
    expect(logged?.ms).toEqual(expect.any(Number));
  });

  it('caps a long result and says so', async () => {
    const r = await pool.call('test__big', '{"chars": 500}', {});
    expect(r.content.startsWith('x'.repeat(50) + '\n')).toBe(true);
    expect(r.content).toContain('450 more characters');
  });

  it('a call past the timeout, bad JSON, an unknown tool and an error result come back as error text', async () => {
    const short = new McpToolPool({ timeoutMs: 200, maxResultChars: 100, logger });
    await short.connect([TEST_MCP_SERVER]);
    try {
      const slow = await short.call('test__slow', '{"ms": 5000}', {});
      expect(slow.isError).toBe(true);
      expect(slow.content).toMatch(/^error: .*timed out/i);
    } finally {
      await short.close();
    }
    expect(await pool.call('test__add', '{"a": 2, "b"', {})).toMatchObject({ isError: true, content: expect.stringMatching(/^error: the arguments are not a JSON object/) });
    expect(await pool.call('nope__x', '{}', {})).toMatchObject({ isError: true });
    expect(await pool.call('test__fail', '', {})).toMatchObject({ isError: true, content: 'it broke' });
  }, 30_000);
});

describe('McpToolPool over streamable HTTP', () => {
  it('sends the configured headers and calls tools; a wrong header leaves the server out', async () => {
    const remote = await startHttpMcp('Bearer right');
    const logger = createLogger('silent');
    const pool = new McpToolPool({ timeoutMs: 3_000, maxResultChars: 100, logger });
    try {
      await pool.connect([
        { kind: 'http', name: 'remote', url: remote.url, headers: { Authorization: 'Bearer right' } },
        { kind: 'http', name: 'denied', url: remote.url, headers: { Authorization: 'Bearer wrong' } },
      ]);
      expect(pool.specs().map((s) => s.name)).toEqual(['remote__add', 'remote__echo', 'remote__big', 'remote__slow', 'remote__fail']);
      expect(await pool.call('remote__echo', '{"text":"over http"}', {})).toMatchObject({ content: 'over http', isError: false });
    } finally {
      await pool.close();
      await remote.close();
    }
  });
});

describe('tool names and the servers file', () => {
  it('names are sanitized to what OpenAI accepts', () => {
    expect(toolName('my server', 'get.weather/now')).toBe('my_server__get_weather_now');
    expect(toolName('s', 'x'.repeat(100))).toMatch(/^[a-zA-Z0-9_-]{64}$/);
  });

  it('reads YAML (servers:) and JSON (mcpServers:), stdio and HTTP; a bad file is a ConfigError', () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-mcp-'));
    const yaml = join(dir, 'mcp.yaml');
    writeFileSync(yaml, 'servers:\n  files:\n    command: npx\n    args: [-y, some-server]\n    env: { ROOT: /tmp }\n  remote:\n    url: https://mcp.example.com/mcp\n    headers: { Authorization: Bearer x }\n');
    expect(loadMcpServers(yaml)).toEqual([
      { name: 'files', kind: 'stdio', command: 'npx', args: ['-y', 'some-server'], env: { ROOT: '/tmp' } },
      { name: 'remote', kind: 'http', url: 'https://mcp.example.com/mcp', headers: { Authorization: 'Bearer x' } },
    ]);
    const json = join(dir, 'mcp.json');
    writeFileSync(json, JSON.stringify({ mcpServers: { t: { command: 'node', args: ['s.js'] } } }));
    expect(loadMcpServers(json)).toEqual([{ name: 't', kind: 'stdio', command: 'node', args: ['s.js'], env: {} }]);
    writeFileSync(json, JSON.stringify({ servers: { t: { args: ['s.js'] } } }));
    expect(() => loadMcpServers(json)).toThrow(ConfigError);
    expect(() => loadMcpServers(join(dir, 'missing.yaml'))).toThrow(/MCP_SERVERS: cannot read/);
  });
});
