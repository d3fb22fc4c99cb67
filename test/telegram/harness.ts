// The Telegram e2e stack: the fake upstream and the fake Bot API on 127.0.0.1, the real core and
// the real telegraf inside our adapter. `startTelegram()` starts all of it; `startTelegramBot()`
// puts one more bot on fakes a suite already runs (several adapters against one Bot API).
import type { CoreOptions } from '../../src/app.js';
import { createTelegramAdapter, type TelegramAdapter, type TelegramAdapterOptions } from '../../adapters/telegram/index.js';
import { startFakeTelegram, type FakeTelegram, type FakeTelegramOptions } from '../fakes/telegram/server.js';
import { startFakeUpstream, type FakeUpstream, type FakeUpstreamOptions } from '../fakes/upstream/server.js';
import { testEnv } from '../helpers/env.js';
import { startHoldingProxy, type HoldingProxy } from '../helpers/holding-proxy.js';
import { assemble, startBot, type RunningBot } from '../helpers/stack.js';

export interface TelegramBotOptions {
  /** Settings on top of testEnv and the fake's token and API root. */
  env?: Record<string, string>;
  adapter?: TelegramAdapterOptions;
  core?: CoreOptions;
}

export interface TelegramHarnessOptions extends TelegramBotOptions {
  upstream?: FakeUpstreamOptions;
  /** On top of a 300 ms long-poll hold. */
  telegram?: FakeTelegramOptions;
  /** The bot reaches the Bot API through a proxy that holds the requests whose path matches. */
  hold?: (path: string) => boolean;
}

export interface TelegramHarness extends RunningBot<TelegramAdapter> {
  upstream: FakeUpstream;
  tg: FakeTelegram;
  /** Present with `hold`; close() releases what it still holds first. */
  proxy: HoldingProxy | undefined;
}

/** A bot on running fakes (`apiRoot` instead of the fake's own, e.g. a proxy in front of it). */
export function startTelegramBot(upstream: FakeUpstream, tg: FakeTelegram, opts: TelegramBotOptions = {}, apiRoot = tg.apiRoot): Promise<RunningBot<TelegramAdapter>> {
  const settings = testEnv(upstream, { TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_API_ROOT: apiRoot, ...opts.env });
  return startBot(settings, (core) => createTelegramAdapter(core, opts.adapter), opts.core);
}

export function startTelegram(opts: TelegramHarnessOptions = {}): Promise<TelegramHarness> {
  return assemble(async (teardown) => {
    const upstream = teardown.closes(await startFakeUpstream(opts.upstream));
    const tg = teardown.closes(await startFakeTelegram({ pollHoldMs: 300, ...opts.telegram }));
    const proxy = opts.hold ? teardown.closes(await startHoldingProxy(tg.apiRoot, opts.hold)) : undefined;
    const bot = teardown.closes(await startTelegramBot(upstream, tg, opts, proxy?.origin));
    // Held requests would keep the shutdown's drain waiting out its grace.
    if (proxy) teardown.add(() => proxy.releaseAll());
    return { ...bot, upstream, tg, proxy };
  });
}
