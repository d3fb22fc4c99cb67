// One Telegram chat (or forum topic) as a Transport, and the reply session over it. Two ways to
// stream, chosen by the session: previews (sendMessageDraft: an animated draft in private chats,
// Bot API 9.5+, outside the edit limits; the final sendMessage replaces it) or a message and
// editMessageText. Final text goes out as Telegram HTML. Every Bot API failure becomes a
// SurfaceError (errors.ts); waiting, retrying and falling back are the session's.
import type { Logger } from '../../src/log.js';
import type { OpsEvents } from '../../src/ops/events.js';
import type { FloodGate } from '../../src/relay/flood-gate.js';
import { ReplySession } from '../../src/relay/reply-session.js';
import type { PostOptions, SurfaceLimits, Transport, TypingAction, Upload } from '../../src/types.js';
import { DRAFT_CADENCE, type DraftSupport, type StreamMode } from './drafts.js';
import { isNotModified, toSurfaceError } from './errors.js';
import { escapeHtml, markdownToTelegramHtml } from '../../src/format/telegram-html.js';
import { uploadCall } from './uploads.js';
import { ReplyAddress, type TelegramTarget } from './address.js';

export { DraftSupport, DRAFT_MAX_FAILURES, DRAFT_CADENCE, type StreamMode } from './drafts.js';
export type { TelegramTarget } from './address.js';

export const MAX_MESSAGE_UNITS = 4096;
/** Chat actions expire after ~5 s; renew a little sooner while nothing visible has been sent. */
export const TYPING_RENEW_MS = 4_000;
/** The part of telegraf's Telegram client the surface needs (callApi takes multipart too). */
export interface BotApi {
  callApi(method: string, payload: Record<string, unknown>): Promise<unknown>;
}

export interface TelegramSurfaceOptions {
  api: BotApi;
  target: TelegramTarget;
  channel: string;
  /** Requested mode; 'draft' falls back to 'edit' when the server refuses drafts. */
  mode: StreamMode;
  drafts: DraftSupport;
  /** The chat's flood gate, shared by every reply in it. */
  gate: FloodGate;
  editIntervalMs: number;
  draftIntervalMs: number;
  /** Length of one retry_after "second" in ms (1000; tests shrink it). */
  retryAfterUnitMs?: number;
  logger: Logger;
  /** Ops observation: 429s and retries. */
  events?: OpsEvents;
}

/** Streamed frames go out as plain text; the final text as Telegram HTML unless it was refused. */
function body(text: string, opts: PostOptions): Record<string, unknown> {
  return opts.final && !opts.plain ? { text: markdownToTelegramHtml(text), parse_mode: 'HTML' } : { text };
}

export class TelegramTransport implements Transport<number> {
  readonly platform = 'telegram' as const;
  readonly commandPrefix = '/';
  readonly typingRenewMs = TYPING_RENEW_MS;
  readonly channel: string;
  readonly limits: SurfaceLimits;
  readonly previewLimits: Pick<SurfaceLimits, 'minEditIntervalMs' | 'cadence'>;
  readonly preview?: (id: number, text: string) => Promise<void>;
  private readonly address: ReplyAddress;

  constructor(private readonly opts: TelegramSurfaceOptions) {
    this.channel = opts.channel;
    this.address = new ReplyAddress(opts.target);
    this.limits = {
      maxChars: MAX_MESSAGE_UNITS,
      canEdit: opts.mode !== 'off',
      minEditIntervalMs: opts.editIntervalMs,
      measure: (text) => text.length,
      audio: true,
      audioFormat: 'opus',
    };
    this.previewLimits = { minEditIntervalMs: opts.draftIntervalMs, cadence: DRAFT_CADENCE };
    if (opts.mode === 'draft' && opts.drafts.available) this.preview = (id, text) => this.draft(id, text);
  }

  async post(text: string, opts: PostOptions = {}): Promise<number> {
    const sent = (await this.call('sendMessage', { ...this.address.nextMessage(), ...body(text, opts) })) as { message_id: number };
    return sent.message_id;
  }

  async patch(messageId: number, text: string, opts: PostOptions = {}): Promise<void> {
    try {
      await this.opts.api.callApi('editMessageText', { chat_id: this.address.chatId, message_id: messageId, ...body(text, opts) });
    } catch (err) {
      // The message already shows this: nothing was lost.
      if (!isNotModified(err)) throw toSurfaceError(err, this.opts.retryAfterUnitMs);
    }
  }

  needsFinalWrite(text: string): boolean {
    return markdownToTelegramHtml(text) !== escapeHtml(text);
  }

  async upload(item: Upload): Promise<void> {
    const { method, payload } = uploadCall(item);
    await this.call(method, { ...this.address.nextMessage(), ...payload });
  }

  async typing(action: TypingAction): Promise<void> {
    await this.call('sendChatAction', { chat_id: this.address.chatId, action, ...this.address.thread() });
  }

  /** Puts an inline keyboard under a message. */
  async attachKeyboard(messageId: number, replyMarkup: { inline_keyboard: unknown[][] }): Promise<void> {
    await this.call('editMessageReplyMarkup', { chat_id: this.address.chatId, message_id: messageId, reply_markup: replyMarkup });
  }

  private async draft(id: number, text: string): Promise<void> {
    try {
      await this.opts.api.callApi('sendMessageDraft', { chat_id: this.address.chatId, draft_id: id, text, ...this.address.thread() });
      this.opts.drafts.succeeded();
    } catch (err) {
      const mapped = toSurfaceError(err, this.opts.retryAfterUnitMs);
      if (mapped.kind !== 'rate_limited') this.opts.drafts.failed(err);
      throw mapped;
    }
  }

  private async call(method: string, payload: Record<string, unknown>): Promise<unknown> {
    try {
      return await this.opts.api.callApi(method, payload);
    } catch (err) {
      throw toSurfaceError(err, this.opts.retryAfterUnitMs);
    }
  }
}

/** One reply in one Telegram chat. */
export class TelegramSurface extends ReplySession<number> {
  private readonly telegram: TelegramTransport;

  constructor(opts: TelegramSurfaceOptions) {
    const transport = new TelegramTransport(opts);
    super(transport, { logger: opts.logger, gate: opts.gate, ...(opts.events ? { events: opts.events } : {}) });
    this.telegram = transport;
  }

  /**
   * Puts an inline keyboard under the last message this reply sent (the regenerate button), once
   * the reply is over: an answer may span several messages and end with a notice, and an edit
   * of the text without the keyboard would drop it. False when nothing was sent.
   */
  async attachKeyboard(replyMarkup: { inline_keyboard: unknown[][] }): Promise<boolean> {
    const last = this.lastRef;
    if (last === undefined) return false;
    await this.mustDeliver(() => this.telegram.attachKeyboard(last, replyMarkup));
    return true;
  }
}
