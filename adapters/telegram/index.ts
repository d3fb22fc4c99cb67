// The Telegram surface: updates arrive by long polling (polling.ts), or through telegraf's
// webhook handler when TELEGRAM_WEBHOOK_URL is set; each message becomes an Incoming plus a
// TelegramSurface for its chat, and the core's ConversationManager does the rest.
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LRUCache } from 'lru-cache';
import { Telegraf } from 'telegraf';
import type { Update } from 'telegraf/types';
import type { Core } from '../../src/app.js';
import type { Logger } from '../../src/log.js';
import { parseCommand } from '../../src/conversation/index.js';
import type { Adapter } from '../../src/types.js';
import { channelKeyOf, classify, type AccessLists, type BotIdentity, type TgMessage } from './inbound.js';
import { TelegramMedia, type Answerable } from './media.js';
import { describeTelegramError } from './errors.js';
import { line } from './lines.js';
import { Keyboards } from './keyboards.js';
import { helpText, menuCommands } from './menu.js';
import { FloodGates } from '../../src/relay/flood-gate.js';
import { PollingFatalError, startPolling, type Backoff, type Poller } from './polling.js';
import { channelOf, entryScope, TelegramScale } from './scale.js';
import { webhookIngest } from './webhook.js';
import { DraftSupport, TelegramSurface, type BotApi, type StreamMode } from './surface.js';

export { markdownToTelegramHtml, escapeHtml } from '../../src/format/telegram-html.js';
export { TelegramSurface, DraftSupport, type StreamMode } from './surface.js';
export { classify, channelKeyOf } from './inbound.js';

/** telegraf's per-update handler timeout; ours returns at once, so this only guards bugs. */
const HANDLER_TIMEOUT_MS = 10_000;
/** Users refused once are remembered (one polite refusal, not one per message). */
const REFUSED_USERS_REMEMBERED = 10_000;

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

export type StreamSetting = 'auto' | 'draft' | 'edit' | 'off';

