// End to end: the real telegraf (inside the adapter) against the fake Bot API, the real core
// against the fake OpenAI-compatible upstream. Each case uses its own chat id.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { markdownToTelegramHtml } from '../../adapters/telegram/index.js';
import type { BotMessage, FakeTelegram } from '../fakes/telegram/server.js';
import type { FakeUpstream } from '../fakes/upstream/server.js';
import { startTelegram, type TelegramHarness } from './harness.js';

/** One Telegram "second" of retry_after, in ms, on both sides: flood waits stay short. */
const UNIT_MS = 20;
const EDIT_INTERVAL_MS = '100';

const BOT = 'parley_bot';
let h: TelegramHarness;
let tg: FakeTelegram;
let upstream: FakeUpstream;
let nextChat = 1000;

const lastText = (chatId: number) => tg.messagesIn(chatId).at(-1)?.text ?? '';
const isFinal = (m: BotMessage | undefined, text: string) => !!m && m.text === text;
/** The last chat/completions request's last user message. */
function lastUserContent(): unknown {
  const chats = upstream.requests.filter((r) => r.route === 'chat/completions');
  const body = chats.at(-1)?.body as { messages: { role: string; content: unknown }[] };
  return body.messages.filter((m) => m.role === 'user').at(-1)?.content;
}

const SETTLED = 'Settled.';
/**
 * Sends one more message in the chat and waits for its answer. The manager answers a chat's
 * messages one at a time, and a reply ends (final message, notices, its draft closed) before
 * the next starts: whatever the earlier reply could still send has been sent by then.
 */
async function settle(chatId: number): Promise<void> {
  upstream.setReply(SETTLED);
  tg.sendUserMessage({ chatId, text: 'anything else?' });
  await tg.waitFor(() => tg.messagesIn(chatId).some((m) => m.text === SETTLED));
  upstream.setReply(undefined);
  expect(tg.messagesIn(chatId).at(-1)!.text).toBe(SETTLED);
}
/** The chat's messages before the one settle() added. */
const messagesBeforeSettle = (chatId: number) => tg.messagesIn(chatId).filter((m) => m.text !== SETTLED);

beforeAll(async () => {
  h = await startTelegram({
    upstream: { chunkDelayMs: 1 },
    telegram: { secondMs: UNIT_MS, bot: { id: 1000, username: BOT } },
    env: { TELEGRAM_EDIT_INTERVAL_DM_MS: EDIT_INTERVAL_MS, TELEGRAM_EDIT_INTERVAL_GROUP_MS: EDIT_INTERVAL_MS },
    adapter: { retryAfterUnitMs: UNIT_MS, draftIntervalMs: 20 },
    core: { shutdownGraceMs: 500 },
  });
  ({ tg, upstream } = h);
});
afterAll(() => h?.close());

