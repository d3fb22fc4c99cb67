// `npm run bench -- first-text`: how soon a streamed answer becomes readable on each surface
// (issue 14). The question arrives at 0; the model's first token comes 55 ms later, then one every
// 25 ms (~40 tokens/s). Per surface: time to the first token, to the first text shown, to the
// first text holding the answer's first two words, to the final text; platform calls per reply
// and limit breaches, for a 121-character answer (5 runs) and a long one.
// Telegram runs the real TelegramSurface over telegraf's client against the fake Bot API
// (enforcing a per-chat limit); Discord the real DiscordSurface with a 20 ms round trip and
// Discord's 5 edits per 5 s per channel counted; the console the real ConsoleSurface.
import { Writable } from 'node:stream';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Telegram } from 'telegraf';
import { DiscordTransport, type OutgoingBody } from '../adapters/discord/surface.js';
import { ConsoleTransport } from '../adapters/console/surface.js';
import { FloodGate } from '../src/relay/flood-gate.js';
import { ReplySession } from '../src/relay/reply-session.js';
import { DraftSupport, TelegramSurface, type StreamMode } from '../adapters/telegram/surface.js';
import { createLogger } from '../src/log.js';
import { StreamRelay } from '../src/relay/index.js';
import type { Surface } from '../src/types.js';
import { RateLimiter } from '../test/fakes/discord/ratelimit.js';
import { startFakeTelegram, type FakeTelegram } from '../test/fakes/telegram/server.js';

const SHORT = 'The answer is that the relay shows the first readable phrase as soon as the platform allows it, then paces the rest well.';
const LONG = Array.from({ length: 24 }, () => SHORT).join(' ');
const FIRST_TOKEN_MS = 55;
const TOKEN_MS = 25;
const SHORT_RUNS = 5;
const DISCORD_ROUND_TRIP_MS = 20;
/** Telegram's documented pace for one chat: about one message a second, short bursts tolerated. */
const TELEGRAM_CHAT_LIMIT = { maxCalls: 3, windowMs: 1000, retryAfterSec: 1 };

const quiet = createLogger('silent');
const firstTwoWords = (text: string) => text.split(/\s+/).slice(0, 2).join(' ');

/** The model: one word per token, its space trailing (so the first frame can hold one word only). */
async function* tokens(text: string, stamp: { firstTokenAt?: number }, t0: number): AsyncGenerator<string> {
  const parts = text.match(/\S+\s*/g) ?? [];
  for (let i = 0; i < parts.length; i++) {
    await sleep(Math.max(0, t0 + FIRST_TOKEN_MS + i * TOKEN_MS - performance.now()));
    stamp.firstTokenAt ??= performance.now() - t0;
    yield parts[i]!;
  }
}

/** A write the user can see: when it landed and what it showed. */
interface Shown {
  at: number;
  text: string;
}

interface Figures {
  firstToken: number;
  firstText: number;
  twoWords: number;
  final: number;
  calls: number;
  breaches: number;
}

interface Harness {
  surface: Surface;
  shown: Shown[];
  calls: () => number;
  breaches: () => number;
}

async function run(name: string, make: (t0: number) => Harness, text: string): Promise<Figures> {
  const t0 = performance.now();
  const stamp: { firstTokenAt?: number } = {};
  const h = make(t0);
  await new StreamRelay({ logger: quiet }).pipe(tokens(text, stamp, t0), h.surface);
  await h.surface.close?.();
  const words = firstTwoWords(text);
  const final = h.shown.findLast(() => true);
  if (!final) throw new Error(`${name}: nothing shown`);
  return {
    firstToken: stamp.firstTokenAt ?? NaN,
    firstText: h.shown[0]?.at ?? NaN,
    twoWords: h.shown.find((s) => s.text.startsWith(words))?.at ?? NaN,
    final: final.at,
    calls: h.calls(),
    breaches: h.breaches(),
  };
}

