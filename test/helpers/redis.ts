// A throwaway redis-server per test file: a free port on 127.0.0.1, no persistence, killed on
// teardown. A missing binary fails loudly (never a skip): CI installs redis-server (.ci/run).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { connect, createServer, type Socket } from 'node:net';
import { createClient } from 'redis';
import { afterAll, beforeAll } from 'vitest';
import { pino } from 'pino';
import { connectRedis, type RedisClient } from '../../src/scale/redis.js';
import { freePort } from './ports.js';

export interface RedisServer {
  port: number;
  url: string;
  child: ChildProcess;
  /** A connected client (our connectRedis); closed by stop(). */
  client(): Promise<RedisClient>;
  /** Runs one command on a fresh admin connection (e.g. CLIENT PAUSE, FLUSHALL). */
  command(...args: string[]): Promise<unknown>;
  /** SIGSTOP / SIGCONT: the server stops answering without closing connections. */
  freeze(): void;
  thaw(): void;
  stop(): Promise<void>;
}

export const REDIS_BIN = process.env.REDIS_SERVER_BIN ?? 'redis-server';
export const quietLogger = pino({ level: 'silent' });

function assertBinary(): void {
  const r = spawnSync(REDIS_BIN, ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    throw new Error(`${REDIS_BIN} not found: install it (apt-get install -y --no-install-recommends redis-server); these tests need a real Redis 7`);
  }
}

/** Waits for the log line redis-server prints when it accepts connections. */
function waitReady(child: ChildProcess, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString('utf8');
      if (out.includes('Ready to accept connections')) {
        child.stdout?.off('data', onData);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`redis-server on port ${port} exited (${code}) before it was ready:\n${out}`)));
  });
}

export async function startRedis(): Promise<RedisServer> {
  assertBinary();
  const port = await freePort();
  const child = spawn(REDIS_BIN, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--enable-debug-command', 'local'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await waitReady(child, port);
  const url = `redis://127.0.0.1:${port}`;
  const clients: RedisClient[] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    port,
    url,
    child,
    async client() {
      const c = await connectRedis(url, quietLogger);
      clients.push(c);
      return c;
    },
    async command(...args) {
      const admin = createClient({ url });
      await admin.connect();
      try {
        return await admin.sendCommand(args);
      } finally {
        admin.destroy();
      }
    },
    freeze: () => void child.kill('SIGSTOP'),
    thaw: () => void child.kill('SIGCONT'),
    async stop() {
      for (const c of clients.splice(0)) c.destroy();
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGCONT');
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** One server for the whole test file: `const redis = useRedis();` then `redis().url` in tests. */
export function useRedis(): () => RedisServer {
  let server: RedisServer | undefined;
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    await server?.stop();
  });
  return () => {
    if (!server) throw new Error('useRedis(): the server starts in beforeAll');
    return server;
  };
}

export interface TcpGate {
  /** redis:// URL through the gate. */
  url: string;
  /** Stops passing commands on (connections stay open): this client looks hung to itself
   * while every other client keeps talking to the server. */
  hold(): void;
  open(): void;
  close(): Promise<void>;
}

/** A TCP relay in front of the server whose traffic a test can hold. */
export async function startGate(target: RedisServer): Promise<TcpGate> {
  const inbound: Socket[] = [];
  const held: Array<() => void> = [];
  let holding = false;
  const server = createServer((client) => {
    inbound.push(client);
    const upstream = connect(target.port, '127.0.0.1');
    // By hand rather than pipe(): pipe would resume a held socket when the other side drains.
    client.on('data', (chunk) => {
      if (holding) held.push(() => upstream.write(chunk));
      else upstream.write(chunk);
    });
    upstream.pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `redis://127.0.0.1:${port}`,
    hold() {
      holding = true;
    },
    open() {
      holding = false;
      for (const send of held.splice(0)) send();
    },
    async close() {
      for (const c of inbound) c.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
