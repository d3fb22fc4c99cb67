// The Telegram surface: telegraf receives updates (long polling, or a webhook when
// TELEGRAM_WEBHOOK_URL is set), each message becomes an Incoming plus a TelegramSurface for its
// chat, and the core's ConversationManager does the rest.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LRUCache } from 'lru-cache';
import { Telegraf } from 'telegraf';
import type { Core } from '../../src/app.js';
import type { Logger } from '../../src/log.js';
import type { Adapter, AudioInput, ImageInput, Incoming } from '../../src/types.js';
import { describeTelegramError } from './errors.js';
import { classify, MAX_DOWNLOAD_BYTES, type AccessLists, type BotIdentity, type MediaRef, type TgMessage } from './inbound.js';
import { line } from './lines.js';
import { ChatPacers } from './pacer.js';
import { DraftSupport, TelegramSurface, type BotApi, type StreamMode } from './surface.js';

export { markdownToTelegramHtml, escapeHtml } from './html.js';
export { TelegramSurface, DraftSupport, type StreamMode } from './surface.js';
export { classify, channelKeyOf } from './inbound.js';

/** How long a file download from Telegram may take. */
const DOWNLOAD_TIMEOUT_MS = 30_000;
/** telegraf's per-update handler timeout; ours returns at once, so this only guards bugs. */
const HANDLER_TIMEOUT_MS = 10_000;
/** On stop, replies in flight get this long before we return anyway (core.close aborts them). */
const STOP_GRACE_MS = 10_000;
/** Users refused once are remembered (one polite refusal, not one per message). */
const REFUSED_USERS_REMEMBERED = 10_000;

/** What the command menu shows. The manager understands each of these (see parseCommand). */
export const BOT_COMMANDS = [
  { command: 'start', description: 'Say hello and show what I can do' },
  { command: 'help', description: 'List the commands' },
  { command: 'new', description: 'Start a new conversation (forget this one)' },
  { command: 'image', description: 'Draw a picture: /image <prompt>' },
  { command: 'tts', description: 'Speak text aloud: /tts <text>' },
  { command: 'voice', description: 'Voice replies on or off: /voice on|off' },
  { command: 'model', description: 'Show or set the model' },
  { command: 'system', description: 'Show or set the system prompt' },
  { command: 'stop', description: 'Stop the answer in progress' },
  { command: 'retry', description: 'Regenerate the last answer' },
  { command: 'usage', description: 'Tokens used today' },
];

export interface TelegramAdapterOptions {
  /** Overrides TELEGRAM_API_ROOT (tests point it at the fake Bot API). */
  apiRoot?: string;
  /** Webhook listener port (overrides TELEGRAM_WEBHOOK_PORT; 0 = random, for tests). */
  webhookPort?: number;
  webhookHost?: string;
  draftIntervalMs?: number;
  /** Length of one retry_after "second" in ms (tests shrink it). */
  retryAfterUnitMs?: number;
  stopGraceMs?: number;
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
  const pacers = new ChatPacers(opts.retryAfterUnitMs);
  const drafts = new DraftSupport();
  const refused = new LRUCache<string, true>({ max: REFUSED_USERS_REMEMBERED });
  const inFlight = new Set<Promise<void>>();
  /** Per-channel chain of preparation (downloads), so messages reach the manager in order. */
  const preparing = new Map<string, Promise<void>>();
  const locale = core.config.conversation.locale;
  let identity: BotIdentity | undefined;
  let polling: Promise<void> | undefined;
  let webhookServer: Server | undefined;
  let running = false;
  /** Set when long polling ended on its own (a fatal error): the surface is down. */
  let pollingFailed = false;

