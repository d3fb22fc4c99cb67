// HISTORY_STORE=redis through the real entry point: Redis unreachable or older than 7.0 stops
// start-up with one clear line and exit 1; a real Redis 7 lets it start.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useRedis } from '../helpers/redis.js';

const MAIN = join(process.cwd(), 'src/main.ts');
const TSX = pathToFileURL(join(process.cwd(), 'node_modules/tsx/dist/loader.mjs')).href;
const redis = useRedis();

/** Async (not spawnSync): the fake server below runs in this process and must keep answering. */
async function runMain(cwd: string, settings: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', TSX, MAIN], {
    cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, OPENAI_API_KEY: 'test-key', DATA_DIR: join(cwd, 'data'), HISTORY_STORE: 'redis', ...settings },
  });
  // stdin closed: the console (no platform configured) ends at once with exit 0 once started.
  child.stdin.end();
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { code, stderr, lines: stderr.split('\n').filter(Boolean) };
}

/** Parses RESP command arrays from a byte stream: enough of the protocol to pose as a server. */
function* commands(buf: { data: string }): Generator<string[]> {
  for (;;) {
    const m = /^\*(\d+)\r\n/.exec(buf.data);
    if (!m) return;
    let at = m[0].length;
    const args: string[] = [];
    for (let i = 0; i < Number(m[1]); i++) {
      const len = /^\$(\d+)\r\n/.exec(buf.data.slice(at));
      if (!len || buf.data.length < at + len[0].length + Number(len[1]) + 2) return;
      at += len[0].length;
      args.push(buf.data.slice(at, at + Number(len[1])));
      at += Number(len[1]) + 2;
    }
    buf.data = buf.data.slice(at);
    yield args;
  }
}

/** A server that answers like Redis 6.2 (OK to everything, INFO says 6.2.14). */
async function oldRedis(): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => {
    const buf = { data: '' };
    socket.setEncoding('latin1').on('data', (chunk: string) => {
      buf.data += chunk;
      for (const args of commands(buf)) {
        const info = '# Server\r\nredis_version:6.2.14\r\nredis_mode:standalone\r\n';
        socket.write(args[0]?.toUpperCase() === 'INFO' ? `$${info.length}\r\n${info}\r\n` : '+OK\r\n');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port };
}

async function closedPort(): Promise<number> {
  const { server, port } = await oldRedis();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('start-up with HISTORY_STORE=redis', { timeout: 60_000 }, () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'parley-redis-startup-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('no REDIS_URL: the configuration error names it', async () => {
    const r = await runMain(dir, {});
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('REDIS_URL: required when HISTORY_STORE=redis');
  });

  it('Redis unreachable: one line naming the address (never the password), exit 1', async () => {
    const port = await closedPort();
    const r = await runMain(dir, { REDIS_URL: `redis://user:s3cret@127.0.0.1:${port}/0` });
    expect(r.code).toBe(1);
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0]).toMatch(new RegExp(`^Start-up failed: cannot reach Redis at 127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`));
    expect(r.stderr).not.toContain('s3cret');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('Redis older than 7.0: one line naming the version, exit 1', async () => {
    const { server, port } = await oldRedis();
    try {
      const r = await runMain(dir, { REDIS_URL: `redis://127.0.0.1:${port}` });
      expect(r.code).toBe(1);
      expect(r.lines).toEqual([`Start-up failed: Redis at 127.0.0.1:${port} is 6.2.14; parley needs Redis 7.0 or later`]);
    } finally {
      server.close();
    }
  });

  it('Redis 7: starts, and stops cleanly when the console closes', async () => {
    const r = await runMain(dir, { REDIS_URL: redis().url });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // The history went to Redis: no SQLite file was made.
    expect(existsSync(join(dir, 'data', 'parley.sqlite'))).toBe(false);
  });
});
