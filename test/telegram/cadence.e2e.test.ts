// Streaming cadence end to end (issue 14): the real telegraf (inside the adapter) against the fake
// Bot API, default intervals. Counts calls and limit breaches; the timing figures are in
// `npm run bench -- cadence`, not here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeTelegram } from '../fakes/telegram/server.js';
import type { FakeUpstream } from '../fakes/upstream/server.js';
import { startTelegram, type TelegramHarness } from './harness.js';

const UNIT_MS = 20;
/** The short answer: 121 characters. */
const SHORT =
  'The answer is that the relay shows the first readable phrase as soon as the platform allows it, then paces the rest well.';
const WRITES = new Set(['sendMessageDraft', 'sendMessage', 'editMessageText']);

let h: TelegramHarness;
let tg: FakeTelegram;
let upstream: FakeUpstream;
let nextChat = 5000;

beforeAll(async () => {
  h = await startTelegram({
    upstream: { chunkDelayMs: 25 },
    telegram: { secondMs: UNIT_MS },
    adapter: { retryAfterUnitMs: UNIT_MS },
    core: { shutdownGraceMs: 500 },
  });
  ({ tg, upstream } = h);
});
afterAll(() => h?.close());

const writesIn = (chatId: number) => tg.calls.filter((c) => WRITES.has(c.method) && Number(c.payload.chat_id) === chatId);
const floodErrorsIn = (chatId: number) => tg.calls.filter((c) => c.error?.error_code === 429 && Number(c.payload.chat_id) === chatId);

describe('Telegram streaming cadence e2e', () => {
  it('DM with drafts: a 121-character answer takes at most 4 Bot API writes, the last one the answer', async () => {
    const chatId = ++nextChat;
    upstream.setReply(SHORT);
    upstream.setChunking({ tokensPerChunk: 1, chunkDelayMs: 25 });
    tg.sendUserMessage({ chatId, text: 'a short one' });
    await tg.waitFor(() => tg.messagesIn(chatId).length > 0);
    const writes = writesIn(chatId);
    expect(writes.length).toBeLessThanOrEqual(4);
    expect(writes.at(-1)!.method).toBe('sendMessage');
    expect(tg.messagesIn(chatId).map((m) => m.text)).toEqual([SHORT]);
    // Each draft extends the one before: frames grow, they never flicker back.
    const drafts = tg.drafts.filter((d) => d.chatId === chatId).map((d) => d.text);
    expect(drafts.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < drafts.length; i++) expect(drafts[i]!.startsWith(drafts[i - 1]!)).toBe(true);
    expect(floodErrorsIn(chatId)).toHaveLength(0);
  });

  it('DM by edits (no drafts), a long answer under a per-chat limit of 3 writes a second: no 429, text complete', async () => {
    tg.draftSupport = 'not-found';
    tg.rateLimit = { maxCalls: 3, windowMs: 1000, retryAfterSec: 1 };
    try {
      const chatId = ++nextChat;
      const long = Array.from({ length: 300 }, (_, i) => `word${i}`).join(' ');
      upstream.setReply(long);
      upstream.setChunking({ tokensPerChunk: 2, chunkDelayMs: 10 });
      tg.sendUserMessage({ chatId, text: 'a long one' });
      await tg.waitFor(() => tg.messagesIn(chatId).some((m) => m.text === long), 15_000);
      expect(floodErrorsIn(chatId)).toHaveLength(0);
      expect(tg.callsOf('editMessageText').filter((c) => Number(c.payload.chat_id) === chatId).length).toBeGreaterThan(1);
    } finally {
      tg.rateLimit = undefined;
    }
  });
});
