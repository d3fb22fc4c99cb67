// `npm run bench -- npm-start`: the production start against the fake Telegram Bot API and the
// fake upstream (private chat, ~25-token replies at ~40 tokens/s). Spawns `npm start` and, for
// comparison, the old way (npm + tsx) and node alone (Docker, systemd), and prints for each: peak RSS of the whole process tree
// (npm and everything under it), start-up until "polling for updates", and per reply the time
// to the first text and to the final text on Telegram.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startFakeTelegram, type FakeTelegram } from '../test/fakes/telegram/server.js';
import { startFakeUpstream } from '../test/fakes/upstream/server.js';

const REPLY_TOKENS = 25;
const TOKEN_INTERVAL_MS = 25; // 40 tokens/s
const REPLIES = 8;
const RSS_SAMPLE_MS = 10;
const GOALS = { peakRssMb: 90, startupMs: 1000 };

/** Resident memory of `pid` and all its descendants, and of the descendants alone, in bytes (Linux /proc). */
function treeRss(root: number): { all: number; below: number } {
  const children = new Map<number, number[]>();
  const rss = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const status = readFileSync(`/proc/${name}/status`, 'utf8');
      const ppid = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]);
      const kb = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
      rss.set(Number(name), kb * 1024);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
    } catch {
      // the process ended while we looked
    }
  }
  let below = 0;
  const stack = [...(children.get(root) ?? [])];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    below += rss.get(pid) ?? 0;
    stack.push(...(children.get(pid) ?? []));
  }
  return { all: below + (rss.get(root) ?? 0), below };
}

const pct = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))] ?? NaN;

interface Run {
  label: string;
  /** npm and everything under it. */
  peakRssMb: number;
  /** What npm started (the service), without npm itself; the whole tree when npm is not the root. */
  peakServiceRssMb: number;
  startupMs: number;
  firstTextMs: number[];
  finalTextMs: number[];
}

async function measure(label: string, command: string[], telegram: FakeTelegram, env: Record<string, string>, chatBase: number): Promise<Run> {
  const started = performance.now();
  const child: ChildProcess = spawn(command[0]!, command.slice(1), { env: { ...env, PATH: process.env.PATH!, HOME: process.env.HOME! }, detached: true });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
  let peak = 0;
  let peakService = 0;
  const sampler = setInterval(() => {
    const rss = treeRss(child.pid!);
    peak = Math.max(peak, rss.all);
    peakService = Math.max(peakService, rss.below);
  }, RSS_SAMPLE_MS);
  await telegram.waitFor(() => out.includes('polling for updates'), 30_000);
  const startupMs = performance.now() - started;

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
  return { label, peakRssMb: peak / 2 ** 20, peakServiceRssMb: service / 2 ** 20, startupMs, firstTextMs, finalTextMs };
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
  try {
    const runs = [
      await measure('npm start (compiled)', ['npm', 'start'], telegram, env, 10_000),
      await measure('npm + tsx (the old npm start)', ['npm', 'exec', '--', 'tsx', 'src/main.ts'], telegram, env, 20_000),
      // What the Docker image and the systemd unit run: no npm at all.
      await measure('node (Docker, systemd)', ['node', '--liftoff-only', '--max-semi-space-size=2', 'dist/src/main.js'], telegram, env, 30_000),
    ];
    console.log(`\n== npm start on Telegram (private chat, ${REPLY_TOKENS}-token replies at ${1000 / TOKEN_INTERVAL_MS} tokens/s, ${REPLIES} replies)`);
    for (const r of runs) {
      console.log(
        `${r.label.padEnd(32)} peak RSS: service ${r.peakServiceRssMb.toFixed(0)} MB (goal ≤ ${GOALS.peakRssMb}), whole tree ${r.peakRssMb.toFixed(0)} MB   start-up ${r.startupMs.toFixed(0)} ms (goal ≤ ${GOALS.startupMs})   ` +
          `first text p50 ${pct(r.firstTextMs, 50)} ms p95 ${pct(r.firstTextMs, 95)} ms   final text p50 ${pct(r.finalTextMs, 50)} ms p95 ${pct(r.finalTextMs, 95)} ms`,
      );
    }
  } finally {
    await Promise.all([upstream.close(), telegram.close()]);
    rmSync(dir, { recursive: true, force: true });
  }
}
