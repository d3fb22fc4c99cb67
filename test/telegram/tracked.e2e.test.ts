// Issue 10 on Telegram: work outside a reply (here the /help line) is the dispatcher's tracked
// work, so the core's shutdown waits for it, as it waits for replies; the adapter keeps no set of
// its own. Real telegraf against the fake Bot API, through a proxy that holds sendMessage.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { helpText } from '../../adapters/telegram/menu.js';
import { startTelegram, type TelegramHarness } from './harness.js';

describe('telegram: shutdown waits for tracked work', () => {
  let h: TelegramHarness;

  beforeAll(async () => {
    h = await startTelegram({ hold: (path) => path.endsWith('/sendMessage'), env: { TELEGRAM_STREAM: 'off' }, core: { shutdownGraceMs: 5_000 } });
  });
  afterAll(() => h?.close());

  it('sends the /help line before shutdown returns', async () => {
    const { tg, core, proxy } = h;
    const chatId = 5151;
    tg.sendUserMessage({ chatId, text: '/help' });
    await proxy!.held();
    // What the chat holds the moment shutdown returns.
    const atShutdown = core.manager.shutdown().then(() => tg.messagesIn(chatId).map((m) => m.text));
    proxy!.releaseAll();
    expect(await atShutdown).toEqual([helpText('en')]);
  });
});