/** Drafts exist only in private chats; groups always stream by editing. */
export function streamModeFor(setting: StreamSetting, isDirect: boolean): StreamMode {
  if (setting === 'off' || setting === 'edit') return setting;
  return isDirect ? 'draft' : 'edit';
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
  const settings = core.config.telegram;
  if (!settings) throw new Error('Telegram is not configured: set TELEGRAM_BOT_TOKEN');
  const log: Logger = core.logger.child({ platform: 'telegram' });
  const apiRoot = opts.apiRoot ?? settings.apiRoot;
  const bot = new Telegraf(settings.token, {
    // webhookReply off: every call reaches the Bot API, so we see its answer (and its errors).
    telegram: { ...(apiRoot ? { apiRoot } : {}), webhookReply: false },
    handlerTimeout: HANDLER_TIMEOUT_MS,
  });
  const api: BotApi = { callApi: (method, payload) => bot.telegram.callApi(method as never, payload as never) };
  const access: AccessLists = { users: settings.allowedUsers, chats: settings.allowedChats };
  const gates = new FloodGates();
  const drafts = new DraftSupport();
  const refused = new LRUCache<string, true>({ max: REFUSED_USERS_REMEMBERED });
  const locale = core.config.conversation.locale;
  let identity: BotIdentity | undefined;
  let poller: Poller | undefined;
  /** HISTORY_STORE=redis: updates go through the shared inbox to their chat's owner. */
  let scaled: TelegramScale | undefined;
  let webhookServer: Server | undefined;
  let running = false;
  /** Set when long polling ended on its own (a fatal error): the surface is down. */
  let pollingFailed = false;

  function surfaceFor(chatId: number, threadId: number | undefined, channel: string, isDirect: boolean, replyTo?: number, via: BotApi = api) {
    return new TelegramSurface({
      api: via,
      target: { chatId, threadId, replyToMessageId: replyTo },
      channel,
      mode: streamModeFor(settings!.stream, isDirect),
      drafts,
      gate: gates.for(chatId),
      ...(opts.retryAfterUnitMs ? { retryAfterUnitMs: opts.retryAfterUnitMs } : {}),
      editIntervalMs: isDirect ? settings!.editIntervalDmMs : settings!.editIntervalGroupMs,
      draftIntervalMs: opts.draftIntervalMs ?? settings!.draftIntervalMs,
      logger: log.child({ channel }),
      events: core.events,
    });
  }

  const media = new TelegramMedia({ telegram: bot.telegram, logger: log, locale, textMaxBytes: core.config.conversation.textAttachmentMaxBytes });
  const keyboards = new Keyboards({ core, api, locale, logger: log, surfaceFor: (s) => surfaceFor(s.chatId, s.threadId, s.channel, s.isDirect) });

  /** Hands the message to the manager at once, so it keeps its place in the chat's order. */
  function answer(msg: TgMessage, decision: Answerable): void {
    // Set when the update came from the shared inbox (several instances): see scale.ts.
    const entry = entryScope.getStore();
    const surface = surfaceFor(msg.chat.id, decision.threadId, decision.channel, decision.isDirect, decision.isDirect ? undefined : msg.message_id, entry?.api);
    // /start, /help (and an unknown /word) answer from the menu's own list, not the core's help.
    if (decision.media.length === 0 && !decision.tooLarge && parseCommand(decision.text).kind === 'help') {
      const chatLog = log.child({ channel: decision.channel, messageId: msg.message_id });
      const sent = surface.send(helpText(locale), { final: true }).then(() => undefined, (err: unknown) => chatLog.warn({ err }, 'help not sent'));
      track(decision.channel, sent.finally(() => surface.close()));
      return;
    }
    if (decision.tooLarge && decision.media.length === 0) {
      track(decision.channel, surface.send(line(locale, 'tooLarge')).then(() => undefined, () => undefined).finally(() => surface.close()));
      return;
    }
    const scope = { userId: decision.user.id, chatId: msg.chat.id, threadId: decision.threadId, channel: decision.channel, isDirect: decision.isDirect };
    const cmd = decision.media.length === 0 ? parseCommand(decision.text) : { kind: 'chat' as const, text: decision.text };
    // Not awaited: the manager orders the chat's messages; the next one may be a /stop.
    const submit = () =>
      core.manager
        .submit(decision.channel, async (signal) => {
          // In the chat's order: a dead owner's partial reply goes before this one is answered again.
          await entry?.cleanup?.();
          return media.prepare(msg, decision, surface, signal);
        }, surface)
        .then(() => (cmd.kind === 'chat' || cmd.kind === 'retry' ? keyboards.offerRegenerate(surface, scope) : undefined));
    if ((cmd.kind === 'persona' || cmd.kind === 'model') && cmd.name === undefined) {
      // Without an argument these answer with a keyboard to pick from (text when there is none).
      track(decision.channel, keyboards.showPicker(cmd, scope, decision.isDirect ? undefined : msg.message_id).then((shown) => (shown ? undefined : submit())));
      return;
    }
    // The reply is the dispatcher's already; tracked too for the Regenerate keyboard after it.
    track(decision.channel, submit());
  }

  /** Work outside a reply is the dispatcher's tracked work too: shutdown and a slot's drain wait
   * for it; an inbox entry (scale.ts) settles once it has settled. */
  function track(channel: string, work: Promise<void>): void {
    const tracked = core.manager.track(channel, work);
    entryScope.getStore()?.work.push(tracked);
  }

  function onMessage(msg: TgMessage): void {
    if (!running || !identity) return;
    const decision = classify(msg, identity, access);
    if (decision.action === 'ignore') {
      log.debug({ chat: msg.chat.id, reason: decision.reason }, 'message ignored');
      return;
    }
    if (decision.action === 'refuse') {
      if (refused.has(decision.userId)) return;
      refused.set(decision.userId, true);
      log.info({ user: decision.userId }, 'user not on the allowlist; refused once');
      track(
        channelKeyOf(msg.chat.id, msg.is_topic_message ? msg.message_thread_id : undefined),
        api
          .callApi('sendMessage', { chat_id: msg.chat.id, text: line(locale, 'refused') })
          .then(() => undefined, (err: unknown) => log.warn({ err: describeTelegramError(err) }, 'refusal not sent')),
      );
      return;
    }
    answer(msg, decision);
  }

  /** setMyCommands only when the menu differs: fewer calls at every restart. */
  async function registerCommands(): Promise<void> {
    const menu = menuCommands(locale);
    try {
      const current = await bot.telegram.getMyCommands();
      const same = JSON.stringify(current.map((c) => [c.command, c.description])) === JSON.stringify(menu.map((c) => [c.command, c.description]));
      if (!same) await bot.telegram.setMyCommands(menu);
    } catch (err) {
      log.warn({ err: describeTelegramError(err) }, 'could not register the command menu');
    }
  }

  async function startWebhook(url: URL): Promise<void> {
    const path = url.pathname || '/';
    // Telegram echoes this secret in every webhook request; telegraf answers 403 without it.
    const secretToken = settings!.webhookSecret ?? webhookSecretFor(settings!.token);
    const callback = scaled ? webhookIngest({ path, secretToken, accept: (u) => scaled!.accept(u), logger: log }) : bot.webhookCallback(path, { secretToken });
    webhookServer = createServer((req, res) => void callback(req, res));
    await new Promise<void>((resolve, reject) => {
      webhookServer!.once('error', reject);
      webhookServer!.listen(opts.webhookPort ?? settings!.webhookPort, settings!.webhookHost, () => resolve());
    });
    await bot.telegram.setWebhook(url.toString(), { secret_token: secretToken, allowed_updates: ['message', 'callback_query'] });
    const { address, port } = webhookServer.address() as AddressInfo;
    log.info({ path, host: address, port }, 'webhook listening');
  }

  /** The getUpdates loop; a failure no retry can fix ends the surface (onFatal). */
  function poll(handle: (updates: Update[]) => Promise<void>): Poller {
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
      pollingFailed = true;
      // main.ts logs it at fatal and exits; without it (tests) the log is all there is.
      if (adapter.onFatal) adapter.onFatal(reason);
      else log.fatal({ reason }, 'polling stopped for good');
    });
    return started;
  }

  const adapter: TelegramAdapter = {
    platform: 'telegram',
    isUp: () => running && !pollingFailed,
    get webhookAddress() {
      return webhookServer?.address() as AddressInfo | undefined;
    },

    async start() {
      let me;
      try {
        me = await bot.telegram.getMe();
      } catch (err) {
        const d = describeTelegramError(err);
        const hint = d.code === 401 || d.code === 404 ? 'TELEGRAM_BOT_TOKEN was rejected; check it with @BotFather' : d.description;
        throw new Error(`Telegram: could not connect (${hint})`);
      }
      bot.botInfo = me;
      identity = { id: me.id, username: me.username };
      bot.on('message', (ctx) => onMessage(ctx.message));
      bot.on('callback_query', (ctx) => {
        if (running) track(channelOf(ctx.update), keyboards.onCallbackQuery(ctx.callbackQuery));
      });
      bot.catch((err) => log.error({ err }, 'telegraf handler error'));
      running = true;
      // The menu is registered alongside the rest of start-up (it never fails start): polling
      // need not wait for its two round trips.
      const menuRegistered = registerCommands();
      if (core.scale) {
        const startPoller = settings.webhookUrl ? undefined : (handle: (updates: Update[]) => Promise<void>) => poll(handle);
        const drainChannels = (filter: (channel: string) => boolean) => core.manager.drain(filter);
        scaled = new TelegramScale({ scale: core.scale, api, handleUpdate: (u) => bot.handleUpdate(u), startPoller, drainChannels, logger: log, events: core.events });
      }
      if (settings.webhookUrl) {
        await startWebhook(new URL(settings.webhookUrl));
        await scaled?.start();
        return menuRegistered;
      }
      // A webhook left by an earlier run would make every getUpdates fail with 409.
      await bot.telegram.deleteWebhook();
      if (scaled) {
        await scaled.start();
        log.info({ bot: me.username }, 'polling when this instance owns the poll slot');
        return menuRegistered;
      }
      poller = poll(async (updates) => {
        await Promise.all(updates.map((u) => bot.handleUpdate(u)));
      });
      log.info({ bot: me.username }, 'polling for updates');
      await menuRegistered;
    },

    // main.ts drained the dispatcher (core.manager.shutdown) before: this only stops taking
    // updates and disconnects; TelegramScale gives its slots back, each drained on the way.
    async stop() {
      if (!running) return;
      running = false;
      await poller?.stop();
      if (webhookServer) {
        const server = webhookServer;
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        await closed;
      }
      await scaled?.stop();
    },
  };
  return adapter;
}
