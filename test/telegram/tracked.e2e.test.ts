// Issue 10 on Telegram: work outside a reply (here the /help line) is the dispatcher's tracked
// work, so the core's shutdown waits for it, as it waits for replies; the adapter keeps no set of
// its own. Real telegraf against the fake Bot API, through a proxy that holds sendMessage.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTelegramAdapter, type TelegramAdapter } from '../../adapters/telegram/index.js';
import { helpText } from '../../adapters/telegram/menu.js';
import { createCore, type Core } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram/server.js';
import { startFakeUpstream, type FakeUpstream } from '../fakes/upstream/server.js';
import { testEnv } from '../helpers/env.js';
import { startHoldingProxy, type HoldingProxy } from '../helpers/holding-proxy.js';

describe('telegram: shutdown waits for tracked work', () => {
  let upstream: FakeUpstream;
  let tg: FakeTelegram;
  let proxy: HoldingProxy;
  let core: Core;
  let adapter: TelegramAdapter;

  beforeAll(async () => {
    upstream = await startFakeUpstream();
    tg = await startFakeTelegram({ pollHoldMs: 300, bot: { id: 1000, username: 'parley_bot' } });
    proxy = await startHoldingProxy(tg.apiRoot, (path) => path.endsWith('/sendMessage'));
    const config = loadConfig(testEnv(upstream, { TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_API_ROOT: proxy.origin, TELEGRAM_STREAM: 'off' }));
    core = await createCore(config, { shutdownGraceMs: 5_000 });
    adapter = createTelegramAdapter(core);
    await adapter.start();
  });

  afterAll(async () => {
    proxy?.releaseAll();
    await core?.manager.shutdown();
    await adapter?.stop();
    await core?.close();
    await proxy?.close();
    await tg?.close();
    await upstream?.close();
  });

  it('sends the /help line before shutdown returns', async () => {
    const chatId = 5151;
    tg.sendUserMessage({ chatId, text: '/help' });
    await proxy.held();
    // What the chat holds the moment shutdown returns.
    const atShutdown = core.manager.shutdown().then(() => tg.messagesIn(chatId).map((m) => m.text));
    proxy.releaseAll();
    expect(await atShutdown).toEqual([helpText('en')]);
  });
});
