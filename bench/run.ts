// `npm run bench`: one run against the fake upstream (in a child process) and fake surfaces
// with real platform limits. Prints relay overhead, surface calls per reply and limit breaches,
// 1,000 concurrent channels (event-loop lag, RSS, CPU per 1,000 tokens), memory per stored
// conversation. Numbers, not assertions: timing claims live here, never in unit tests.
// `npm run bench -- concurrent` runs one section; BENCH_INTERVALS=50 picks the word intervals.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { createCore, type Core } from '../src/app.js';
import { loadConfig } from '../src/config/index.js';
import { OpenAIClient } from '../src/llm/client.js';
import type { ChatRequest, ChatStream, LlmClient } from '../src/llm/types.js';
import { createLogger } from '../src/log.js';
import { systemClock } from '../src/relay/clock.js';
import { MemoryStore } from '../src/store/memory.js';
import { SqliteStore } from '../src/store/sqlite.js';
import { longToken } from './long-token.js';
import { firstText } from './cadence.js';
import type { StoredTurn } from '../src/store/types.js';
import type { EditOptions, Incoming, SurfaceLimits } from '../src/types.js';
import type { FakeClock } from '../test/relay/fake-clock.js';
import { FakeSurface } from '../test/relay/fake-surface.js';
import { flood, shutdown } from './flow.js';
import { npmStart } from './npm-start.js';
import { reasoning } from './reasoning.js';
import { redisOverhead } from './redis.js';

/** Platform limits as the adapters configure them. */
const PROFILES: Record<string, Partial<SurfaceLimits>> = {
  discord: { maxChars: 2000, canEdit: true, minEditIntervalMs: 1200 },
  'telegram-dm': { maxChars: 4096, canEdit: true, minEditIntervalMs: 1000, measure: (s) => s.length },
  'telegram-group': { maxChars: 4096, canEdit: true, minEditIntervalMs: 3000, measure: (s) => s.length },
};

const OVERHEAD_REPLIES = 300;
const OVERHEAD_CONCURRENCY = 10;
const CADENCE_TOKENS = 400;
const CADENCE_TOKEN_DELAY_MS = 10;
const CADENCE_REPLIES = 10;
const CONCURRENT_CHANNELS = 1000;
const CONCURRENT_TOKENS = 200;
/** One SSE event per word: 20 ms is a fast model sending every token alone; 50 ms a typical relay. */
const CONCURRENT_WORD_INTERVALS_MS = (process.env.BENCH_INTERVALS ?? '50,20').split(',').map(Number);
const CONCURRENT_ARRIVAL_MS = 1000;
const STORED_CONVERSATIONS = 2000;
const TURNS_PER_CONVERSATION = 20;

const quiet = createLogger('silent');

function words(n: number, seed = 1): string {
  const vocab = ['the', 'model', 'streams', 'a', 'reply', 'into', 'chat', 'with', 'edits', 'under', 'limits', 'and', 'code', 'paragraphs', '你好', '世界'];
  const out: string[] = [];
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    out.push(vocab[(x >>> 16) % vocab.length]!);
    if (i % 60 === 59) out.push('\n\n');
  }
  return out.join(' ').replace(/ \n\n /g, '\n\n');
}

