// Bench section `scale` (issue 11 goal: 2 instances >= 1.7x the replies/s of one): Telegram in
// webhook mode, the lean fake Bot API acting as the load balancer (bench/telegram-load.ts: round
// robin over the instances' webhooks, many group chats in a closed loop) and a lean streaming
// upstream with short fast answers (bench/load-upstream.ts), answered by 1 parley process holding
// every partition, then by 2 sharing them, on one Redis. Nothing outside parley caps the rate (no
// per-client REST limit as with discord.js), so at saturation it is parley's CPU that counts.
// Reported per case: replies/s in the measured window after a warm-up, reply latency, CPU ms per
// reply of each process group, and where the machine's cores went (parley, the fakes, redis, and
// whatever else ran meanwhile), all from /proc; Bot API calls and Redis commands per reply
// (commands run inside scripts count too). Numbers, not assertions.
// BENCH_SCALE_LOAD=discord runs the earlier Discord load instead (bench/scale-discord.ts).
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { createClient } from 'redis';
import { startMain, type RunningMain } from '../test/helpers/entry-point.js';
import { freePort } from '../test/helpers/ports.js';
import { until } from '../test/helpers/instances.js';
import { startRedis } from '../test/helpers/redis.js';
import { child, cpuSeconds } from './procs.js';
import { scaleOutDiscord } from './scale-discord.js';

const CHATS = Number(process.env.BENCH_SCALE_CHATS ?? 200);
const ANSWER_WORDS = 12;
/** 0: each answer arrives in one write (13 SSE events parley parses); the upstream stays cheap. */
const WORD_INTERVAL_MS = Number(process.env.BENCH_SCALE_WORD_MS ?? 0);
const PARTITIONS = 64;
const MEASURE_S = Number(process.env.BENCH_SCALE_SECONDS ?? 15);
const WARMUP_S = 5;
const LOG_LEVEL = process.env.BENCH_SCALE_LOG_LEVEL ?? 'info';
const WEBHOOK_URL = 'https://lb.bench.test/tg/hook';
const SETTLE_TIMEOUT_MS = 60_000;
const untilSettled = (check: () => Promise<boolean>, what: string) => until(check, what, SETTLE_TIMEOUT_MS);

/** Busy and total CPU ticks of the whole machine (/proc/stat), to tell others' load from ours. */
function machineTicks(): { busy: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - (f[3] ?? 0) - (f[4] ?? 0), total };
}

/** Calls per Redis command so far (INFO commandstats). */
async function commandCalls(admin: { info(section: string): Promise<string> }): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const m of (await admin.info('commandstats')).matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) out.set(m[1]!, Number(m[2]));
  return out;
}

/** "3x lease lost; slot stopped, ..." over the instances' warn and error lines (pino JSON). */
function warningTally(outputs: string[]): string {
  const tally = new Map<string, number>();
  for (const line of outputs.flatMap((o) => o.split('\n'))) {
    if (!/"level":(40|50|60)/.test(line)) continue;
    const msg = /"msg":"([^"]*)"/.exec(line)?.[1] ?? line.slice(0, 60);
    tally.set(msg, (tally.get(msg) ?? 0) + 1);
  }
  return [...tally].map(([msg, n]) => `${n}x ${msg}`).join(', ');
}


