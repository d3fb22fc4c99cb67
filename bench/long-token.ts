// `npm run bench -- long-token`: a reply of 1 MB in one unbroken token, and 1 MB of prose in one
// paragraph, streamed through the relay to each kind of surface (Discord-like 2,000 chars,
// Telegram-like 4,096 UTF-16 units rendered to HTML, MUD line mode at 76 columns, and the real
// console transport behind its reply session, printing to an 80-column terminal).
// Reports the CPU each reply costs and the event-loop lag other channels would see meanwhile
// (a timer ticking as other channels' work would). Goal: <= 200 ms CPU, lag p99 < 50 ms.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { setImmediate as nextMacrotask } from 'node:timers/promises';
import { ConsoleTransport } from '../adapters/console/surface.js';
import { markdownToTelegramHtml } from '../src/format/telegram-html.js';
import { createLogger } from '../src/log.js';
import { StreamRelay } from '../src/relay/index.js';
import { ReplySession } from '../src/relay/reply-session.js';
import type { AudioFormat, EditOptions, ImageOutput, MessageRef, Platform, Surface, SurfaceLimits } from '../src/types.js';

const MB = 1 << 20;
/** Bytes per SSE delta: a fast upstream's network reads, each its own event-loop turn. */
const DELTA_CHARS = 256;

const INPUTS: Record<string, () => string> = {
  'single token': () => 'x'.repeat(MB),
  'CJK token': () => '中文字'.repeat(Math.floor(MB / 9)),
  prose: () => 'word '.repeat(MB / 5),
  // Lines of prose: every line end is a place a path may change (once it sent a console frame to the grapheme segmenter).
  'prose lines': () => `${'word '.repeat(79)}word\n`.repeat(MB / 400).slice(0, MB),
  // As models write: emphasis, code spans and links every few words (entities a cut must not break).
  markdown: () => 'Some **bold** text, a `code span` and [a link](https://example.com/x). '.repeat(MB / 70).slice(0, MB),
  // One marker never closed: no cut before it may be taken as balanced (once cubic in MUD line mode).
  'open marker': () => `*${'word '.repeat(MB / 5)}`.slice(0, MB),
};

/** Columns of the terminal the console prints to (an interactive session wraps between words). */
const TERMINAL_COLUMNS = 80;

const SURFACES: Record<string, { platform: Platform; limits: SurfaceLimits; render?: (text: string) => string }> = {
  discord: { platform: 'discord', limits: { maxChars: 2000, canEdit: true, minEditIntervalMs: 0, measure: (s) => s.length } },
  telegram: { platform: 'telegram', limits: { maxChars: 4096, canEdit: true, minEditIntervalMs: 0, measure: (s) => s.length }, render: markdownToTelegramHtml },
  mud: {
    platform: 'mud',
    limits: { maxChars: 4000, canEdit: false, minEditIntervalMs: 0, lineMode: { width: 76, pacingMs: 0, fits: (l) => Buffer.byteLength(l) <= 200 } },
  },
};

/**
 * The console as it runs: its transport (limits, append-only printing, word wrapping) behind the
 * reply session every adapter uses, writing to a sink that only counts. Its own limits, not a
 * copy of them: the bench then follows the real surface.
 */
function consoleSurface(): Surface {
  const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
  const transport = new ConsoleTransport({ out: sink, outputDir: 'bench-out', columns: () => TERMINAL_COLUMNS });
  return new ReplySession(transport, { logger: createLogger('silent') });
}

const KINDS = [...Object.keys(SURFACES), 'console'];

function surfaceFor(kind: string): Surface {
  if (kind === 'console') return consoleSurface();
  const spec = SURFACES[kind]!;
  return new CountingSurface(spec.platform, `long-${kind}`, spec.limits, spec.render);
}

