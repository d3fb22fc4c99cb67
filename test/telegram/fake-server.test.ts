// The fake Bot API checked against the real telegraf: if these pass, the adapter's e2e tests
// exercise telegraf's real wire behaviour, not a mock's idea of it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Telegraf, TelegramError } from 'telegraf';
import { startFakeTelegram, NOT_MODIFIED, type FakeTelegram } from '../fakes/telegram/server.js';
import { parseTelegramHtml } from '../fakes/telegram/html-entities.js';

describe('fake Telegram Bot API with the real telegraf', () => {
  let tg: FakeTelegram;
  let bot: Telegraf;
  const seen: string[] = [];

  beforeAll(async () => {
    tg = await startFakeTelegram({ pollHoldMs: 200 });
    bot = new Telegraf(tg.token, { telegram: { apiRoot: tg.apiRoot, webhookReply: false } });
    bot.on('message', async (ctx) => {
      const text = 'text' in ctx.message ? ctx.message.text : '';
      seen.push(text);
      if (text === 'ping') await ctx.reply('pong');
    });
    await new Promise<void>((resolve, reject) => {
      bot.launch(() => resolve()).catch(reject);
    });
  });

  afterAll(async () => {
    bot.stop('test');
    await tg.close();
  });

  it('delivers updates through long polling and takes the reply', async () => {
    tg.sendUserMessage({ chatId: 42, text: 'ping' });
    await tg.waitFor(() => tg.messagesIn(42).some((m) => m.text === 'pong'));
    expect(seen).toContain('ping');
    expect(tg.callsOf('deleteWebhook')).toHaveLength(1);
  });

  it('confirms updates with offset so none is delivered twice', async () => {
    tg.sendUserMessage({ chatId: 43, text: 'one' });
    tg.sendUserMessage({ chatId: 43, text: 'two' });
    await tg.waitFor(() => seen.includes('two'));
    // A later update arrives through a later getUpdates: had 'one' not been confirmed by the
    // offset, that call would have handed it over again, before 'three'.
    tg.sendUserMessage({ chatId: 43, text: 'three' });
    await tg.waitFor(() => seen.includes('three'));
    expect(seen.filter((s) => s === 'one')).toHaveLength(1);
    const offsets = tg.callsOf('getUpdates').map((c) => Number(c.payload.offset ?? 0));
    expect(Math.max(...offsets)).toBeGreaterThan(1);
  });

  it('rejects malformed HTML and answers "message is not modified"', async () => {
    const sent = await bot.telegram.sendMessage(42, '<b>bold</b> &amp; <i>it</i>', { parse_mode: 'HTML' });
    expect(tg.messages.at(-1)!.text).toBe('bold & it');
    await expect(bot.telegram.sendMessage(42, 'a < b', { parse_mode: 'HTML' })).rejects.toThrow(/can't parse entities/);
    await expect(bot.telegram.sendMessage(42, '<b>open', { parse_mode: 'HTML' })).rejects.toThrow(/can't parse entities/);
    await expect(bot.telegram.editMessageText(42, sent.message_id, undefined, '<b>bold</b> &amp; <i>it</i>', { parse_mode: 'HTML' })).rejects.toThrow(
      NOT_MODIFIED,
    );
  });

  it('enforces 4,096 UTF-16 units, counting an emoji as two', async () => {
    await expect(bot.telegram.sendMessage(42, '😀'.repeat(2049))).rejects.toThrow(/message is too long/);
    await bot.telegram.sendMessage(42, '😀'.repeat(2048));
  });

  it('answers 429 with retry_after past the per-chat limit', async () => {
    tg.rateLimit = { maxCalls: 2, windowMs: 5_000, retryAfterSec: 7 };
    try {
      await bot.telegram.sendMessage(44, 'a');
      await bot.telegram.sendMessage(44, 'b');
      const err = await bot.telegram.sendMessage(44, 'c').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TelegramError);
      expect((err as TelegramError).code).toBe(429);
      expect((err as TelegramError).parameters?.retry_after).toBe(7);
      await bot.telegram.sendMessage(45, 'other chat is fine');
    } finally {
      tg.rateLimit = undefined;
    }
  });

  it('takes multipart uploads and serves files through getFile', async () => {
    await bot.telegram.sendPhoto(42, { source: Buffer.from('PNGDATA'), filename: 'a.png' }, { caption: 'cap' });
    const photo = tg.messages.at(-1)!;
    expect(photo.kind).toBe('photo');
    expect(Buffer.from(photo.file!.bytes).toString()).toBe('PNGDATA');
    expect(photo.text).toBe('cap');
    await bot.telegram.sendVoice(42, { source: Buffer.from('OggS'), filename: 'v.ogg' });
    expect(tg.messages.at(-1)!.kind).toBe('voice');

    const { file_id } = tg.addFile(new Uint8Array([1, 2, 3]), 'photos/x.jpg');
    const link = await bot.telegram.getFileLink(file_id);
    const bytes = new Uint8Array(await (await fetch(link)).arrayBuffer());
    expect([...bytes]).toEqual([1, 2, 3]);
  });

  it('implements sendMessageDraft, closed by the next message, and can refuse it', async () => {
    await bot.telegram.callApi('sendMessageDraft' as never, { chat_id: 46, draft_id: 5, text: 'partial' } as never);
    expect(tg.openDrafts(46)).toHaveLength(1);
    await bot.telegram.sendMessage(46, 'final');
    expect(tg.openDrafts(46)).toHaveLength(0);
    await expect(bot.telegram.callApi('sendMessageDraft' as never, { chat_id: 46, draft_id: 0, text: 'x' } as never)).rejects.toThrow(
      /non-zero/,
    );
    tg.draftSupport = 'not-found';
    const err = await bot.telegram.callApi('sendMessageDraft' as never, { chat_id: 46, draft_id: 6, text: 'x' } as never).catch((e: unknown) => e);
    expect((err as TelegramError).code).toBe(404);
    tg.draftSupport = 'ok';
  });
});

describe('fake HTML entity parser', () => {
  it('parses nested tags, links and pre with a language, offsets in UTF-16 units', () => {
    const r = parseTelegramHtml('😀<b>a<i>b</i></b> <a href="https://x.y/?a=1&amp;b=2">l</a><pre><code class="language-ts">x &lt; 1</code></pre>');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.text).toBe('😀ab lx < 1');
    expect(r.entities).toContainEqual({ type: 'bold', offset: 2, length: 2 });
    expect(r.entities).toContainEqual({ type: 'italic', offset: 3, length: 1 });
    expect(r.entities).toContainEqual({ type: 'text_link', offset: 5, length: 1, url: 'https://x.y/?a=1&b=2' });
    expect(r.entities).toContainEqual({ type: 'pre', offset: 6, length: 5, language: 'ts' });
  });

  it.each([['<b>x</i>'], ['<b>x'], ['x</b>'], ['<foo>x</foo>'], ['a < b'], ['<a>x</a>'], ['<code><b>x</b></code>']])('rejects %s', (html) => {
    expect(parseTelegramHtml(html).ok).toBe(false);
  });
});