function pct(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

const fmt = (n: number, digits = 2) => n.toFixed(digits);

async function startUpstreamChild(opts: Record<string, unknown>, script = 'bench/upstream-child.ts'): Promise<{ url: string; child: ChildProcess }> {
  const tsx = pathToFileURL(join(process.cwd(), 'node_modules/tsx/dist/loader.mjs')).href;
  const child = spawn(process.execPath, ['--import', tsx, join(process.cwd(), script), JSON.stringify(opts)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const rl = createInterface({ input: child.stdout! });
  const line = await new Promise<string>((resolve) => rl.once('line', resolve));
  return { url: (JSON.parse(line) as { url: string }).url, child };
}

/** Stamps when the client hands over its first delta, to measure what happens after it. */
class TimedLlm implements LlmClient {
  firstDeltaAt = new Map<string, number>();
  constructor(private readonly inner: OpenAIClient) {}
  chat = (req: ChatRequest) => this.inner.chat(req);
  generateImage: LlmClient['generateImage'] = (req) => this.inner.generateImage(req);
  speech: LlmClient['speech'] = (req) => this.inner.speech(req);
  transcribe: LlmClient['transcribe'] = (req) => this.inner.transcribe(req);
  listModels: LlmClient['listModels'] = (o) => this.inner.listModels(o);
  streamChat(req: ChatRequest): ChatStream {
    const stream = this.inner.streamChat(req);
    const stamps = this.firstDeltaAt;
    const channel = (req.messages.at(-1)?.content as string) ?? '';
    return {
      get finishReason() {
        return stream.finishReason;
      },
      get usage() {
        return stream.usage;
      },
      get text() {
        return stream.text;
      },
      async *[Symbol.asyncIterator]() {
        for await (const d of stream) {
          if (!stamps.has(channel)) stamps.set(channel, performance.now());
          yield d;
        }
      },
    };
  }
}

class BenchSurface extends FakeSurface {
  firstCallAt?: number;
  constructor(limits: Partial<SurfaceLimits>, channel: string) {
    super({ clock: systemClock as unknown as FakeClock, limits, channel, platform: 'discord' });
  }
  override async send(text: string, opts?: EditOptions) {
    this.firstCallAt ??= performance.now();
    return super.send(text, opts);
  }
  override async typing() {}
}

function msg(channel: string, text: string): Incoming {
  return { platform: 'discord', channel, user: { id: `u-${channel}`, name: 'bench' }, text, mentionsBot: true, isDirect: false, replyToBot: false };
}

async function makeCore(url: string, llm?: LlmClient): Promise<Core> {
  const config = loadConfig({
    OPENAI_BASE_URL: url,
    OPENAI_API_KEY: 'bench-key',
    HISTORY_STORE: 'memory',
    LOG_LEVEL: 'silent',
    RATE_LIMIT_PER_MINUTE: '0',
    LLM_MAX_RETRIES: '0',
    // These sections measure the relay with every channel streaming at once, so no global cap.
    PROVIDER_CONCURRENCY: '10000',
  });
  return createCore(config, { logger: quiet, llm });
}

async function relayOverhead() {
  const up = await startUpstreamChild({ reply: words(20), tokensPerChunk: 1, chunkDelayMs: 1 });
  const client = new OpenAIClient({ baseUrl: up.url, apiKey: 'bench-key', maxRetries: 0 });
  const timed = new TimedLlm(client);
  const core = await makeCore(up.url, timed);
  const overhead: number[] = [];
  // A few channels at a time: each reply's final edit waits out Discord's edit interval, and a
  // handful of concurrent replies is the quiet-server case this number is about.
  for (let round = 0; round < OVERHEAD_REPLIES / OVERHEAD_CONCURRENCY; round++) {
    await Promise.all(
      Array.from({ length: OVERHEAD_CONCURRENCY }, async (_, k) => {
        const channel = `overhead-${round}-${k}`;
        const s = new BenchSurface(PROFILES.discord!, channel);
        await core.manager.handle(msg(channel, channel), s);
        const first = timed.firstDeltaAt.get(channel);
        if (first !== undefined && s.firstCallAt !== undefined) overhead.push(s.firstCallAt - first);
      }),
    );
  }
  await core.close();
  await client.close();
  up.child.kill('SIGTERM');
  console.log(`\n== relay overhead: first delta from the client -> first surface call (${overhead.length} replies)`);
  console.log(`p50 ${fmt(pct(overhead, 50), 3)} ms   p99 ${fmt(pct(overhead, 99), 3)} ms   (goal < 5 ms p50)`);
}

async function cadence() {
  console.log(`\n== surface calls per reply (${CADENCE_REPLIES} replies of ${CADENCE_TOKENS} words at ${CADENCE_TOKEN_DELAY_MS} ms/word, plus one 5,000+ char answer)`);
  for (const [name, limits] of Object.entries(PROFILES)) {
    for (const [label, reply, n] of [
      ['normal', words(CADENCE_TOKENS), CADENCE_REPLIES],
      ['long', `${words(700, 7)}\n\n\`\`\`ts\n${'const x = 1;\n'.repeat(120)}\`\`\`\n\n${words(200, 9)}`, 1],
    ] as const) {
      const up = await startUpstreamChild({ reply, tokensPerChunk: 1, chunkDelayMs: CADENCE_TOKEN_DELAY_MS });
      const core = await makeCore(up.url);
      const surfaces = Array.from({ length: n }, (_, i) => new BenchSurface(limits, `${name}-${label}-${i}`));
      const started = performance.now();
      await Promise.all(surfaces.map((s) => core.manager.handle(msg(s.channel, 'go'), s)));
      const elapsed = performance.now() - started;
      await core.close();
      up.child.kill('SIGTERM');
      const calls = surfaces.map((s) => s.messages.reduce((k, m) => k + m.writes.length, 0));
      const msgs = surfaces.map((s) => s.messages.length);
      const intervals: number[] = [];
      for (const s of surfaces) for (const m of s.messages) for (let i = 1; i < m.writes.length; i++) intervals.push(m.writes[i]!.at - m.writes[i - 1]!.at);
      const breaches = surfaces.flatMap((s) => {
        try {
          s.assertClean();
          return [];
        } catch (e) {
          return [(e as Error).message];
        }
      });
      console.log(
        `${name.padEnd(15)} ${label.padEnd(6)} chars ${reply.length}  messages/reply ${fmt(msgs.reduce((a, b) => a + b, 0) / n, 1)}  ` +
          `calls/reply ${fmt(calls.reduce((a, b) => a + b, 0) / n, 1)}  edit interval p50 ${fmt(pct(intervals, 50), 0)} ms min ${fmt(Math.min(...intervals), 0)} ms  ` +
          `stream ${fmt(elapsed / 1000, 1)} s  limit breaches: ${breaches.length === 0 ? 'none' : breaches.join('; ')}`,
      );
    }
  }
}

async function concurrentAt(intervalMs: number) {
  const up = await startUpstreamChild({ words: words(CONCURRENT_TOKENS, 3).split(' '), intervalMs }, 'bench/load-upstream.ts');
  const core = await makeCore(up.url);
  const surfaces = Array.from({ length: CONCURRENT_CHANNELS }, (_, i) => new BenchSurface(PROFILES.discord!, `c-${i}`));
  global.gc?.();
  const lag = monitorEventLoopDelay({ resolution: 10 });
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  lag.enable();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  // Messages arrive over the first second (1,000 a second), as from many users, not in one
  // tick; every reply then streams for ~4 s, so all 1,000 overlap for most of the run.
  await Promise.all(
    surfaces.map(async (s, i) => {
      await sleep((i * CONCURRENT_ARRIVAL_MS) / CONCURRENT_CHANNELS);
      await core.manager.handle(msg(s.channel, 'go'), s);
    }),
  );
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  lag.disable();
  clearInterval(sampler);
  const complete = surfaces.filter((s) => s.finalTexts.join('').replace(/\s+/g, '').length > 0).length;
  const breaches = surfaces.filter((s) => {
    try {
      s.assertClean();
      return false;
    } catch {
      return true;
    }
  }).length;
  await core.close();
  up.child.kill('SIGTERM');
  const tokens = CONCURRENT_CHANNELS * CONCURRENT_TOKENS;
  console.log(`\n== ${CONCURRENT_CHANNELS} channels streaming at once (arriving over ${CONCURRENT_ARRIVAL_MS} ms; ${CONCURRENT_TOKENS} words each at ${intervalMs} ms/word = ${Math.round((CONCURRENT_CHANNELS * 1000) / intervalMs)} SSE events/s in all; Discord limits)`);
  console.log(
    `event-loop lag p99 ${fmt(lag.percentile(99) / 1e6, 1)} ms (goal < 50)   max ${fmt(lag.max / 1e6, 1)} ms   peak RSS ${fmt(peakRss / 2 ** 20, 0)} MiB   ` +
      `CPU ${fmt(((cpu.user + cpu.system) / 1000 / tokens) * 1000, 1)} ms per 1,000 tokens   wall ${fmt(wall / 1000, 1)} s   ` +
      `replies complete ${complete}/${CONCURRENT_CHANNELS}   surfaces with breaches ${breaches}`,
  );
}

function conversation(i: number): StoredTurn[] {
  return Array.from({ length: TURNS_PER_CONVERSATION }, (_, k) => ({
    role: k % 2 === 0 ? 'user' : 'assistant',
    content: k % 2 === 0 ? words(25, i * 100 + k) : words(90, i * 100 + k),
    at: Date.now(),
    ...(k % 2 === 0 ? { name: `user_${i}` } : {}),
  }));
}

async function memoryPerConversation() {
  const avgChars = conversation(0).reduce((n, t) => n + t.content.length, 0);
  global.gc?.();
  const before = process.memoryUsage().heapUsed;
  const store = new MemoryStore({ maxChannels: STORED_CONVERSATIONS * 2 });
  for (let i = 0; i < STORED_CONVERSATIONS; i++) await store.append(`m-${i}`, conversation(i), 40);
  global.gc?.();
  const after = process.memoryUsage().heapUsed;
  const perConv = (after - before) / STORED_CONVERSATIONS;

  const dir = mkdtempSync(join(tmpdir(), 'parley-bench-'));
  const sqlite = new SqliteStore(dir);
  for (let i = 0; i < STORED_CONVERSATIONS; i++) await sqlite.append(`s-${i}`, conversation(i), 40);
  await sqlite.close();
  const bytes = statSync(join(dir, 'parley.sqlite')).size;
  rmSync(dir, { recursive: true, force: true });
  console.log(`\n== memory per stored ${TURNS_PER_CONVERSATION}-turn conversation (${avgChars} chars of text each, ${STORED_CONVERSATIONS} conversations)`);
  console.log(
    `memory store heap ${fmt(perConv / 1024, 1)} KB per conversation (goal < 20 KB)${global.gc ? '' : ' [run with --expose-gc for exact numbers]'}   ` +
      `sqlite file ${fmt(bytes / STORED_CONVERSATIONS / 1024, 1)} KB per conversation`,
  );
  void store.close();
}

async function concurrent() {
  for (const ms of CONCURRENT_WORD_INTERVALS_MS) await concurrentAt(ms);
}

const SECTIONS: Record<string, () => Promise<void>> = {
  memory: memoryPerConversation,
  overhead: relayOverhead,
  cadence,
  concurrent,
  flood,
  shutdown,
  'npm-start': npmStart,
};
/** `npm run bench -- concurrent` runs one section; no argument runs them all. */
SECTIONS['long-token'] = longToken;
SECTIONS['first-text'] = firstText;
SECTIONS.reasoning = reasoning;
SECTIONS.redis = redisOverhead;
const chosen = process.argv.slice(2).filter((a) => a in SECTIONS);
console.log(`parley bench  node ${process.version}  ${new Date().toISOString()}`);
for (const name of chosen.length > 0 ? chosen : Object.keys(SECTIONS)) await SECTIONS[name]!();
process.exit(0);
