// TelegramSurface (a reply session over the Telegram transport) against the fake Bot API through
// telegraf's real client (no relay involved): the verbs the relay calls, and what Telegram ends up showing.
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { Telegraf } from 'telegraf';
import { createLogger } from '../../src/log.js';
import { markdownToTelegramHtml } from '../../src/format/telegram-html.js';
import { FloodGate } from '../../src/relay/flood-gate.js';
import { DRAFT_CADENCE, DraftSupport, TelegramSurface, type StreamMode } from '../../adapters/telegram/surface.js';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram/server.js';

const UNIT_MS = 20;
const logger = createLogger('silent');

describe('TelegramSurface', () => {
  let tg: FakeTelegram;
  let bot: Telegraf;
  let chatSeq = 100;
  let drafts: DraftSupport;

  beforeAll(async () => {
    tg = await startFakeTelegram({ secondMs: UNIT_MS });
    bot = new Telegraf(tg.token, { telegram: { apiRoot: tg.apiRoot, webhookReply: false } });
  });
  afterAll(() => tg.close());
  beforeEach(() => {
    drafts = new DraftSupport();
    tg.draftSupport = 'ok';
  });

  function surface(mode: StreamMode, chatId = ++chatSeq, extra: { threadId?: number; replyTo?: number } = {}) {
    const s = new TelegramSurface({
      api: { callApi: (m, p) => bot.telegram.callApi(m as never, p as never) },
      target: { chatId, threadId: extra.threadId, replyToMessageId: extra.replyTo },
      channel: `telegram:${chatId}`,
      mode,
      drafts,
      gate: new FloodGate(),
      retryAfterUnitMs: UNIT_MS,
      editIntervalMs: 0,
      draftIntervalMs: 0,
      logger,
    });
    return { s, chatId };
  }

  it('edit mode: first words, plain edits, then the final text as HTML', async () => {
    const { s, chatId } = surface('edit');
    const ref = await s.send('Hello **wor');
    await s.edit(ref, 'Hello **world** and `a<b`');
    expect(tg.messagesIn(chatId)[0]!.parseMode).toBeUndefined();
    await s.edit(ref, 'Hello **world** and `a<b`', { final: true });
    const [msg] = tg.messagesIn(chatId);
    expect(tg.messagesIn(chatId)).toHaveLength(1);
    expect(msg!.html).toBe(markdownToTelegramHtml('Hello **world** and `a<b`'));
    expect(msg!.text).toBe('Hello world and a<b');
  });

  it.each(['draft', 'edit'] as const)('%s mode: a complete text is one sendMessage with HTML, no draft or edit', async (mode) => {
    const { s, chatId } = surface(mode);
    const before = tg.calls.length;
    await s.send('Conversation **cleared**.', { final: true });
    await s.close();
    const methods = tg.calls.slice(before).map((c) => c.method).filter((m) => m !== 'sendChatAction');
    expect(methods).toEqual(['sendMessage']);
    expect(tg.messagesIn(chatId)).toHaveLength(1);
    expect(tg.messagesIn(chatId)[0]!.html).toBe(markdownToTelegramHtml('Conversation **cleared**.'));
  });

  it('falls back to plain text when Telegram rejects the entities, losing nothing', async () => {
    const { s, chatId } = surface('edit');
    const ref = await s.send('x *y* z');
    tg.failNext('editMessageText', { error_code: 400, description: "Bad Request: can't parse entities: Unsupported start tag \"y\" at byte offset 2" });
    await s.edit(ref, 'x *y* z & more', { final: true });
    expect(tg.messagesIn(chatId)[0]!.text).toBe('x *y* z & more');
    expect(tg.messagesIn(chatId)[0]!.parseMode).toBeUndefined();
  });

  it('ignores "message is not modified" on the final edit', async () => {
    const { s, chatId } = surface('edit');
    const ref = await s.send('**same**');
    await s.edit(ref, '**same**', { final: true });
    await expect(s.edit(ref, '**same**', { final: true })).resolves.toBeUndefined();
    expect(tg.messagesIn(chatId)[0]!.text).toBe('same');
  });

  it('waits out a 429 on the final edit and delivers', async () => {
    const { s, chatId } = surface('edit');
    const ref = await s.send('partial');
    tg.failNext('editMessageText', { error_code: 429, description: 'Too Many Requests: retry after 3', parameters: { retry_after: 3 } });
    const started = Date.now();
    await s.edit(ref, 'partial and the rest', { final: true });
    expect(Date.now() - started).toBeGreaterThanOrEqual(3 * UNIT_MS - 5);
    expect(tg.messagesIn(chatId)[0]!.text).toBe('partial and the rest');
  });

  it('skips intermediate edits while the chat is flood-blocked, then the final arrives', async () => {
    const { s, chatId } = surface('edit');
    const ref = await s.send('a');
    tg.failNext('editMessageText', { error_code: 429, description: 'Too Many Requests: retry after 5', parameters: { retry_after: 5 } });
    await s.edit(ref, 'a b');
    const editsBefore = tg.callsOf('editMessageText').length;
    await s.edit(ref, 'a b c'); // blocked: not even attempted
    expect(tg.callsOf('editMessageText').length).toBe(editsBefore);
    await s.edit(ref, 'a b c d', { final: true });
    expect(tg.messagesIn(chatId)[0]!.text).toBe('a b c d');
  });

  it('draft mode: animated drafts with one fresh non-zero id, then exactly one final message', async () => {
    const { s, chatId } = surface('draft');
    const ref = await s.send('Once');
    await s.edit(ref, 'Once upon');
    await s.edit(ref, 'Once upon a *time*', { final: true });
    await s.close();
    const draftCalls = tg.drafts.filter((d) => d.chatId === chatId);
    expect(draftCalls.map((d) => d.text)).toEqual(['Once', 'Once upon']);
    expect(new Set(draftCalls.map((d) => d.draftId)).size).toBe(1);
    expect(draftCalls[0]!.draftId).not.toBe(0);
    expect(tg.messagesIn(chatId)).toHaveLength(1);
    expect(tg.messagesIn(chatId)[0]!.html).toBe('Once upon a <i>time</i>');
    expect(tg.openDrafts(chatId)).toHaveLength(0);
  });

  it('draft mode: its pacing guard lets the one early frame through (cadence), then holds to the draft interval', async () => {
    // Only Date is faked: the surface's guard reads it; the Bot API calls run on real timers.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const chatId = ++chatSeq;
      const s = new TelegramSurface({
        api: { callApi: (m, p) => bot.telegram.callApi(m as never, p as never) },
        target: { chatId },
        channel: `telegram:${chatId}`,
        mode: 'draft',
        drafts,
        gate: new FloodGate(),
      retryAfterUnitMs: UNIT_MS,
        editIntervalMs: 0,
        draftIntervalMs: 300,
        logger,
      });
      expect(s.limits.cadence).toEqual(DRAFT_CADENCE);
      const ref = await s.send('Once');
      vi.advanceTimersByTime(DRAFT_CADENCE.minGapMs);
      await s.edit(ref, 'Once upon'); // the early frame: one gap after the first, not a whole interval
      vi.advanceTimersByTime(DRAFT_CADENCE.minGapMs);
      await s.edit(ref, 'Once upon a'); // after the burst: the draft interval applies again
      vi.advanceTimersByTime(300);
      await s.edit(ref, 'Once upon a time');
      expect(tg.drafts.filter((d) => d.chatId === chatId).map((d) => d.text)).toEqual(['Once', 'Once upon', 'Once upon a time']);
      await s.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it('uses a fresh draft id for each message of a long answer', async () => {
    const { s, chatId } = surface('draft');
    const a = await s.send('chunk one');
    await s.edit(a, 'chunk one', { final: true });
    const b = await s.send('chunk two');
    await s.edit(b, 'chunk two', { final: true });
    const ids = tg.drafts.filter((d) => d.chatId === chatId).map((d) => d.draftId);
    expect(ids).toHaveLength(2);
    expect(ids[0]).not.toBe(ids[1]);
    expect(tg.messagesIn(chatId).map((m) => m.text)).toEqual(['chunk one', 'chunk two']);
  });

  it('close() turns a draft the relay never finished into a real message', async () => {
    const { s, chatId } = surface('draft');
    await s.send('left hanging');
    await s.close();
    expect(tg.messagesIn(chatId).map((m) => m.text)).toEqual(['left hanging']);
    expect(tg.openDrafts(chatId)).toHaveLength(0);
  });

  it.each(['not-found', 'method-not-found'] as const)('falls back to edits when the server answers %s for drafts', async (answer) => {
    tg.draftSupport = answer;
    const { s, chatId } = surface('draft');
    const ref = await s.send('Hi');
    expect(s.previewing).toBe(false);
    await s.edit(ref, 'Hi there');
    await s.edit(ref, 'Hi there, **friend**', { final: true });
    expect(tg.messagesIn(chatId)).toHaveLength(1);
    expect(tg.messagesIn(chatId)[0]!.html).toBe('Hi there, <b>friend</b>');
    expect(drafts.available).toBe(false);
    // The next reply starts straight in edit mode: no draft call at all.
    const before = tg.callsOf('sendMessageDraft').length;
    const next = surface('draft').s;
    await next.send('again');
    expect(tg.callsOf('sendMessageDraft').length).toBe(before);
  });

  it('stops drafting after repeated failures', async () => {
    for (let i = 0; i < 3; i++) {
      tg.failNext('sendMessageDraft', { error_code: 500, description: 'Internal Server Error' });
      await surface('draft').s.send(`try ${i}`);
    }
    expect(drafts.available).toBe(false);
  });

  it('replies in the right topic and to the user message in groups', async () => {
    const { s, chatId } = surface('edit', -5001, { threadId: 7, replyTo: 3 });
    const ref = await s.send('in topic');
    await s.edit(ref, 'in topic', { final: true });
    expect(tg.messagesIn(chatId)[0]).toMatchObject({ threadId: 7, replyTo: 3 });
  });

  it('sends photos with a caption cut to 1,024 units and voice notes as OGG', async () => {
    const { s, chatId } = surface('edit');
    await s.sendImage({ bytes: new Uint8Array([137, 80, 78, 71]), mime: 'image/png' }, 'x'.repeat(2000));
    await s.sendAudio(new Uint8Array([79, 103, 103, 83]), 'opus');
    const [photo, voice] = tg.messagesIn(chatId);
    expect(photo!.kind).toBe('photo');
    expect(photo!.text.length).toBe(1024);
    expect(photo!.file!.filename).toBe('image.png');
    expect(voice!.kind).toBe('voice');
    expect(voice!.file!.filename).toBe('voice.ogg');
  });

  it('sends a chat action once per renew window, not per call', async () => {
    const { s, chatId } = surface('edit');
    await s.typing('typing');
    await s.typing('typing');
    await s.typing('upload_photo');
    await s.close();
    expect(tg.chatActions.filter((a) => a.chatId === chatId).map((a) => a.action)).toEqual(['typing', 'upload_photo']);
  });
});