  async function download(media: MediaRef): Promise<Uint8Array> {
    const link = await bot.telegram.getFileLink(media.fileId);
    // A self-hosted Bot API server (--local) answers absolute paths on its own disk.
    if (link.protocol === 'file:') return new Uint8Array(await readFile(link.pathname));
    const res = await fetch(link, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) });
    if (!res.ok) throw new Error(`file download failed: HTTP ${res.status}`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    if (bytes.length > MAX_DOWNLOAD_BYTES) throw new Error('file too large');
    return bytes;
  }

  function surfaceFor(chatId: number, threadId: number | undefined, channel: string, isDirect: boolean, replyTo?: number) {
    return new TelegramSurface({
      api,
      target: { chatId, threadId, replyToMessageId: replyTo },
      channel,
      mode: streamModeFor(settings!.stream, isDirect),
      drafts,
      pacer: pacers.for(chatId),
      editIntervalMs: isDirect ? settings!.editIntervalDmMs : settings!.editIntervalGroupMs,
      draftIntervalMs: opts.draftIntervalMs ?? settings!.draftIntervalMs,
      logger: log.child({ channel }),
      events: core.events,
    });
  }

  async function answer(msg: TgMessage, decision: Extract<ReturnType<typeof classify>, { action: 'answer' }>): Promise<void> {
    const chatLog = log.child({ channel: decision.channel, messageId: msg.message_id });
    const surface = surfaceFor(msg.chat.id, decision.threadId, decision.channel, decision.isDirect, decision.isDirect ? undefined : msg.message_id);
    if (decision.tooLarge && decision.media.length === 0) {
      await surface.send(line(locale, 'tooLarge')).catch(() => undefined);
      return;
    }
    const images: ImageInput[] = [];
    let audio: AudioInput | undefined;
    try {
      for (const media of decision.media) {
        const bytes = await download(media);
        if (media.kind === 'image') images.push({ bytes, mime: media.mime });
        else audio = { bytes, filename: media.filename, mime: media.mime };
      }
    } catch (err) {
      chatLog.warn({ err: describeTelegramError(err) }, 'attachment download failed');
      await surface.send(line(locale, 'downloadFailed')).catch(() => undefined);
      return;
    }
    const incoming: Incoming = {
      platform: 'telegram',
      channel: decision.channel,
      user: decision.user,
      text: decision.text,
      ...(images.length > 0 ? { images } : {}),
      ...(audio ? { audio } : {}),
      mentionsBot: decision.mentionsBot,
      isDirect: decision.isDirect,
      replyToBot: decision.replyToBot,
      isGroup: !decision.isDirect,
      messageId: String(msg.message_id),
    };
    // Not awaited here: the manager queues per channel; the next message may be a /stop.
    track(core.manager.handle(incoming, surface));
  }

  function track(work: Promise<void>): void {
    const p = work.catch((err: unknown) => log.error({ err }, 'message handling failed'));
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
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
        api
          .callApi('sendMessage', { chat_id: msg.chat.id, text: line(locale, 'refused') })
          .then(() => undefined, (err: unknown) => log.warn({ err: describeTelegramError(err) }, 'refusal not sent')),
      );
      return;
    }
    const previous = preparing.get(decision.channel) ?? Promise.resolve();
    const next = previous.then(() => answer(msg, decision)).catch((err: unknown) => log.error({ err }, 'message preparation failed'));
    preparing.set(decision.channel, next);
    track(
      next.finally(() => {
        if (preparing.get(decision.channel) === next) preparing.delete(decision.channel);
      }),
    );
  }

  /** setMyCommands only when the menu differs: fewer calls at every restart. */
  async function registerCommands(): Promise<void> {
    try {
      const current = await bot.telegram.getMyCommands();
      const same = JSON.stringify(current.map((c) => [c.command, c.description])) === JSON.stringify(BOT_COMMANDS.map((c) => [c.command, c.description]));
      if (!same) await bot.telegram.setMyCommands(BOT_COMMANDS);
    } catch (err) {
      log.warn({ err: describeTelegramError(err) }, 'could not register the command menu');
    }
  }

  async function startWebhook(url: URL): Promise<void> {
    const path = url.pathname || '/';
    // Telegram echoes this secret in every webhook request; telegraf answers 403 without it.
    const secretToken = settings!.webhookSecret ?? randomBytes(24).toString('hex');
    const callback = bot.webhookCallback(path, { secretToken });
    webhookServer = createServer((req, res) => void callback(req, res));
    await new Promise<void>((resolve, reject) => {
      webhookServer!.once('error', reject);
      webhookServer!.listen(opts.webhookPort ?? settings!.webhookPort, opts.webhookHost, () => resolve());
    });
    await bot.telegram.setWebhook(url.toString(), { secret_token: secretToken, allowed_updates: ['message'] });
    log.info({ path, port: (webhookServer.address() as AddressInfo).port }, 'webhook listening');
  }

  return {
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
      bot.on('message', (ctx) => onMessage(ctx.message as unknown as TgMessage));
      bot.catch((err) => log.error({ err }, 'telegraf handler error'));
      running = true;
      await registerCommands();
      if (settings.webhookUrl) {
        await startWebhook(new URL(settings.webhookUrl));
        return;
      }
      await new Promise<void>((resolve) => {
        polling = bot
          .launch({ allowedUpdates: ['message'] }, () => resolve())
          .catch((err: unknown) => {
            log.fatal({ err: describeTelegramError(err) }, 'Telegram polling stopped');
            pollingFailed = true;
            resolve();
          });
      });
      log.info({ bot: me.username }, 'polling for updates');
    },

    async stop() {
      if (!running) return;
      running = false;
      if (polling) {
        bot.stop('shutdown');
        await polling;
      }
      if (webhookServer) {
        const server = webhookServer;
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        await closed;
      }
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, opts.stopGraceMs ?? STOP_GRACE_MS);
      });
      await Promise.race([Promise.allSettled([...inFlight]), grace]);
      clearTimeout(timer);
    },
  };
}
