// The one way parley connects to Redis: fails start-up with one clear line when the server is
// unreachable or older than 7.0; once up, reconnects quietly and fails commands fast while down
// (no offline queue), so lease renewals and webhook ingest notice an outage instead of hanging.
import type { createClient } from 'redis';
import type { Logger } from '../log.js';
import { RedisUnavailableError } from './errors.js';

export { RedisUnavailableError } from './errors.js';

export type RedisClient = ReturnType<typeof createClient>;

export const MIN_REDIS_VERSION = [7, 0] as const;
const CONNECT_TIMEOUT_MS = 3_000;
const MAX_RECONNECT_DELAY_MS = 1_000;

export interface ConnectRedisOptions {
  /** Name shown by CLIENT LIST, e.g. the instance id. */
  clientName?: string;
}

/** host:port of a redis URL, without user or password. */
export function redisAddress(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname || '127.0.0.1'}:${u.port || '6379'}`;
  } catch {
    return 'the REDIS_URL address';
  }
}

/** `redis_version` from INFO server, as [major, minor, patch]; undefined when absent. */
export function parseRedisVersion(info: string): number[] | undefined {
  const m = /^redis_version:(\d+)\.(\d+)(?:\.(\d+))?/m.exec(info);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : undefined;
}

function atLeast(version: number[], min: readonly number[]): boolean {
  for (let i = 0; i < min.length; i++) {
    const v = version[i] ?? 0;
    const want = min[i] ?? 0;
    if (v !== want) return v > want;
  }
  return true;
}

/** Connects and checks the server version; throws RedisUnavailableError with one line. */
export async function connectRedis(url: string, logger: Logger, opts: ConnectRedisOptions = {}): Promise<RedisClient> {
  // Imported here, not at the top: the client library costs about 0.3 s of start-up CPU, and
  // lease.ts's withDeadline puts this file on every Telegram start, Redis or not.
  const { createClient } = await import('redis');
  const address = redisAddress(url);
  let connected = false;
  let outage = false;
  const client = createClient({
    url,
    name: opts.clientName,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: CONNECT_TIMEOUT_MS,
      // Before the first connection an error ends connect(); after it, keep retrying.
      reconnectStrategy: (retries, cause) => (connected ? Math.min(50 * 2 ** retries, MAX_RECONNECT_DELAY_MS) : cause),
    },
  });
  // One warning per outage, not one per reconnect attempt.
  client.on('error', (err: unknown) => {
    if (!connected || outage) return;
    outage = true;
    logger.warn({ err, redis: address }, 'redis connection lost; retrying');
  });
  client.on('ready', () => {
    if (outage) logger.info({ redis: address }, 'redis connection back');
    outage = false;
  });
  try {
    await client.connect();
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new RedisUnavailableError(`cannot reach Redis at ${address}: ${why} (is it running, and is REDIS_URL right?)`, { cause: err });
  }
  connected = true;
  let version: number[] | undefined;
  try {
    version = parseRedisVersion(await client.info('server'));
  } catch (err) {
    client.destroy();
    const why = err instanceof Error ? err.message : String(err);
    throw new RedisUnavailableError(`cannot use Redis at ${address}: INFO failed: ${why}`, { cause: err });
  }
  if (!version || !atLeast(version, MIN_REDIS_VERSION)) {
    client.destroy();
    const found = version ? version.join('.') : 'an unknown version';
    throw new RedisUnavailableError(`Redis at ${address} is ${found}; parley needs Redis ${MIN_REDIS_VERSION.join('.')} or later`);
  }
  logger.info({ redis: address, version: version.join('.') }, 'redis connected');
  return client;
}

/** Redis did not answer in time (node-redis has no deadline once a command is written). */
export class RedisTimeoutError extends Error {
  constructor(what: string, ms: number) {
    super(`redis: ${what} got no answer in ${ms} ms`);
    this.name = 'RedisTimeoutError';
  }
}

/** Rejects with RedisTimeoutError when `work` takes longer than `ms` (a hung or paused server). */
export async function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RedisTimeoutError(what, ms)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
