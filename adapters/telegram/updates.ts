// What the Telegram adapter does with each update once it has one (by polling, webhook or the
// shared inbox): a message is ignored, refused once, or handed to the dispatcher as work with a
// TelegramSurface for its chat; a button press goes to the keyboards. Every piece of work is
// tracked, so shutdown, a slot's drain and an inbox entry wait for it.
import { LRUCache } from 'lru-cache';
import type { Telegram } from 'telegraf';
import type { Core } from '../../src/app.js';
import { parseCommand } from '../../src/conversation/index.js';
import type { Logger } from '../../src/log.js';
import { FloodGates } from '../../src/relay/flood-gate.js';
import type { TelegramConfig } from './config.js';
import { describeTelegramError } from './errors.js';
import { channelKeyOf, classify, type AccessLists, type BotIdentity, type TgMessage } from './inbound.js';
import type { TgCallbackQuery } from './keyboards.js';
import { Keyboards } from './keyboards.js';
import { line } from './lines.js';
import { TelegramMedia, type Answerable } from './media.js';
import { helpText } from './menu.js';
import { entryScope } from './scale.js';
import { DraftSupport, TelegramSurface, type BotApi, type StreamMode } from './surface.js';

/** Users refused once are remembered (one polite refusal, not one per message). */
const REFUSED_USERS_REMEMBERED = 10_000;

export type StreamSetting = TelegramConfig['stream'];

/** Drafts exist only in private chats; groups always stream by editing. */
export function streamModeFor(setting: StreamSetting, isDirect: boolean): StreamMode {
  if (setting === 'off' || setting === 'edit') return setting;
  return isDirect ? 'draft' : 'edit';
}

export interface UpdateHandlerOptions {
  core: Core;
  settings: TelegramConfig;
  api: BotApi;
  /** telegraf's client, for file downloads. */
  telegram: Pick<Telegram, 'getFileLink'>;
  logger: Logger;
  draftIntervalMs?: number;
  retryAfterUnitMs?: number;
}

/** Where a reply goes: the chat, its topic, and whether it is a private chat. */
interface ReplyPlace {
  chatId: number;
  threadId?: number | undefined;
  channel: string;
  isDirect: boolean;
}

export class UpdateHandler {
  /** Set once getMe answered: messages are read only from then on. */
  identity: BotIdentity | undefined;
  private readonly gates = new FloodGates();
  private readonly drafts = new DraftSupport();
  private readonly refused = new LRUCache<string, true>({ max: REFUSED_USERS_REMEMBERED });
  private readonly access: AccessLists;
  private readonly locale: Core['config']['conversation']['locale'];
  private readonly media: TelegramMedia;
  private readonly keyboards: Keyboards;

  constructor(private readonly o: UpdateHandlerOptions) {
    const { core, settings, logger } = o;
    this.access = { users: settings.allowedUsers, chats: settings.allowedChats };
    this.locale = core.config.conversation.locale;
    this.media = new TelegramMedia({ telegram: o.telegram, logger, locale: this.locale, textMaxBytes: core.config.conversation.textAttachmentMaxBytes });
    this.keyboards = new Keyboards({ core, api: o.api, locale: this.locale, logger, surfaceFor: (place) => this.surfaceFor(place) });
  }

  onMessage(msg: TgMessage): void {
    if (!this.identity) return;
    const decision = classify(msg, this.identity, this.access);
    if (decision.action === 'ignore') {
      this.o.logger.debug({ chat: msg.chat.id, reason: decision.reason }, 'message ignored');
      return;
    }
    if (decision.action === 'refuse') return this.refuse(msg, decision.userId);
    this.answer(msg, decision);
  }

  onCallbackQuery(channel: string, query: TgCallbackQuery): void {
    this.track(channel, this.keyboards.onCallbackQuery(query));
  }

