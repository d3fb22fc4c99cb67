// `npm run bench -- npm-start`: the production start against the fake Telegram Bot API and the
// fake upstream (private chat, ~25-token replies at ~40 tokens/s). Spawns `npm start` and, for
// comparison, the old way (npm + tsx) and node alone (Docker, systemd), and prints for each: peak RSS of the whole process tree
// (npm and everything under it), start-up until "polling for updates", and per reply the time
// to the first text and to the final text on Telegram. BENCH_RUNS=5 starts each one 5 times
// (interleaved, so a busy machine slows all alike) and prints medians; start-up CPU (user + system
// of the whole tree until "polling") is the figure that moves least with other load.
// BENCH_BEFORE=<dir>: also starts `npm start` in another built checkout (e.g. the previous commit,
// its node_modules linked), interleaved with this one, for a before/after in the same minutes.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startFakeTelegram, type FakeTelegram } from '../test/fakes/telegram/server.js';
import { startFakeUpstream } from '../test/fakes/upstream/server.js';

const REPLY_TOKENS = 25;
const TOKEN_INTERVAL_MS = 25; // 40 tokens/s
const REPLIES = 8;
const RSS_SAMPLE_MS = 10;
const GOALS = { peakRssMb: 90, startupMs: 1000 };
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 1));
const CLOCK_TICKS_PER_MS = 100 / 1000; // USER_HZ on Linux

/** Resident memory of `pid` and all its descendants, and of the descendants alone, in bytes, and
 * the CPU time of all of them (with their waited-for children: the shell's `find`), in ms (Linux /proc). */
function treeUsage(root: number): { all: number; below: number; cpuMs: number } {
  const children = new Map<number, number[]>();
  const rss = new Map<number, number>();
  const ticks = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const status = readFileSync(`/proc/${name}/status`, 'utf8');
      const ppid = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]);
      const kb = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
      // Fields 14-17 of stat: utime, stime, cutime, cstime (after the command's closing paren).
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const times = stat.slice(stat.lastIndexOf(')') + 2).split(' ').slice(11, 15).map(Number);
      rss.set(Number(name), kb * 1024);
      ticks.set(Number(name), times.reduce((a, b) => a + b, 0));
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
    } catch {
      // the process ended while we looked
    }
  }
  let below = 0;
  let cpu = ticks.get(root) ?? 0;
  const stack = [...(children.get(root) ?? [])];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    below += rss.get(pid) ?? 0;
    cpu += ticks.get(pid) ?? 0;
    stack.push(...(children.get(pid) ?? []));
  }
  return { all: below + (rss.get(root) ?? 0), below, cpuMs: cpu / CLOCK_TICKS_PER_MS };
}

const pct = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))] ?? NaN;

interface Run {
  label: string;
  /** npm and everything under it. */
  peakRssMb: number;
  /** What npm started (the service), without npm itself; the whole tree when npm is not the root. */
  peakServiceRssMb: number;
  startupMs: number;
  /** CPU time of the whole tree until "polling". */
  startupCpuMs: number;
  firstTextMs: number[];
  finalTextMs: number[];
}

interface Command {
  label: string;
  argv: string[];
  /** Where it runs; this checkout when unset. */
  cwd?: string;
}

async function measure({ label, argv: command, cwd }: Command, telegram: FakeTelegram, env: Record<string, string>, chatBase: number): Promise<Run> {
  const started = performance.now();
  const child: ChildProcess = spawn(command[0]!, command.slice(1), { cwd, env: { ...env, PATH: process.env.PATH!, HOME: process.env.HOME! }, detached: true });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
  let peak = 0;
  let peakService = 0;
  const sampler = setInterval(() => {
    const rss = treeUsage(child.pid!);
    peak = Math.max(peak, rss.all);
    peakService = Math.max(peakService, rss.below);
  }, RSS_SAMPLE_MS);
  await telegram.waitFor(() => out.includes('polling for updates'), 30_000);
  const startupMs = performance.now() - started;
  const startupCpuMs = treeUsage(child.pid!).cpuMs;

  const firstTextMs: number[] = [];
  const finalTextMs: number[] = [];
  for (let i = 0; i < REPLIES; i++) {
    const chatId = chatBase + i;
    const sentAt = Date.now();
    telegram.sendUserMessage({ chatId, text: `question ${i}` });
    const visible = () => telegram.calls.find((c) => c.payload.chat_id === chatId && /^send(Message|MessageDraft)$/.test(c.method) && !c.error);
    await telegram.waitFor(() => visible() !== undefined, 30_000);
    firstTextMs.push(visible()!.at - sentAt);
    await telegram.waitFor(() => telegram.messagesIn(chatId).length > 0, 30_000);
    const final = telegram.calls.find((c) => c.payload.chat_id === chatId && c.method === 'sendMessage' && !c.error)!;
    finalTextMs.push(final.at - sentAt);
  }
  clearInterval(sampler);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  process.kill(-child.pid!, 'SIGTERM');
  await exited;
  // Without npm at the root, the whole tree is the service.
  const service = command[0] === 'npm' ? peakService : peak;
  return { label, peakRssMb: peak / 2 ** 20, peakServiceRssMb: service / 2 ** 20, startupMs, startupCpuMs, firstTextMs, finalTextMs };
}

