// Issue 8.3 on Telegram, end to end: the real telegraf in our adapter against the fake Bot API,
// reached through a proxy that holds file downloads. A photo still downloading keeps its place:
// the text-only message after it is answered after it, while /help answers at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { helpText } from '../../adapters/telegram/menu.js';
import type { FakeTelegram } from '../fakes/telegram/server.js';
import { TINY_PNG, type FakeUpstream } from '../fakes/upstream/server.js';
import { answerNaming } from '../helpers/answers.js';
import type { HoldingProxy } from '../helpers/holding-proxy.js';
import { startTelegram, type TelegramHarness } from './harness.js';

describe('telegram: per-chat order includes file downloads', () => {
  let h: TelegramHarness;
  let upstream: FakeUpstream;
  let tg: FakeTelegram;
  let files: HoldingProxy;

  beforeAll(async () => {
    h = await startTelegram({
      upstream: { reply: answerNaming },
      hold: (path) => path.startsWith('/file/'),
      env: { LLM_MAX_RETRIES: '0', TELEGRAM_STREAM: 'off' },
      core: { shutdownGraceMs: 2000 },
    });
    ({ tg, upstream } = h);
    files = h.proxy!;
  });
  afterAll(() => h?.close());

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