  private refuse(msg: TgMessage, userId: string): void {
    const { refused, o } = this;
    if (refused.has(userId)) return;
    refused.set(userId, true);
    o.logger.info({ user: userId }, 'user not on the allowlist; refused once');
    this.track(
      channelKeyOf(msg.chat.id, msg.is_topic_message ? msg.message_thread_id : undefined),
      o.api
        .callApi('sendMessage', { chat_id: msg.chat.id, text: line(this.locale, 'refused') })
        .then(() => undefined, (err: unknown) => o.logger.warn({ err: describeTelegramError(err) }, 'refusal not sent')),
    );
  }

  /** Hands the message to the manager at once, so it keeps its place in the chat's order. */
  private answer(msg: TgMessage, decision: Answerable): void {
    const { core, logger } = this.o;
    // Set when the update came from the shared inbox (several instances): see scale.ts.
    const entry = entryScope.getStore();
    const place: ReplyPlace = { chatId: msg.chat.id, threadId: decision.threadId, channel: decision.channel, isDirect: decision.isDirect };
    const replyTo = decision.isDirect ? undefined : msg.message_id;
    const surface = this.surfaceFor(place, replyTo, entry?.api);
    // /start, /help (and an unknown /word) answer from the menu's own list, not the core's help.
    if (decision.media.length === 0 && !decision.tooLarge && parseCommand(decision.text).kind === 'help') {
      const chatLog = logger.child({ channel: decision.channel, messageId: msg.message_id });
      const sent = surface.send(helpText(this.locale), { final: true }).then(() => undefined, (err: unknown) => chatLog.warn({ err }, 'help not sent'));
      return this.track(decision.channel, sent.finally(() => surface.close()));
    }
    if (decision.tooLarge && decision.media.length === 0) {
      return this.track(decision.channel, surface.send(line(this.locale, 'tooLarge')).then(() => undefined, () => undefined).finally(() => surface.close()));
    }
    const scope = { userId: decision.user.id, ...place };
    const cmd = decision.media.length === 0 ? parseCommand(decision.text) : { kind: 'chat' as const, text: decision.text };
    // Not awaited: the manager orders the chat's messages; the next one may be a /stop.
    const submit = () =>
      core.manager
        .submit(decision.channel, async (signal) => {
          // In the chat's order: a dead owner's partial reply goes before this one is answered again.
          await entry?.cleanup?.();
          return this.media.prepare(msg, decision, surface, signal);
        }, surface)
        .then(() => (cmd.kind === 'chat' || cmd.kind === 'retry' ? this.keyboards.offerRegenerate(surface, scope) : undefined));
    if ((cmd.kind === 'persona' || cmd.kind === 'model') && cmd.name === undefined) {
      // Without an argument these answer with a keyboard to pick from (text when there is none).
      return this.track(decision.channel, this.keyboards.showPicker(cmd, scope, replyTo).then((shown) => (shown ? undefined : submit())));
    }
    // The reply is the dispatcher's already; tracked too for the Regenerate keyboard after it.
    this.track(decision.channel, submit());
  }

  /** Work outside a reply is the dispatcher's tracked work too: shutdown and a slot's drain wait
   * for it; an inbox entry (scale.ts) settles once it has settled. */
  private track(channel: string, work: Promise<void>): void {
    const tracked = this.o.core.manager.track(channel, work);
    entryScope.getStore()?.work.push(tracked);
  }

  private surfaceFor(place: ReplyPlace, replyTo?: number, via: BotApi = this.o.api): TelegramSurface {
    const { settings, core, logger, retryAfterUnitMs } = this.o;
    const { chatId, threadId, channel, isDirect } = place;
    return new TelegramSurface({
      api: via,
      target: { chatId, threadId, replyToMessageId: replyTo },
      channel,
      mode: streamModeFor(settings.stream, isDirect),
      drafts: this.drafts,
      gate: this.gates.for(chatId),
      ...(retryAfterUnitMs ? { retryAfterUnitMs } : {}),
      editIntervalMs: isDirect ? settings.editIntervalDmMs : settings.editIntervalGroupMs,
      draftIntervalMs: this.o.draftIntervalMs ?? settings.draftIntervalMs,
      logger: logger.child({ channel }),
      events: core.events,
    });
  }
}