export async function npmStart(): Promise<void> {
  // Build first (what `npm install` does), so the start-up figure is the start alone.
  spawnSync(process.execPath, ['scripts/build-if-stale.mjs'], { stdio: 'inherit' });
  const reply = Array.from({ length: REPLY_TOKENS }, (_, i) => `word${i}`).join(' ');
  const upstream = await startFakeUpstream({ reply, tokensPerChunk: 1, chunkDelayMs: TOKEN_INTERVAL_MS });
  const telegram = await startFakeTelegram({ pollHoldMs: 300 });
  const dir = mkdtempSync(join(tmpdir(), 'parley-bench-start-'));
  const env = {
    OPENAI_BASE_URL: upstream.url,
    OPENAI_API_KEY: 'bench-key',
    TELEGRAM_BOT_TOKEN: telegram.token,
    TELEGRAM_API_ROOT: telegram.apiRoot,
    DATA_DIR: join(dir, 'data'),
    RATE_LIMIT_PER_MINUTE: '0',
  };
  const before = process.env.BENCH_BEFORE;
  const commands: Command[] = [
    { label: 'npm start (compiled)', argv: ['npm', 'start'] },
    ...(before ? [{ label: 'npm start (BENCH_BEFORE)', argv: ['npm', 'start'], cwd: before }] : []),
    { label: 'npm + tsx (the old npm start)', argv: ['npm', 'exec', '--', 'tsx', 'src/main.ts'] },
    // What the Docker image and the systemd unit run: no npm at all.
    { label: 'node (Docker, systemd)', argv: ['node', '--liftoff-only', '--max-semi-space-size=2', 'dist/src/main.js'] },
    ...(before ? [{ label: 'node (BENCH_BEFORE)', argv: ['node', '--liftoff-only', '--max-semi-space-size=2', 'dist/src/main.js'], cwd: before }] : []),
  ];
  try {
    const loadBefore = loadavg()[0]!;
    const runs: Run[][] = commands.map(() => []);
    for (let round = 0; round < RUNS; round++) {
      for (const [i, command] of commands.entries()) {
        runs[i]!.push(await measure(command, telegram, env, (i + 1) * 100_000 + round * 100));
      }
    }
    const median = (values: number[]) => pct(values, 50);
    const across = (rs: Run[], f: (r: Run) => number) => median(rs.map(f));
    console.log(`\n== npm start on Telegram (private chat, ${REPLY_TOKENS}-token replies at ${1000 / TOKEN_INTERVAL_MS} tokens/s, ${REPLIES} replies${RUNS > 1 ? `; medians of ${RUNS} starts` : ''})`);
    // Wall-clock start-up is only comparable on a quiet machine: say how quiet this one was.
    console.log(`1-minute load average ${loadBefore.toFixed(1)} before, ${loadavg()[0]!.toFixed(1)} after, on ${availableParallelism()} cores`);
    for (const rs of runs) {
      console.log(
        `${rs[0]!.label.padEnd(32)} peak RSS: service ${across(rs, (r) => r.peakServiceRssMb).toFixed(0)} MB (goal ≤ ${GOALS.peakRssMb}), whole tree ${across(rs, (r) => r.peakRssMb).toFixed(0)} MB   ` +
          `start-up ${across(rs, (r) => r.startupMs).toFixed(0)} ms (goal ≤ ${GOALS.startupMs}), CPU ${across(rs, (r) => r.startupCpuMs).toFixed(0)} ms   ` +
          `first text p50 ${across(rs, (r) => pct(r.firstTextMs, 50))} ms p95 ${across(rs, (r) => pct(r.firstTextMs, 95))} ms   ` +
          `final text p50 ${across(rs, (r) => pct(r.finalTextMs, 50))} ms p95 ${across(rs, (r) => pct(r.finalTextMs, 95))} ms` +
          (RUNS > 1 ? `   (start-ups: ${rs.map((r) => r.startupMs.toFixed(0)).join(', ')} ms)` : ''),
      );
    }
  } finally {
    await Promise.all([upstream.close(), telegram.close()]);
    rmSync(dir, { recursive: true, force: true });
  }
}