describe('Telegram adapter e2e', () => {
  // The menu names the registry's spellings, the same as Discord and help (issue 10); /start and
  // /new stay aliases (test/conversation/commands.test.ts, test/telegram/commands.test.ts).
  it('registers the command menu', () => {
    expect(tg.commands.map((c) => c.command)).toEqual(
      expect.arrayContaining(['chat', 'help', 'reset', 'image', 'tts', 'voice', 'model', 'system', 'persona', 'tools', 'stop', 'retry', 'usage']),
    );
  });

  it('DM: streams through drafts, then leaves exactly one final message', async () => {
    const chatId = ++nextChat;
    const reply = 'Drafts are **animated** previews that do not count against edit limits, then one message.';
    upstream.setReply(reply);
    upstream.setChunking({ tokensPerChunk: 1, chunkDelayMs: 15 });
    tg.sendUserMessage({ chatId, text: 'tell me about drafts' });
    await tg.waitFor(() => tg.messagesIn(chatId).length > 0);
    await settle(chatId);

    // settle()'s own reply may draft a prefix of its text; the answer under test never does.
    const drafts = tg.drafts.filter((d) => d.chatId === chatId && !SETTLED.startsWith(d.text));
    expect(drafts.length).toBeGreaterThan(1);
    expect(new Set(drafts.map((d) => d.draftId)).size).toBe(1);
    expect(drafts[0]!.draftId).not.toBe(0);
    const messages = messagesBeforeSettle(chatId);
    expect(messages).toHaveLength(1);
    expect(messages[0]!.html).toBe(markdownToTelegramHtml(reply));
    expect(tg.openDrafts(chatId)).toHaveLength(0);
    expect(tg.callsOf('editMessageText').filter((c) => Number(c.payload.chat_id) === chatId)).toHaveLength(0);
  });

  it('DM: /stop mid-draft ends the draft as one message with the partial text', async () => {
    const chatId = ++nextChat;
    upstream.setReply(Array.from({ length: 200 }, (_, i) => `slow${i}`).join(' '));
    upstream.setChunking({ tokensPerChunk: 1, chunkDelayMs: 20 });
    tg.sendUserMessage({ chatId, text: 'go on and on' });
    await tg.waitFor(() => tg.drafts.filter((d) => d.chatId === chatId).length >= 2);
    tg.sendUserMessage({ chatId, text: '/stop' });
    await tg.waitFor(() => tg.messagesIn(chatId).some((m) => m.text.includes('(stopped)')));
    await settle(chatId);
    const messages = messagesBeforeSettle(chatId);
    expect(messages).toHaveLength(1);
    expect(messages[0]!.text).toMatch(/^slow0 slow1[\s\S]*\(stopped\)$/);
    expect(tg.openDrafts(chatId)).toHaveLength(0);
  });

  it('DM: an upstream error mid-stream keeps the partial text, adds a notice, leaves no draft', async () => {
    const chatId = ++nextChat;
    upstream.setReply('The first part arrives and then the provider fails');
    upstream.setChunking({ tokensPerChunk: 1, chunkDelayMs: 10 });
    upstream.setNext({ route: 'chat/completions', streamError: true, afterChunks: 4 });
    tg.sendUserMessage({ chatId, text: 'fail please' });
    await tg.waitFor(() => tg.messagesIn(chatId).some((m) => m.text.includes('⚠️')));
    await settle(chatId);
    const messages = messagesBeforeSettle(chatId);
    expect(messages).toHaveLength(1);
    expect(messages[0]!.text).toMatch(/^The first/);
    expect(tg.openDrafts(chatId)).toHaveLength(0);
  });

  it('DM with drafts unsupported: streams by edits; the final HTML equals the rendered upstream text', async () => {
    tg.draftSupport = 'not-found';
    const chatId = ++nextChat;
    const reply = `Edits work too: \`code\`, _italics_ and a [link](https://example.com/?a=1&b=2). ${'More words keep the stream going. '.repeat(6)}`.trim();
    upstream.setReply(reply);
    upstream.setChunking({ tokensPerChunk: 1, chunkDelayMs: 15 });
    tg.sendUserMessage({ chatId, text: 'and without drafts?' });
    await tg.waitFor(() => tg.messagesIn(chatId)[0]?.html !== undefined);

    const [message] = tg.messagesIn(chatId);
    expect(tg.messagesIn(chatId)).toHaveLength(1);
    expect(message!.html).toBe(markdownToTelegramHtml(reply));
    expect(message!.edits).toBeGreaterThan(1);
    expect(tg.openDrafts(chatId)).toHaveLength(0);
  });

  it('group: ignores a message without a mention, answers one with a mention', async () => {
    const chatId = -(++nextChat);
    upstream.setReply(undefined);
    upstream.setChunking({ tokensPerChunk: 4, chunkDelayMs: 1 });
    const chatRequests = () => upstream.requests.filter((r) => r.route === 'chat/completions').length;
    const before = chatRequests();
    tg.sendUserMessage({ chatId, text: 'just chatting among humans' });
    const asked = tg.sendUserMessage({ chatId, text: `@${BOT} what is up?` });
    await tg.waitFor(() => lastText(chatId) === 'You said: what is up?');

    expect(chatRequests()).toBe(before + 1);
    const messages = tg.messagesIn(chatId);
    expect(messages).toHaveLength(1);
    expect(messages[0]!.replyTo).toBe(asked.message_id);
  });

  it('splits a 10,000-character answer into ordered messages within 4,096 units', async () => {
    const chatId = ++nextChat;
    const paragraphs = Array.from({ length: 40 }, (_, i) => `Paragraph ${i + 1}: ${'lorem ipsum dolor sit amet '.repeat(9).trim()}.`);
    const reply = paragraphs.join('\n\n');
    expect(reply.length).toBeGreaterThan(10_000);
    upstream.setReply(reply);
    upstream.setChunking({ tokensPerChunk: 50, chunkDelayMs: 1 });
    tg.sendUserMessage({ chatId, text: 'write a lot' });
    const normalize = (s: string) => s.replace(/\s+/g, ' ').trim();
    await tg.waitFor(() => normalize(tg.messagesIn(chatId).map((m) => m.text).join(' ')) === normalize(reply), 10_000);

    const messages = tg.messagesIn(chatId);
    expect(messages.length).toBeGreaterThanOrEqual(3);
    for (const m of messages) expect(m.text.length).toBeLessThanOrEqual(4096);
    const order = messages.flatMap((m) => [...m.text.matchAll(/Paragraph (\d+)/g)].map((x) => Number(x[1])));
    expect(order).toEqual(paragraphs.map((_, i) => i + 1));
  });

  it('markdown with <, & and an unbalanced * arrives without loss', async () => {
    const chatId = ++nextChat;
    const reply = 'If a < b && c > d then *maybe; **bold** & `x<y`';
    upstream.setReply(reply);
    upstream.setChunking({ tokensPerChunk: 3, chunkDelayMs: 1 });
    tg.sendUserMessage({ chatId, text: 'tricky' });
    const expected = 'If a < b && c > d then *maybe; bold & x<y';
    await tg.waitFor(() => isFinal(tg.messagesIn(chatId)[0], expected));
    expect(tg.messagesIn(chatId)).toHaveLength(1);
    expect(tg.messagesIn(chatId)[0]!.entities.map((e) => e.type)).toEqual(['bold', 'code']);
  });

  it('a 429 mid-stream is waited out and the reply completes', async () => {
    const chatId = -(++nextChat);
    const reply = Array.from({ length: 60 }, (_, i) => `word${i}`).join(' ');
    upstream.setReply(reply);
    upstream.setChunking({ tokensPerChunk: 1, chunkDelayMs: 10 });
    tg.sendUserMessage({ chatId, text: `@${BOT} count` });
    // Once the first words are out, the next edit hits flood control.
    await tg.waitFor(() => tg.messagesIn(chatId).length > 0);
    tg.failNext('editMessageText', { error_code: 429, description: 'Too Many Requests: retry after 5', parameters: { retry_after: 5 } });
    await tg.waitFor(() => lastText(chatId) === reply, 10_000);
    const floodErrors = tg.calls.filter((c) => c.error?.error_code === 429 && Number(c.payload.chat_id) === chatId);
    expect(floodErrors.length).toBeGreaterThan(0);
    expect(tg.messagesIn(chatId)).toHaveLength(1);
  });

  it('under continuous per-chat flood control the reply still completes, once', async () => {
    const chatId = -(++nextChat);
    const reply = Array.from({ length: 80 }, (_, i) => `tok${i}`).join(' ');
    upstream.setReply(reply);
    upstream.setChunking({ tokensPerChunk: 1, chunkDelayMs: 5 });
    tg.rateLimit = { maxCalls: 2, windowMs: 20 * UNIT_MS, retryAfterSec: 1 };
    try {
      tg.sendUserMessage({ chatId, text: `@${BOT} go` });
      await tg.waitFor(() => lastText(chatId) === reply, 10_000);
    } finally {
      tg.rateLimit = undefined;
    }
    expect(tg.messagesIn(chatId)).toHaveLength(1);
    expect(tg.calls.some((c) => c.error?.error_code === 429 && Number(c.payload.chat_id) === chatId)).toBe(true);
  });

  it('/image sends a photo with the revised prompt as caption', async () => {
    const chatId = ++nextChat;
    tg.sendUserMessage({ chatId, text: '/image a red cat' });
    await tg.waitFor(() => tg.messagesIn(chatId).some((m) => m.kind === 'photo'));
    const photo = tg.messagesIn(chatId).find((m) => m.kind === 'photo')!;
    expect(photo.text).toContain('a red cat');
    expect(photo.file!.bytes.length).toBeGreaterThan(0);
    expect(tg.chatActions.some((a) => a.chatId === chatId && a.action === 'upload_photo')).toBe(true);
  });

  it('/tts sends an OGG/Opus voice note', async () => {
    const chatId = ++nextChat;
    tg.sendUserMessage({ chatId, text: '/tts hello there' });
    await tg.waitFor(() => tg.messagesIn(chatId).some((m) => m.kind === 'voice'));
    const voice = tg.messagesIn(chatId).find((m) => m.kind === 'voice')!;
    expect(Buffer.from(voice.file!.bytes).subarray(0, 4).toString('latin1')).toBe('OggS');
    const speech = upstream.requests.filter((r) => r.route === 'audio/speech').at(-1)!;
    expect((speech.body as { response_format: string }).response_format).toBe('opus');
  });

  it('a voice note is transcribed and the transcript answered', async () => {
    const chatId = ++nextChat;
    upstream.setReply(undefined);
    tg.sendUserMessage({ chatId, voice: { bytes: new Uint8Array(Buffer.from('OggS fake voice')) } });
    await tg.waitFor(() => lastText(chatId) === 'You said: hello from a voice note');
    const transcription = upstream.requests.filter((r) => r.route === 'audio/transcriptions').at(-1)!;
    const file = transcription.fields!.file as { filename: string; bytes: Buffer };
    expect(file.bytes.toString()).toBe('OggS fake voice');
    expect(tg.messagesIn(chatId)[0]!.text).toContain('hello from a voice note');
  });

  it('a photo reaches the upstream as an image_url part with its caption', async () => {
    const chatId = ++nextChat;
    upstream.setReply(undefined);
    const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);
    tg.sendUserMessage({ chatId, caption: 'what is this?', photo: { bytes: jpeg } });
    await tg.waitFor(() => lastText(chatId).startsWith('You said: what is this?'));
    const content = lastUserContent() as { type: string; text?: string; image_url?: { url: string } }[];
    expect(content).toContainEqual({ type: 'text', text: 'what is this?' });
    const image = content.find((p) => p.type === 'image_url')!;
    expect(image.image_url!.url).toBe(`data:image/jpeg;base64,${Buffer.from(jpeg).toString('base64')}`);
  });

  it('/new forgets the conversation', async () => {
    const chatId = ++nextChat;
    upstream.setReply(undefined);
    upstream.setChunking({ tokensPerChunk: 4, chunkDelayMs: 1 });
    tg.sendUserMessage({ chatId, text: 'my name is Zebulon' });
    await tg.waitFor(() => lastText(chatId) === 'You said: my name is Zebulon');
    tg.sendUserMessage({ chatId, text: 'what is my name?' });
    await tg.waitFor(() => lastText(chatId) === 'You said: what is my name?');
    const remembered = JSON.stringify(upstream.requests.filter((r) => r.route === 'chat/completions').at(-1)!.body);
    expect(remembered).toContain('Zebulon');

    tg.sendUserMessage({ chatId, text: '/new' });
    await tg.waitFor(() => tg.messagesIn(chatId).length === 3);
    tg.sendUserMessage({ chatId, text: 'and now?' });
    await tg.waitFor(() => lastText(chatId) === 'You said: and now?');
    const after = JSON.stringify(upstream.requests.filter((r) => r.route === 'chat/completions').at(-1)!.body);
    expect(after).not.toContain('Zebulon');
  });
});
