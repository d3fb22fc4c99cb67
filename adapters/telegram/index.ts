// The Telegram surface: updates arrive by long polling (polling.ts), or through telegraf's
// webhook handler when TELEGRAM_WEBHOOK_URL is set; each message becomes an Incoming plus a
// TelegramSurface for its chat (updates.ts), and the core's ConversationManager does the rest.
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Telegraf } from 'telegraf';
import type { Update } from 'telegraf/types';
import type { Core } from '../../src/app.js';
import type { Logger } from '../../src/log.js';
import type { Adapter } from '../../src/types.js';
import type { TelegramConfig } from './config.js';
import { describeTelegramError } from './errors.js';
import { menuCommands } from './menu.js';
import { PollingFatalError, startPolling, type Backoff, type Poller } from './polling.js';
import { channelOf, TelegramScale } from './scale.js';
import { webhookIngest } from './webhook.js';
import type { BotApi } from './surface.js';
import { UpdateHandler } from './updates.js';

export { markdownToTelegramHtml, escapeHtml } from '../../src/format/telegram-html.js';
export { TelegramSurface, DraftSupport, type StreamMode } from './surface.js';
export { classify, channelKeyOf } from './inbound.js';
export { streamModeFor, type StreamSetting } from './updates.js';

/** telegraf's per-update handler timeout; ours returns at once, so this only guards bugs. */
const HANDLER_TIMEOUT_MS = 10_000;

export interface TelegramAdapterOptions {
  /** Overrides TELEGRAM_API_ROOT (tests point it at the fake Bot API). */
  apiRoot?: string;
  /** Webhook listener port (overrides TELEGRAM_WEBHOOK_PORT; 0 = random, for tests). */
  webhookPort?: number;
  draftIntervalMs?: number;
  /** Length of one retry_after "second" in ms (tests shrink it). */
  retryAfterUnitMs?: number;
  /** Waits between failed getUpdates calls (tests shrink them). */
  pollBackoff?: Backoff;
}

export interface TelegramAdapter extends Adapter {
  /** The webhook listener's address once started in webhook mode. */
  readonly webhookAddress?: AddressInfo;
}

/**
 * The webhook secret when TELEGRAM_WEBHOOK_SECRET is unset: a hash of the bot token, so every
 * instance behind one webhook URL accepts what Telegram sends, and the token cannot be read
 * back from it. base64url fits Telegram's alphabet for secret_token (A-Z a-z 0-9 _ -).
 */
export function webhookSecretFor(token: string): string {
  return createHash('sha256').update('parley telegram webhook secret\0').update(token).digest('base64url');
}

export function createTelegramAdapter(core: Core, opts: TelegramAdapterOptions = {}): TelegramAdapter {
  return new TelegramBotAdapter(core, opts);
}

/** One bot: how updates arrive (polling, webhook, or the shared inbox), its menu, and stopping. */
class TelegramBotAdapter implements TelegramAdapter {
  readonly platform = 'telegram' as const;
  onFatal?: (reason: string) => void;
  private readonly settings: TelegramConfig;
  private readonly log: Logger;
  private readonly bot: Telegraf;
  private readonly api: BotApi;
  private readonly updates: UpdateHandler;
  private poller: Poller | undefined;
  /** HISTORY_STORE=redis: updates go through the shared inbox to their chat's owner. */
  private scaled: TelegramScale | undefined;
  private webhookServer: Server | undefined;
  private running = false;
  /** Set when long polling ended on its own (a fatal error): the surface is down. */
  private pollingFailed = false;

  constructor(
    private readonly core: Core,
    private readonly opts: TelegramAdapterOptions,
  ) {
    const settings = core.config.telegram;
    if (!settings) throw new Error('Telegram is not configured: set TELEGRAM_BOT_TOKEN');
    this.settings = settings;
    this.log = core.logger.child({ platform: 'telegram' });
    const apiRoot = opts.apiRoot ?? settings.apiRoot;
    const bot = new Telegraf(settings.token, {
      // webhookReply off: every call reaches the Bot API, so we see its answer (and its errors).
      telegram: { ...(apiRoot ? { apiRoot } : {}), webhookReply: false },
      handlerTimeout: HANDLER_TIMEOUT_MS,
    });
    this.bot = bot;
    this.api = { callApi: (method, payload) => bot.telegram.callApi(method as never, payload as never) };
    const { draftIntervalMs, retryAfterUnitMs } = opts;
    this.updates = new UpdateHandler({ core, settings, api: this.api, telegram: bot.telegram, logger: this.log, draftIntervalMs, retryAfterUnitMs });
  }

  isUp(): boolean {
    return this.running && !this.pollingFailed;
  }

  get webhookAddress(): AddressInfo | undefined {
    return this.webhookServer?.address() as AddressInfo | undefined;
  }

