// `BENCH_SCALE_LOAD=discord npm run bench -- scale`: the same
// Discord load (2 shards, a closed loop over many channels) answered by 1 parley process
// holding both shards, then by 2 processes holding one each, on one Redis. The fake Discord and
// the lean upstream run in child processes of their own; parley runs through src/main.ts.
// Numbers, not assertions. The per-message Redis cost is the `redis` section's.
// Measured so far: both cases stop near 40 replies/s whatever the channel count, with parley's
// CPU far from saturated: each discord.js client sends at most 50 REST requests/s (its global
// limit, Discord's per bot), and a reply costs ~2.4 (typing, create, final edit). Two shards
// mean two clients in either case, so this load shows the REST ceiling, not CPU scaling.
import { cpus, loadavg } from 'node:os';
import { createClient } from 'redis';
import { startMain, type RunningMain } from '../test/helpers/entry-point.js';
import { until } from '../test/helpers/instances.js';
import { startRedis } from '../test/helpers/redis.js';
import { child, cpuSeconds } from './procs.js';

const CHANNELS_PER_GUILD = Number(process.env.BENCH_SCALE_CHANNELS ?? 250);
const ANSWER_WORDS = 12;
const WORD_INTERVAL_MS = 5;
const LEASE_MS = 10_000;
const MEASURE_S = Number(process.env.BENCH_SCALE_SECONDS ?? 20);
const WARMUP_S = 5;
const SETTLE_TIMEOUT_MS = 60_000;
const untilSettled = (check: () => Promise<boolean>, what: string) => until(check, what, SETTLE_TIMEOUT_MS);


export async function scaleOutDiscord(): Promise<void> {
  const redis = await startRedis();
  const words = Array.from({ length: ANSWER_WORDS }, (_, i) => `word${i}`);
  const upstream = child('bench/load-upstream.ts', { words, intervalMs: WORD_INTERVAL_MS });
  const discord = child('bench/discord-child.ts', { channelsPerGuild: CHANNELS_PER_GUILD, answer: words.join(' ') });
  const admin = createClient({ url: redis.url });
  await admin.connect();
  const running: RunningMain[] = [];
  try {
    const { url } = (await upstream.next()) as { url: string };
    const fake = (await discord.next()) as { token: string; apiUrl: string };
    const owners = async () => Promise.all([0, 1].map(async (k) => (await admin.get(`parley:lease:dc:${k}`))?.split('/')[0]));
    const start = (id: string) => {
      const main = startMain({
        OPENAI_BASE_URL: url,
        OPENAI_API_KEY: 'bench-key',
        LOG_LEVEL: 'info',
        RATE_LIMIT_PER_MINUTE: '0',
        // Measure the processes, not a per-process cap on replies in flight.
        PROVIDER_CONCURRENCY: '10000',
        HISTORY_STORE: 'redis',
        REDIS_URL: redis.url,
        PARLEY_INSTANCE_ID: id,
        PARLEY_LEASE_MS: String(LEASE_MS),
        DISCORD_TOKEN: fake.token,
        DISCORD_API_URL: fake.apiUrl,
      });
      running.push(main);
      return main;
    };
    const measure = async (label: string) => {
      const procs = { parley: () => running.filter((m) => m.child.exitCode === null).map((m) => m.child.pid), fakeDiscord: () => [discord.child.pid], upstream: () => [upstream.child.pid] };
      const cpu = () => Object.fromEntries(Object.entries(procs).map(([k, pids]) => [k, pids().reduce<number>((n, p) => n + cpuSeconds(p), 0)]));
      discord.child.stdin!.write(`run ${MEASURE_S} ${WARMUP_S}\n`);
      // The CPU window is the run's whole (warm-up included), so per-reply figures are approximate.
      const before = cpu();
      const { replies, seconds } = (await discord.next()) as { replies: number; seconds: number };
      const after = cpu();
      const perReply = Object.keys(procs).map((k) => `${k} ${(((after[k]! - before[k]!) * 1000) / replies).toFixed(1)}`);
      const rate = replies / seconds;
      const lost = running.reduce((n, m) => n + m.stdout.split('lease lost').length - 1, 0);
      console.log(`${label.padEnd(30)} ${rate.toFixed(1)} replies/s   (${replies} in ${seconds.toFixed(1)} s; load average ${loadavg()[0]!.toFixed(1)}; leases lost so far ${lost})`);
      console.log(`${''.padEnd(30)} CPU ms per reply (approx.): ${perReply.join(', ')}`);
      return rate;
    };

    console.log(`\n== scale-out: Discord, 2 shards, ${2 * CHANNELS_PER_GUILD} channels in a closed loop, ${ANSWER_WORDS}-word answers; ${cpus().length} cores`);
    const one = start('one');
    // start() resolves once the shards it took at start-up are connected.
    await one.waitForLog('"platform":"discord"', 'surface started');
    if (!(await owners()).every((o) => o === 'one')) throw new Error('scale bench: the single instance does not hold both shards');
    const single = await measure('1 instance (both shards)');
    one.child.kill('SIGTERM');
    await one.exited;

    const pair = [start('a'), start('b')];
    await untilSettled(async () => {
      const o = await owners();
      return Boolean(o[0] && o[1] && o[0] !== o[1]);
    }, 'one shard per instance');
    await Promise.all(pair.map((m) => m.waitForLog('discord shard running')));
    const double = await measure('2 instances (one shard each)');
    console.log(`speed-up ${(double / single).toFixed(2)}x (goal >= 1.7x; both cases are capped by discord.js's 50 REST requests/s per client, see the header)`);
  } finally {
    for (const m of running) await m.dispose();
    upstream.child.kill('SIGTERM');
    discord.child.kill('SIGTERM');
    await admin.close().catch(() => undefined);
    await redis.stop();
  }
}