export async function scaleOut(): Promise<void> {
  if (process.env.BENCH_SCALE_LOAD === 'discord') return scaleOutDiscord();
  const redis = await startRedis();
  const words = Array.from({ length: ANSWER_WORDS }, (_, i) => `word${i}`);
  const upstream = child('bench/load-upstream.ts', { words, intervalMs: WORD_INTERVAL_MS });
  const tg = child('bench/telegram-load.ts', { chats: CHATS, answer: words.join(' ') });
  const admin = createClient({ url: redis.url });
  await admin.connect();
  const running: Array<{ main: RunningMain; url: string }> = [];
  try {
    const { url } = (await upstream.next()) as { url: string };
    const fake = (await tg.next()) as { apiRoot: string; token: string };
    const owners = async () => (await admin.mGet(Array.from({ length: PARTITIONS }, (_, p) => `parley:lease:tg:${p}`))).map((v) => v?.split('/')[0]);
    const start = async (id: string) => {
      const port = await freePort();
      const main = startMain({
        OPENAI_BASE_URL: url,
        OPENAI_API_KEY: 'bench-key',
        LOG_LEVEL,
        RATE_LIMIT_PER_MINUTE: '0',
        // Measure the processes, not a per-process cap on replies in flight.
        PROVIDER_CONCURRENCY: '10000',
        HISTORY_STORE: 'redis',
        REDIS_URL: redis.url,
        PARLEY_INSTANCE_ID: id,
        PARLEY_PARTITIONS: String(PARTITIONS),
        TELEGRAM_BOT_TOKEN: fake.token,
        TELEGRAM_API_ROOT: fake.apiRoot,
        TELEGRAM_WEBHOOK_URL: WEBHOOK_URL,
        TELEGRAM_WEBHOOK_HOST: '127.0.0.1',
        TELEGRAM_WEBHOOK_PORT: String(port),
        // One message per reply: the answers are short, and edits would measure the fake.
        TELEGRAM_STREAM: 'off',
        // e.g. --cpu-prof --cpu-prof-dir=/tmp/prof to see where parley's time goes.
        ...(process.env.BENCH_SCALE_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_SCALE_NODE_OPTIONS } : {}),
      });
      running.push({ main, url: `http://127.0.0.1:${port}` });
      await main.waitForLog('webhook listening');
    };
    const measure = async (label: string) => {
      const live = running.filter((r) => r.main.child.exitCode === null);
      const groups: Record<string, Array<number | undefined>> = {
        parley: live.map((r) => r.main.child.pid),
        telegram: [tg.child.pid],
        upstream: [upstream.child.pid],
        redis: [redis.child.pid],
        bench: [process.pid],
      };
      const cpu = () => Object.fromEntries(Object.entries(groups).map(([k, pids]) => [k, pids.reduce<number>((n, p) => n + cpuSeconds(p), 0)]));
      tg.child.stdin!.write(`backends ${JSON.stringify(live.map((r) => r.url))}\n`);
      tg.child.stdin!.write(`run ${MEASURE_S} ${WARMUP_S}\n`);
      // Sampled over the measured window only: the warm-up is skipped.
      await new Promise((r) => setTimeout(r, WARMUP_S * 1000));
      const [before, ticks0, t0, calls0] = [cpu(), machineTicks(), performance.now(), await commandCalls(admin)];
      await new Promise((r) => setTimeout(r, MEASURE_S * 1000));
      const [after, ticks1, wall, calls1] = [cpu(), machineTicks(), (performance.now() - t0) / 1000, await commandCalls(admin)];
      const { replies, seconds, p50, p99, apiCalls, duplicates } = (await tg.next()) as {
        replies: number;
        seconds: number;
        p50: number;
        p99: number;
        apiCalls: Record<string, number>;
        duplicates: number;
      };
      const perReply = [...calls1].map(([name, n]) => [name, (n - (calls0.get(name) ?? 0)) / replies] as const).filter(([, n]) => n >= 0.05);
      const used = Object.fromEntries(Object.keys(groups).map((k) => [k, after[k]! - before[k]!]));
      const cores = cpus().length;
      const machineCores = ((ticks1.busy - ticks0.busy) / (ticks1.total - ticks0.total)) * cores;
      const ours = Object.values(used).reduce((a, b) => a + b, 0) / wall;
      const rate = replies / seconds;
      const warnings = warningTally(live.map((r) => r.main.stdout));
      console.log(`${label.padEnd(28)} ${rate.toFixed(0)} replies/s   (${replies} in ${seconds.toFixed(1)} s; latency p50 ${p50.toFixed(0)} ms p99 ${p99.toFixed(0)} ms; answers given twice ${duplicates})`);
      if (warnings) console.log(`${''.padEnd(28)} warnings so far: ${warnings}`);
      console.log(`${''.padEnd(28)} CPU ms per reply: ${Object.keys(groups).map((k) => `${k} ${((used[k]! * 1000) / replies).toFixed(2)}`).join(', ')}`);
      console.log(
        `${''.padEnd(28)} cores busy: ${Object.keys(groups).map((k) => `${k} ${(used[k]! / wall).toFixed(2)}`).join(', ')}, others on the machine ${Math.max(0, machineCores - ours).toFixed(2)} (of ${cores}; load average ${loadavg()[0]!.toFixed(1)})`,
      );
      console.log(`${''.padEnd(28)} Bot API calls per reply: ${Object.entries(apiCalls).map(([m, n]) => `${m} ${(n / replies).toFixed(2)}`).join(', ')}`);
      console.log(`${''.padEnd(28)} Redis commands per reply ${perReply.reduce((n, [, c]) => n + c, 0).toFixed(1)}: ${perReply.map(([name, c]) => `${name} ${c.toFixed(2)}`).join(', ')}`);
      return rate;
    };

    console.log(`\n== scale-out: Telegram webhooks, ${CHATS} group chats in a closed loop, ${ANSWER_WORDS}-word answers at ${WORD_INTERVAL_MS} ms/word, ${PARTITIONS} partitions, LOG_LEVEL=${LOG_LEVEL}; ${cpus().length} cores`);
    await start('one');
    await untilSettled(async () => (await owners()).every((o) => o === 'one'), 'the single instance holding every partition');
    const single = await measure('1 instance (64 partitions)');
    const one = running.pop()!;
    one.main.child.kill('SIGTERM');
    await one.main.exited;

    await Promise.all([start('a'), start('b')]);
    await untilSettled(async () => {
      const o = await owners();
      return o.every((x) => x === 'a' || x === 'b') && o.includes('a') && o.includes('b');
    }, 'the partitions shared by two instances');
    const double = await measure('2 instances (shared)');
    console.log(`speed-up ${(double / single).toFixed(2)}x (goal >= 1.7x)`);
  } finally {
    for (const r of running) await r.main.dispose();
    upstream.child.kill('SIGTERM');
    tg.child.kill('SIGTERM');
    await admin.close().catch(() => undefined);
    await redis.stop();
  }
}