/** Counts writes and renders what the platform would render; nothing else, so the relay's cost shows. */
class CountingSurface implements Surface {
  readonly commandPrefix = '/';
  writes = 0;
  rendered = 0;
  private nextId = 1;
  constructor(
    readonly platform: Platform,
    readonly channel: string,
    readonly limits: SurfaceLimits,
    private readonly render?: (text: string) => string,
  ) {}
  async send(text: string, _opts?: EditOptions): Promise<MessageRef> {
    this.write(text);
    return { id: String(this.nextId++) };
  }
  async edit(_ref: MessageRef, text: string, opts?: EditOptions): Promise<void> {
    // Telegram renders markup on the final edit; drafts go as plain text.
    this.write(opts?.final ? text : '');
  }
  async sendImage(_image: ImageOutput): Promise<void> {}
  async sendAudio(_bytes: Uint8Array, _format: AudioFormat): Promise<void> {}
  async typing(): Promise<void> {}
  private write(text: string): void {
    this.writes++;
    if (this.render && text) this.rendered += this.render(text).length;
  }
}

async function* deltasOf(text: string): AsyncGenerator<string> {
  for (let i = 0; i < text.length; i += DELTA_CHARS) {
    await nextMacrotask();
    yield text.slice(i, i + DELTA_CHARS);
  }
}

interface Run {
  ms: number;
  lagP99: number;
  lagMax: number;
  sent: number;
  complete: boolean;
}

/** BENCH_LONG_RUNS: runs per case (default 3); one run's CPU on a shared 2-core machine varies by tens of ms. */
const RUNS = Math.max(1, Number(process.env.BENCH_LONG_RUNS ?? 3));

async function repeat<T>(run: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < RUNS; i++) out.push(await run(i));
  return out;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** CPU of the delta feed alone (slicing and one macrotask per delta): the bench's, not the relay's. */
async function feedCost(text: string, afterFullGc = false): Promise<number> {
  if (afterFullGc) global.gc?.();
  const cpu0 = process.cpuUsage();
  for await (const _delta of deltasOf(text)) {
    // consumed and dropped: only the feed's own cost is measured
  }
  const cpu = process.cpuUsage(cpu0);
  return (cpu.user + cpu.system) / 1000;
}

/** BENCH_LONG_PROFILE=<dir>: one V8 CPU profile per streamed 1 MB reply, of that reply alone (no start-up, no warm-up). */
const PROFILE_DIR = process.env.BENCH_LONG_PROFILE;

async function startProfile(): Promise<Session> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  return session;
}

async function stopProfile(session: Session, file: string): Promise<void> {
  const { profile } = await session.post('Profiler.stop');
  session.disconnect();
  writeFileSync(file, JSON.stringify(profile));
  console.log(`  profile: ${file}`);
}

/**
 * One reply to one fresh surface: CPU of this process, and event-loop lag while it ran.
 * `afterFullGc`: a full collection first, as V8 runs on an idle process; it drops the relay's
 * optimized code and type feedback, so the reply also pays V8 re-optimizing it: 100-230 ms more
 * here for 0.5, 1, 2 or 4 MB alike, mostly on V8's own threads (CPU then exceeds wall time by
 * about that much; a warm run's CPU equals its wall time), so a fixed cost, not one per byte.
 */
async function measure(text: string, kind: string, streamed: boolean, opts: { profileTo?: string; afterFullGc?: boolean } = {}): Promise<Run> {
  const { profileTo, afterFullGc = false } = opts;
  const surface = surfaceFor(kind);
  const relay = new StreamRelay();
  if (afterFullGc) global.gc?.();
  const lag = monitorEventLoopDelay({ resolution: 5 });
  lag.enable();
  const profiler = profileTo ? await startProfile() : undefined;
  const cpu0 = process.cpuUsage();
  const result = streamed ? await relay.pipe(deltasOf(text), surface) : await relay.deliver(text, surface);
  await surface.close?.();
  const cpu = process.cpuUsage(cpu0);
  lag.disable();
  if (profiler && profileTo) await stopProfile(profiler, profileTo);
  return {
    ms: (cpu.user + cpu.system) / 1000,
    lagP99: lag.percentile(99) / 1e6,
    lagMax: lag.max / 1e6,
    sent: result.sentMessages,
    complete: result.text.length === text.length,
  };
}

