// Long polling that neither dies quietly nor spins (issue 9.5): a transient getUpdates failure
// (5xx, a reset connection) is retried with backoff; 401 (revoked token) and 409 (another
// poller) end polling with one line naming the cause, through Adapter.onFatal, and `npm start`'s
// entry point then exits 1 with that line on stderr.
import { TelegramError } from 'telegraf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollFailure } from '../../adapters/telegram/polling.js';
import { startFakeTelegram, type ApiError, type FakeTelegram } from '../fakes/telegram/server.js';
import { startFakeUpstream, type FakeUpstream } from '../fakes/upstream/server.js';
import { startMain } from '../helpers/entry-point.js';
import { startTelegramBot } from './harness.js';

const FAST_BACKOFF = { baseMs: 10, maxMs: 40 };
const CONFLICT: ApiError = { error_code: 409, description: 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running' };
const UNAUTHORIZED: ApiError = { error_code: 401, description: 'Unauthorized' };

let tg: FakeTelegram;
let upstream: FakeUpstream;

beforeAll(async () => {
  upstream = await startFakeUpstream({ chunkDelayMs: 1 });
  tg = await startFakeTelegram({ pollHoldMs: 300 });
});

afterAll(async () => {
  await tg?.close();
  await upstream?.close();
});

async function startAdapter() {
  const bot = await startTelegramBot(upstream, tg, { env: { TELEGRAM_STREAM: 'edit' }, adapter: { pollBackoff: FAST_BACKOFF } });
  return { ...bot, stop: bot.close };
}

describe('getUpdates failures (real telegraf client, fake Bot API)', () => {
  it('retries a 502 and a reset connection, then answers, with no fatal', async () => {
    const before = tg.callsOf('getUpdates').length;
    tg.failNext('getUpdates', { error_code: 502, description: 'Bad Gateway' }, 2);
    tg.dropNext('getUpdates', 1);
    const { fatal, stop } = await startAdapter();
    try {
      tg.sendUserMessage({ chatId: 91, text: 'still there?' });
      await tg.waitFor(() => tg.messagesIn(91).at(-1)?.text === 'You said: still there?');
      const polls = tg.callsOf('getUpdates').slice(before);
      expect(polls.filter((c) => c.dropped)).toHaveLength(1);
      expect(polls.filter((c) => c.error?.error_code === 502)).toHaveLength(2);
      // The reply came after the failures: any fatal would have been reported by now.
      expect(fatal).toEqual([]);
    } finally {
      await stop();
    }
  });

  it.each([
    ['409 (another poller)', CONFLICT, /another client is taking this bot's updates \(409 Conflict: terminated by other getUpdates/],
    ['401 (revoked token)', UNAUTHORIZED, /bot token was rejected \(401 Unauthorized\).*TELEGRAM_BOT_TOKEN/],
  ])('%s: reports one fatal line naming the cause and polls no more', async (_, error, expected) => {
    tg.failNext('getUpdates', error, 1);
    const { fatal, firstFatal, stop } = await startAdapter();
    const reason = await firstFatal;
    const pollsAtFatal = tg.callsOf('getUpdates').length;
    await stop();
    expect(reason).toMatch(expected);
    expect(reason).not.toContain('\n');
    expect(reason).not.toContain(tg.token);
    expect(fatal).toHaveLength(1);
    // Stopped: not even the offset confirmation (it would only fail the same way).
    expect(tg.callsOf('getUpdates').length).toBe(pollsAtFatal);
  });
});

describe('pollFailure', () => {
  const backoff = { baseMs: 100, maxMs: 1_000 };

  it('backs off exponentially (with jitter) up to the cap for 5xx and network errors', () => {
    const server = new TelegramError({ error_code: 502, description: 'Bad Gateway' });
    const network = Object.assign(new Error('request to http://x failed, reason: socket hang up'), { name: 'FetchError' });
    for (const err of [server, network]) {
      for (const [attempt, ceiling] of [[1, 100], [2, 200], [3, 400], [4, 800], [5, 1_000], [40, 1_000]] as const) {
        const next = pollFailure(err, attempt, backoff, 1_000);
        expect(next).toHaveProperty('retryInMs');
        const ms = (next as { retryInMs: number }).retryInMs;
        expect(ms).toBeGreaterThanOrEqual(ceiling / 2);
        expect(ms).toBeLessThanOrEqual(ceiling);
      }
    }
  });

  it('waits out a 429 for its retry_after', () => {
    const flood = new TelegramError({ error_code: 429, description: 'Too Many Requests: retry after 7', parameters: { retry_after: 7 } });
    expect(pollFailure(flood, 1, backoff, 1_000)).toEqual({ retryInMs: 7_000 });
  });

  it('gives up on other client errors, naming them', () => {
    expect(pollFailure(new TelegramError({ error_code: 400, description: 'Bad Request: nope' }), 1, backoff, 1_000)).toEqual({
      fatal: expect.stringContaining('400 Bad Request: nope') as unknown,
    });
  });
});

describe('npm start when Telegram reports another poller', () => {
  it('exits 1 with one line on stderr naming the 409', async () => {
    tg.failNext('getUpdates', CONFLICT, 1);
    const main = startMain({
      OPENAI_BASE_URL: upstream.url,
      OPENAI_API_KEY: 'test-key',
      LOG_LEVEL: 'info',
      TELEGRAM_BOT_TOKEN: tg.token,
      TELEGRAM_API_ROOT: tg.apiRoot,
    });
    try {
      const code = await main.exited;
      expect(code).toBe(1);
      const lines = main.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^Telegram: another client is taking this bot's updates \(409 /);
      expect(main.stdout).toContain('"msg":"a surface stopped for good"');
      expect(main.stdout).toContain('"msg":"shutting down"');
      expect(main.stdout + main.stderr).not.toContain(tg.token);
    } finally {
      await main.dispose();
    }
  });
});