  async start(): Promise<void> {
    const { bot, log, settings } = this;
    const me = await this.connect();
    bot.on('message', (ctx) => {
      if (this.running) this.updates.onMessage(ctx.message);
    });
    bot.on('callback_query', (ctx) => {
      if (this.running) this.updates.onCallbackQuery(channelOf(ctx.update), ctx.callbackQuery);
    });
    bot.catch((err) => log.error({ err }, 'telegraf handler error'));
    this.running = true;
    // The menu is registered alongside the rest of start-up (it never fails start): polling
    // need not wait for its two round trips.
    const menuRegistered = this.registerCommands();
    if (this.core.scale) this.scaled = this.shareUpdates(this.core.scale);
    if (settings.webhookUrl) {
      await this.startWebhook(new URL(settings.webhookUrl));
      await this.scaled?.start();
      return menuRegistered;
    }
    // A webhook left by an earlier run would make every getUpdates fail with 409.
    await bot.telegram.deleteWebhook();
    if (this.scaled) {
      await this.scaled.start();
      log.info({ bot: me.username }, 'polling when this instance owns the poll slot');
      return menuRegistered;
    }
    this.poller = this.poll(async (updates) => {
      await Promise.all(updates.map((u) => bot.handleUpdate(u)));
    });
    log.info({ bot: me.username }, 'polling for updates');
    await menuRegistered;
  }

  // main.ts drained the dispatcher (core.manager.shutdown) before: this only stops taking
  // updates and disconnects; TelegramScale gives its slots back, each drained on the way.
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    await this.poller?.stop();
    if (this.webhookServer) {
      const server = this.webhookServer;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await closed;
    }
    await this.scaled?.stop();
  }

  /** getMe: who the bot is (mentions and replies to it are read from then on), or why not. */
  private async connect() {
    let me;
    try {
      me = await this.bot.telegram.getMe();
    } catch (err) {
      const d = describeTelegramError(err);
      const hint = d.code === 401 || d.code === 404 ? 'TELEGRAM_BOT_TOKEN was rejected; check it with @BotFather' : d.description;
      throw new Error(`Telegram: could not connect (${hint})`);
    }
    this.bot.botInfo = me;
    this.updates.identity = { id: me.id, username: me.username };
    return me;
  }

  /** Several instances on one Redis: updates reach this one through the shared inbox. */
  private shareUpdates(scale: NonNullable<Core['scale']>): TelegramScale {
    const { bot, core, log } = this;
    const startPoller = this.settings.webhookUrl ? undefined : (handle: (updates: Update[]) => Promise<void>) => this.poll(handle);
    const drainChannels = (filter: (channel: string) => boolean) => core.manager.drain(filter);
    return new TelegramScale({ scale, api: this.api, handleUpdate: (u) => bot.handleUpdate(u), startPoller, drainChannels, logger: log, events: core.events });
  }

  /** setMyCommands only when the menu differs: fewer calls at every restart. */
  private async registerCommands(): Promise<void> {
    const { telegram } = this.bot;
    const menu = menuCommands(this.core.config.conversation.locale);
    try {
      const current = await telegram.getMyCommands();
      const same = JSON.stringify(current.map((c) => [c.command, c.description])) === JSON.stringify(menu.map((c) => [c.command, c.description]));
      if (!same) await telegram.setMyCommands(menu);
    } catch (err) {
      this.log.warn({ err: describeTelegramError(err) }, 'could not register the command menu');
    }
  }

  private async startWebhook(url: URL): Promise<void> {
    const { settings, scaled, log } = this;
    const path = url.pathname || '/';
    // Telegram echoes this secret in every webhook request; telegraf answers 403 without it.
    const secretToken = settings.webhookSecret ?? webhookSecretFor(settings.token);
    const callback = scaled ? webhookIngest({ path, secretToken, accept: (u) => scaled.accept(u), logger: log }) : this.bot.webhookCallback(path, { secretToken });
    const server = createServer((req, res) => void callback(req, res));
    this.webhookServer = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.webhookPort ?? settings.webhookPort, settings.webhookHost, () => resolve());
    });
    await this.bot.telegram.setWebhook(url.toString(), { secret_token: secretToken, allowed_updates: ['message', 'callback_query'] });
    const { address, port } = server.address() as AddressInfo;
    log.info({ path, host: address, port }, 'webhook listening');
  }

  /** The getUpdates loop; a failure no retry can fix ends the surface (onFatal). */
  private poll(handle: (updates: Update[]) => Promise<void>): Poller {
    const { bot, log, opts } = this;
    const started = startPolling({
      // node-fetch takes the native AbortSignal; only telegraf's typings name a polyfill's.
      api: { callApi: (method, payload, o) => bot.telegram.callApi(method, payload as never, o as never) },
      allowedUpdates: ['message', 'callback_query'],
      handle,
      logger: log,
      backoff: opts.pollBackoff,
      retryAfterUnitMs: opts.retryAfterUnitMs,
    });
    started.done.catch((err: unknown) => {
      const reason = err instanceof PollingFatalError ? err.message : `Telegram: polling failed (${describeTelegramError(err).description})`;
      this.pollingFailed = true;
      // main.ts logs it at fatal and exits; without it (tests) the log is all there is.
      if (this.onFatal) this.onFatal(reason);
      else log.fatal({ reason }, 'polling stopped for good');
    });
    return started;
  }
}
