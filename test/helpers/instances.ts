// Several parley processes on one Redis, each started through the real entry point
// (src/main.ts), named by PARLEY_INSTANCE_ID so tests can tell which one did what.
import { startMain, type RunningMain } from './entry-point.js';
import { testEnv } from './env.js';

export interface Instance {
  id: string;
  main: RunningMain;
}

export interface InstanceOptions {
  upstream: { url: string };
  redisUrl: string;
  leaseMs: number;
  /** Platform settings; a function gets the instance id. */
  env: Record<string, string> | ((id: string) => Record<string, string>);
}

export function startInstance(id: string, opts: InstanceOptions): Instance {
  const env = typeof opts.env === 'function' ? opts.env(id) : opts.env;
  const main = startMain(
    testEnv(opts.upstream, {
      LOG_LEVEL: 'info',
      HISTORY_STORE: 'redis',
      REDIS_URL: opts.redisUrl,
      PARLEY_INSTANCE_ID: id,
      PARLEY_LEASE_MS: String(opts.leaseMs),
      ...env,
    }),
  );
  return { id, main };
}

/** The pino lines of an instance that contain every one of `parts`, parsed. */
export function logLines(instance: Instance, ...parts: string[]): Record<string, unknown>[] {
  return instance.main.stdout
    .split('\n')
    .filter((l) => l.startsWith('{') && parts.every((p) => l.includes(p)))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** SIGKILL, as a crash or an OOM kill would: no lease is released, no socket closed cleanly. */
export async function killHard(instance: Instance): Promise<number> {
  const at = Date.now();
  instance.main.child.kill('SIGKILL');
  await instance.main.exited;
  return at;
}

/** Resolves with the first truthy value of `check` (polled, may be async), or rejects naming `what`. */
export async function until<T>(check: () => Promise<T | undefined | false | null> | T | undefined | false | null, what: string, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
