// Issue 8.3 on Telegram, end to end: the real telegraf in our adapter against the fake Bot API,
// reached through a proxy that holds file downloads. A photo still downloading keeps its place:
// the text-only message after it is answered after it, while /help answers at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTelegramAdapter, type TelegramAdapter } from '../../adapters/telegram/index.js';
import { helpText } from '../../adapters/telegram/menu.js';
import { createCore, type Core } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram/server.js';
import { startFakeUpstream, TINY_PNG, type ChatBody, type FakeUpstream } from '../fakes/upstream/server.js';
import { testEnv } from '../helpers/env.js';
import { startHoldingProxy, type HoldingProxy } from '../helpers/holding-proxy.js';

/** Answers "re: <the user's text>", so each answer names its question. */
function answerNaming(body: ChatBody): string {
  const content = body.messages?.filter((m) => m.role === 'user').at(-1)?.content;
  const text = typeof content === 'string' ? content : (content as Array<{ type: string; text?: string }>).find((p) => p.type === 'text')?.text;
  return `re: ${text ?? ''}`;
}

describe('telegram: per-chat order includes file downloads', () => {
  let upstream: FakeUpstream;
  let tg: FakeTelegram;
  let files: HoldingProxy;
  let core: Core;
  let adapter: TelegramAdapter;

  beforeAll(async () => {
    upstream = await startFakeUpstream({ reply: answerNaming });
    tg = await startFakeTelegram({ pollHoldMs: 300, bot: { id: 1000, username: 'parley_bot' } });
    files = await startHoldingProxy(tg.apiRoot, (path) => path.startsWith('/file/'));
    const config = loadConfig(testEnv(upstream, { LLM_MAX_RETRIES: '0', TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_API_ROOT: files.origin, TELEGRAM_STREAM: 'off' }));
    core = await createCore(config, { shutdownGraceMs: 2000 });
    adapter = createTelegramAdapter(core);
    await adapter.start();
  });

  afterAll(async () => {
    files?.releaseAll();
    await core?.manager.shutdown();
    await adapter?.stop();
    await core?.close();
    await files?.close();
    await tg?.close();
    await upstream?.close();
  });

  it('answers the photo whose download is slow before the text that followed it', async () => {
    const chatId = 4242;
    tg.sendUserMessage({ chatId, caption: 'first, a photo', photo: { bytes: TINY_PNG } });
    await files.held();
    tg.sendUserMessage({ chatId, text: 'second, text only' });
    tg.sendUserMessage({ chatId, text: '/help' });
    // Help answers while the download is held; the adapter took `second` before it, in order.
    await tg.waitFor(() => tg.messagesIn(chatId).some((m) => m.text === helpText('en')));
    expect(upstream.requests.filter((r) => r.route === 'chat/completions')).toHaveLength(0);

    files.releaseAll();
    await tg.waitFor(() => tg.messagesIn(chatId).filter((m) => m.text.startsWith('re: ')).length === 2);
    expect(tg.messagesIn(chatId).filter((m) => m.text.startsWith('re: ')).map((m) => m.text)).toEqual(['re: first, a photo', 're: second, text only']);
  });
});
