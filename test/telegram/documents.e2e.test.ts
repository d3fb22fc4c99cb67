// Text files sent as Telegram documents, end to end: the real telegraf in our adapter against
// the fake Bot API (document messages, getFile, file download) and the fake upstream.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeTelegram } from '../fakes/telegram/server.js';
import type { FakeUpstream } from '../fakes/upstream/server.js';
import { startTelegram, type TelegramHarness } from './harness.js';

const TEXT_LIMIT = 1024;

describe('telegram: text documents', () => {
  let h: TelegramHarness;
  let upstream: FakeUpstream;
  let tg: FakeTelegram;

  beforeAll(async () => {
    h = await startTelegram({
      upstream: { reply: 'got it' },
      env: { LLM_MAX_RETRIES: '0', TELEGRAM_STREAM: 'off', TEXT_ATTACHMENT_MAX_BYTES: String(TEXT_LIMIT) },
      core: { shutdownGraceMs: 2000 },
    });
    ({ tg, upstream } = h);
  });
  afterAll(() => h?.close());

  const chats = () => upstream.requests.filter((r) => r.route === 'chat/completions');
  const lastUserText = () => (chats().at(-1)!.body as { messages: { role: string; content: string }[] }).messages.at(-1)!.content;
  const texts = (chatId: number) => tg.messagesIn(chatId).map((m) => m.text);

  it('a text document is read with its caption and file name', async () => {
    const chatId = 501;
    tg.sendUserMessage({ chatId, caption: 'what does it say?', document: { bytes: Buffer.from('hello\n'), fileName: 'notes.txt', mime: 'text/plain' } });
    await tg.waitFor(() => texts(chatId).includes('got it'));
    expect(lastUserText()).toBe('what does it say?\n\nnotes.txt:\n```\nhello\n```');
  });

  it('a source file without a caption or a mime type is read by its extension', async () => {
    const chatId = 502;
    tg.sendUserMessage({ chatId, document: { bytes: Buffer.from('fn main() {}'), fileName: 'main.rs' } });
    await tg.waitFor(() => texts(chatId).includes('got it'));
    expect(lastUserText()).toBe('main.rs:\n```\nfn main() {}\n```');
  });

  it('a document over the limit and a binary one get notes, are not downloaded, and call no model', async () => {
    const chatId = 503;
    const before = { chats: chats().length, getFile: tg.callsOf('getFile').length };
    tg.sendUserMessage({ chatId, document: { bytes: Buffer.from('a,b\n'.repeat(TEXT_LIMIT)), fileName: 'big.csv', mime: 'text/csv' } });
    tg.sendUserMessage({ chatId, document: { bytes: Buffer.from([0x50, 0x4b, 3, 4, 0]), fileName: 'archive.zip', mime: 'application/zip' } });
    tg.sendUserMessage({ chatId, text: 'hello' });
    // Answers in one chat go in order: once "hello" is answered, both notes were said before it.
    await tg.waitFor(() => texts(chatId).includes('got it'));
    expect(texts(chatId)).toEqual(['(Not read, larger than 1 KB: big.csv)', '(Not read, not a text file: archive.zip)', 'got it']);
    expect(tg.callsOf('getFile').length).toBe(before.getFile);
    expect(chats().length).toBe(before.chats + 1);
  });
});