let nextChat = 1;
function telegramHarness(tg: FakeTelegram, mode: StreamMode, group: boolean, editIntervalMs: number): (t0: number) => Harness {
  return (t0) => {
    const chatId = group ? -1_000_000 - nextChat++ : nextChat++;
    const shown: Shown[] = [];
    const telegram = new Telegram(tg.token, { apiRoot: tg.apiRoot });
    const api = {
      async callApi(method: string, payload: Record<string, unknown>) {
        const result = await telegram.callApi(method as never, payload as never);
        if (method === 'sendMessageDraft' || method === 'sendMessage' || method === 'editMessageText') {
          shown.push({ at: performance.now() - t0, text: String(payload.text).replace(/<[^>]+>/g, '') });
        }
        return result;
      },
    };
    const surface = new TelegramSurface({
      api,
      target: { chatId },
      channel: `telegram:${chatId}`,
      mode,
      drafts: new DraftSupport(),
      gate: new FloodGate(),
      editIntervalMs,
      draftIntervalMs: 300,
      logger: quiet,
    });
    const ofChat = () => tg.calls.filter((c) => Number(c.payload.chat_id) === chatId);
    return {
      surface,
      shown,
      calls: () => ofChat().filter((c) => c.method !== 'sendChatAction').length,
      breaches: () => ofChat().filter((c) => c.error?.error_code === 429).length,
    };
  };
}

class BenchDiscordTransport extends DiscordTransport<number> {
  readonly shownAt: Shown[] = [];
  calls = 0;
  breaches = 0;
  private nextId = 1;
  private readonly limiter = new RateLimiter({ limit: 5, windowMs: 5000 });
  constructor(private readonly t0: number) {
    super({ channel: `discord:${t0}`, editIntervalMs: 1200, pingAuthor: false, logger: quiet });
  }
  protected async postBody(body: OutgoingBody): Promise<number> {
    return this.write('POST', body);
  }
  protected async patchBody(_ref: number, body: OutgoingBody): Promise<void> {
    await this.write('PATCH', body);
  }
  private async write(route: string, body: OutgoingBody): Promise<number> {
    this.calls++;
    if (!this.limiter.take(route, this.channel).allowed) this.breaches++;
    await sleep(DISCORD_ROUND_TRIP_MS);
    this.shownAt.push({ at: performance.now() - this.t0, text: body.content ?? '' });
    return this.nextId++;
  }
}

function discordHarness(t0: number): Harness {
  const transport = new BenchDiscordTransport(t0);
  const surface = new ReplySession(transport, { logger: quiet });
  return { surface, shown: transport.shownAt, calls: () => transport.calls, breaches: () => transport.breaches };
}

function consoleHarness(t0: number): Harness {
  const shown: Shown[] = [];
  let printed = '';
  let writes = 0;
  const out = new Writable({
    write(chunk: Buffer, _enc, done) {
      writes++;
      printed += chunk.toString();
      shown.push({ at: performance.now() - t0, text: printed.trimStart() });
      done();
    },
  });
  const surface = new ReplySession(new ConsoleTransport({ out, outputDir: '.' }), { logger: quiet });
  return { surface, shown, calls: () => writes, breaches: () => 0 };
}

const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const ms = (x: number) => `${x.toFixed(0).padStart(5)} ms`;

export async function firstText(): Promise<void> {
  console.log(
    `\n== first text (issue 14): first token ${FIRST_TOKEN_MS} ms after the question, then one every ${TOKEN_MS} ms; ` +
      `short = ${SHORT.length} chars (mean of ${SHORT_RUNS} runs), long = ${LONG.length} chars. Goal, Telegram DM: two words <= 150 ms, <= 4 calls.`,
  );
  const tg = await startFakeTelegram({ pollHoldMs: 50, secondMs: 1000 });
  tg.rateLimit = TELEGRAM_CHAT_LIMIT;
  try {
    const surfaces: Record<string, (t0: number) => Harness> = {
      'telegram DM draft': telegramHarness(tg, 'draft', false, 1000),
      'telegram DM edit': telegramHarness(tg, 'edit', false, 1000),
      'telegram group': telegramHarness(tg, 'edit', true, 3000),
      discord: discordHarness,
      console: consoleHarness,
    };
    for (const [name, make] of Object.entries(surfaces)) {
      for (const [label, text, runs] of [
        ['short', SHORT, SHORT_RUNS],
        ['long', LONG, 1],
      ] as const) {
        const figures: Figures[] = [];
        for (let i = 0; i < runs; i++) figures.push(await run(name, make, text));
        const mean = (k: keyof Figures) => avg(figures.map((f) => f[k]));
        console.log(
          `${name.padEnd(18)} ${label.padEnd(5)} first token ${ms(mean('firstToken'))}  first text ${ms(mean('firstText'))}  ` +
            `two words ${ms(mean('twoWords'))}  final ${ms(mean('final'))}  calls/reply ${mean('calls').toFixed(1).padStart(5)}  ` +
            `limit breaches ${figures.reduce((k, f) => k + f.breaches, 0)}`,
        );
      }
    }
  } finally {
    await tg.close();
  }
}