export async function longToken(): Promise<void> {
  console.log(
    `\n== long token: 1 MB replies (UTF-8) as a finished text and streamed in ${DELTA_CHARS}-char deltas (goal: <= 200 ms CPU per reply, lag p99 < 50 ms)`,
  );
  console.log(
    `CPU is the whole process; "relay" subtracts the delta feed's own cost (measured per input). Each case warms up on 64 KB and on one full reply, ` +
      `then runs ${RUNS} times (the median CPU: a service that has been answering), then once right after a full GC ("after GC": V8 re-optimizes ` +
      'the relay, mostly on its own threads, a fixed cost of about 100-200 ms whatever the reply\'s length). "relay" is an estimate within a few ms. ' +
      'Lag: the worst of all runs.',
  );
  // BENCH_LONG_ONLY=prose/discord (either part may be left out) runs the matching cases, e.g. to profile one.
  const [onlyInput, onlyKind] = (process.env.BENCH_LONG_ONLY ?? '').split('/');
  for (const [inputName, make] of Object.entries(INPUTS)) {
    if (onlyInput && !inputName.startsWith(onlyInput)) continue;
    const text = make();
    await feedCost(text);
    const feed = median(await repeat(() => feedCost(text)));
    const feedAfterGc = await feedCost(text, true);
    console.log(`${inputName.padEnd(13)} feed alone          CPU ${feed.toFixed(0).padStart(5)} ms   after GC ${feedAfterGc.toFixed(0).padStart(4)} ms`);
    for (const kind of KINDS) {
      if (onlyKind && kind !== onlyKind) continue;
      for (const streamed of [false, true]) await reportCase(text, inputName, kind, streamed, streamed ? { feed, feedAfterGc } : undefined);
    }
  }
}

async function reportCase(text: string, inputName: string, kind: string, streamed: boolean, feed?: { feed: number; feedAfterGc: number }): Promise<void> {
  await measure(text.slice(0, 64 * 1024), kind, streamed);
  await measure(text, kind, streamed);
  const profileTo = PROFILE_DIR && streamed ? `${PROFILE_DIR}/${inputName.replace(' ', '-')}-${kind}.cpuprofile` : undefined;
  const runs = await repeat((i) => measure(text, kind, streamed, { profileTo: i === 0 ? profileTo : undefined }));
  const afterGc = await measure(text, kind, streamed, { afterFullGc: true });
  const all = [...runs, afterGc];
  const ms = median(runs.map((r) => r.ms));
  const lagP99 = Math.max(...all.map((r) => r.lagP99));
  const lagMax = Math.max(...all.map((r) => r.lagMax));
  const complete = all.every((r) => r.complete);
  const relay = feed
    ? `relay ${(ms - feed.feed).toFixed(0).padStart(4)} ms   after GC: CPU ${afterGc.ms.toFixed(0).padStart(4)} ms relay ${(afterGc.ms - feed.feedAfterGc).toFixed(0).padStart(4)} ms   `
    : ''.padEnd(57);
  const unit = kind === 'mud' ? 'lines' : 'messages';
  console.log(
    `${inputName.padEnd(13)} ${kind.padEnd(9)} ${(streamed ? 'streamed' : 'finished').padEnd(9)} CPU ${ms.toFixed(0).padStart(5)} ms   ${relay}` +
      (streamed ? `lag p99 ${lagP99.toFixed(1).padStart(6)} ms   max ${lagMax.toFixed(1).padStart(7)} ms` : 'one loop turn (no lag sample)'.padEnd(36)) +
      `   ${runs[0]!.sent} ${unit}${complete ? '' : '   TEXT LOST'}`,
  );
}
