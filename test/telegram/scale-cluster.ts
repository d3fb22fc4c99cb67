// N parley processes in Telegram webhook mode on one Redis, each started through the real entry
// point (src/main.ts), each calling the fake Bot API through its own apiRoot path (`/<id>/`) so
// the fake records which instance made each call; the fake's load balancer posts to their
// webhook listeners.
import type { FakeTelegram } from '../fakes/telegram/server.js';
import { startMain, type RunningMain } from '../helpers/entry-point.js';
import { testEnv } from '../helpers/env.js';
import { freePort } from '../helpers/ports.js';

export const WEBHOOK_SECRET = 'scale-test-secret';
/** The URL set with setWebhook: the load balancer's; only its path reaches the instances. */
export const WEBHOOK_URL = 'https://lb.example.test/tg/hook';

export interface Instance {
  id: string;
  main: RunningMain;
  /** Base URL of its webhook listener. */
  url: string;
}

export interface ClusterOptions {
  size: number;
  tg: FakeTelegram;
  upstream: { url: string };
  redisUrl: string;
  leaseMs: number;
  partitions: number;
  /** More settings for every instance. */
  env?: Record<string, string>;
}

/** Start-ups lost to a port taken between freePort() and the listen (another test's socket). */
const PORT_ATTEMPTS = 3;

export async function startInstance(id: string, opts: ClusterOptions): Promise<Instance> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const main = startOn(id, port, opts);
    try {
      await main.waitForLog('webhook listening');
      return { id, main, url: `http://127.0.0.1:${port}` };
    } catch (err) {
      await main.dispose();
      if (attempt >= PORT_ATTEMPTS || !main.stderr.includes('EADDRINUSE')) throw err;
    }
  }
}

function startOn(id: string, port: number, opts: ClusterOptions): RunningMain {
  return startMain(
    testEnv(opts.upstream, {
      LOG_LEVEL: 'info',
      LLM_MAX_RETRIES: '0',
      HISTORY_STORE: 'redis',
      REDIS_URL: opts.redisUrl,
      PARLEY_INSTANCE_ID: id,
      PARLEY_LEASE_MS: String(opts.leaseMs),
      PARLEY_PARTITIONS: String(opts.partitions),
      TELEGRAM_BOT_TOKEN: opts.tg.token,
      TELEGRAM_API_ROOT: `${opts.tg.apiRoot}/${id}/`,
      TELEGRAM_WEBHOOK_URL: WEBHOOK_URL,
      TELEGRAM_WEBHOOK_HOST: '127.0.0.1',
      TELEGRAM_WEBHOOK_PORT: String(port),
      TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET,
      TELEGRAM_STREAM: 'edit',
      ...opts.env,
    }),
  );
}

/** All or nothing: when one instance cannot start, the others are stopped too (left running,
 * they would keep taking slots of the same Redis in the next test). */
export async function startCluster(opts: ClusterOptions): Promise<Instance[]> {
  const started = await Promise.allSettled(Array.from({ length: opts.size }, (_, i) => startInstance(`i${i}`, opts)));
  const failed = started.find((r) => r.status === 'rejected');
  if (!failed) return started.map((r) => (r as PromiseFulfilledResult<Instance>).value);
  await Promise.all(started.map((r) => (r.status === 'fulfilled' ? r.value.main.dispose() : undefined)));
  throw failed.reason;
}

/** SIGKILL: no shutdown, no lease released, whatever was in flight left as it was. */
export async function killHard(instance: Instance): Promise<number> {
  const at = Date.now();
  instance.main.child.kill('SIGKILL');
  await instance.main.exited;
  return at;
}
