// One reply's Surface in one Telegram chat (or forum topic). Two ways to stream:
// - draft: sendMessageDraft shows an animated preview (private chats, Bot API 9.5+) that does
//   not count against edit limits; the finished text then goes out as ONE sendMessage, which
//   replaces the preview, so exactly one copy of the answer remains;
// - edit: sendMessage with the first words, then editMessageText, paced per chat.
// The final text is rendered as Telegram HTML, falls back to plain text if Telegram rejects the
// entities, and waits out any 429: pacing never loses the answer.
import { randomInt } from 'node:crypto';
import type { Logger } from '../../src/log.js';
import type { OpsEvents } from '../../src/ops/events.js';
import { minFrameGap } from '../../src/relay/cadence.js';
import type { AudioFormat, CadenceLimits, EditOptions, ImageOutput, MessageRef, Surface, SurfaceLimits } from '../../src/types.js';
import { describeTelegramError, isEntityError, isMessageGone, isNotModified, isTransient, isUnknownMethod, retryAfterSeconds } from './errors.js';
import { escapeHtml, markdownToTelegramHtml } from '../../src/format/telegram-html.js';
import type { ChatPacer } from './pacer.js';

export const MAX_MESSAGE_UNITS = 4096;
export const MAX_CAPTION_UNITS = 1024;
/** Chat actions expire after ~5 s; renew a little sooner while nothing visible has been sent. */
export const TYPING_RENEW_MS = 4_000;
/** Stop renewing a chat action that nobody ended after this long (a stuck reply). */
const TYPING_MAX_MS = 120_000;
/** 429s one call waits out before it gives up (each wait is the server's retry_after). */
const MAX_FLOOD_WAITS = 5;
/** Retries of a must-deliver call after a 5xx or a network failure. */
const MAX_TRANSIENT_RETRIES = 2;
const TRANSIENT_RETRY_BASE_MS = 300;
/** Consecutive draft failures (other than "unknown method") before the adapter stops drafting for a while. */
export const DRAFT_MAX_FAILURES = 3;
/** After drafts failed repeatedly, try them again after this long. */
const DRAFT_COOLDOWN_MS = 10 * 60_000;
/**
 * Early frames (src/relay/cadence.ts), drafts only: they do not count against the chat's message
 * limits, so the second frame may follow the first by one round trip, and the final message
 * (which replaces the preview) needs no wait after the last draft. Edits count as messages
 * (~1/s per chat, 20/min in groups): the steady interval already spends that budget.
 */
export const DRAFT_CADENCE: CadenceLimits = { burst: 1, minGapMs: 50, finalGapMs: 0 };
/** Draft ids are positive 31-bit integers; any non-zero value works, a fresh one per message. */
const MAX_DRAFT_ID = 2 ** 31 - 1;

export type StreamMode = 'draft' | 'edit' | 'off';

/** The part of telegraf's Telegram client the surface needs (callApi takes multipart too). */
export interface BotApi {
  callApi(method: string, payload: Record<string, unknown>): Promise<unknown>;
}

/** Adapter-wide memory of whether this Bot API server takes drafts. */
export class DraftSupport {
  private consecutiveFailures = 0;
  private disabledUntil = 0;
  private unsupported = false;

  get available(): boolean {
    return !this.unsupported && Date.now() >= this.disabledUntil;
  }

  succeeded(): void {
    this.consecutiveFailures = 0;
  }

  /** Returns true when this failure switched drafts off. */
  failed(err: unknown): boolean {
    if (isUnknownMethod(err)) {
      this.unsupported = true;
      return true;
    }
    this.consecutiveFailures += 1;
    if (this.consecutiveFailures < DRAFT_MAX_FAILURES) return false;
    this.consecutiveFailures = 0;
    this.disabledUntil = Date.now() + DRAFT_COOLDOWN_MS;
    return true;
  }
}

export interface TelegramTarget {
  chatId: number;
  /** Forum topic (message_thread_id) the reply belongs in. */
  threadId?: number;
  /** The user's message to answer as a reply (groups, so it is clear who is answered). */
  replyToMessageId?: number;
}

export interface TelegramSurfaceOptions {
  api: BotApi;
  target: TelegramTarget;
  channel: string;
  /** Requested mode; 'draft' falls back to 'edit' when the server refuses drafts. */
  mode: StreamMode;
  drafts: DraftSupport;
  pacer: ChatPacer;
  editIntervalMs: number;
  draftIntervalMs: number;
  logger: Logger;
  /** Ops observation: 429s and retries. */
  events?: OpsEvents;
}

/** What `send` returns: a draft being written, or a real message. Mutable: a draft turns into a message. */
interface SentRef {
  kind: 'draft' | 'message';
  draftId?: number;
  messageId?: number;
  /** The latest text the relay gave us for this message. */
  text: string;
  /** The text Telegram shows right now (undefined: nothing visible yet). */
  shown?: string;
  lastWriteAt: number;
  /** Frames written to this message while streaming (the first counts). */
  frames: number;
  final: boolean;
}

const utf16Units = (text: string) => text.length;

/** Cuts to at most `max` UTF-16 units without splitting a surrogate pair. */
function truncateUnits(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = max - 1;
  if (/[\uD800-\uDBFF]/.test(text[cut - 1] ?? '')) cut -= 1;
  return `${text.slice(0, cut)}…`;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class TelegramSurface implements Surface {
  readonly platform = 'telegram' as const;
  readonly commandPrefix = '/';
  readonly channel: string;
  private mode: StreamMode;
  private readonly refs: SentRef[] = [];
  private typingTimer?: NodeJS.Timeout;
  private typingStartedAt = 0;
  private lastAction?: { action: string; at: number };
  private closed = false;
  private repliedTo = false;

  constructor(private readonly opts: TelegramSurfaceOptions) {
    this.channel = opts.channel;
    this.mode = opts.mode === 'draft' && !opts.drafts.available ? 'edit' : opts.mode;
  }

  /** Current stream mode (draft turns into edit after a fallback). */
  get streamMode(): StreamMode {
    return this.mode;
  }

  get limits(): SurfaceLimits {
    const cadence = this.mode === 'draft' ? DRAFT_CADENCE : undefined;
    return {
      maxChars: MAX_MESSAGE_UNITS,
      canEdit: this.mode !== 'off',
      minEditIntervalMs: this.mode === 'draft' ? this.opts.draftIntervalMs : this.opts.editIntervalMs,
      ...(cadence ? { cadence } : {}),
      measure: utf16Units,
      audio: true,
      audioFormat: 'opus',
    };
  }

  async send(text: string, opts: EditOptions = {}): Promise<MessageRef> {
    this.stopTyping();
    // A previous message the relay never finalized must not be left as a vanishing draft.
    await this.finalizeOpen();
    const ref: SentRef = { kind: 'message', text, lastWriteAt: 0, frames: 0, final: false };
    this.refs.push(ref);
    if (opts.final) {
      // Complete already: one sendMessage with the rendered HTML, no draft or edit before it.
      ref.final = true;
      if (text.trim() !== '') await this.sendRendered(ref);
    } else if (this.mode === 'draft' && this.opts.drafts.available) {
      ref.kind = 'draft';
      ref.draftId = randomInt(1, MAX_DRAFT_ID);
      await this.writeDraft(ref, text);
    } else {
      await this.sendAsMessage(ref, text);
    }
    return ref;
  }

  async edit(handle: MessageRef, text: string, opts: EditOptions = {}): Promise<void> {
    const ref = handle as SentRef;
    ref.text = text;
    if (opts.final) return this.finalize(ref);
    // The relay paces frames with the same policy; this guards the chat against any other caller.
    const limits = this.limits;
    const tooSoon = Date.now() - ref.lastWriteAt < minFrameGap(ref, limits.minEditIntervalMs, limits.cadence);
    // Intermediate frames are best-effort: skipping one loses nothing, the final text follows.
    if (tooSoon || this.opts.pacer.blocked || text === ref.shown) return;
    if (ref.kind === 'draft') return this.writeDraft(ref, text);
    await this.editBestEffort(ref, text);
  }

  async sendImage(image: ImageOutput, caption?: string): Promise<void> {
    this.stopTyping();
    await this.finalizeOpen();
    const photo = image.bytes ? { source: Buffer.from(image.bytes), filename: `image.${extensionOf(image.mime)}` } : image.url;
    if (!photo) throw new Error('image has neither bytes nor url');
    await this.mustDeliver('sendPhoto', {
      ...this.where(),
      photo,
      ...(caption ? { caption: truncateUnits(caption, MAX_CAPTION_UNITS) } : {}),
    });
  }

  async sendAudio(bytes: Uint8Array, format: AudioFormat): Promise<void> {
    this.stopTyping();
    await this.finalizeOpen();
    const source = Buffer.from(bytes);
    // Voice notes must be OGG/Opus; anything else is sent as a playable audio file.
    if (format === 'opus') await this.mustDeliver('sendVoice', { ...this.where(), voice: { source, filename: 'voice.ogg' } });
    else await this.mustDeliver('sendAudio', { ...this.where(), audio: { source, filename: `speech.${format}` } });
  }

  async typing(action: 'typing' | 'upload_photo' | 'record_voice' = 'typing'): Promise<void> {
    if (this.closed) return;
    const now = Date.now();
    if (!this.typingTimer) this.typingStartedAt = now;
    const fresh = this.lastAction?.action === action && now - this.lastAction.at < TYPING_RENEW_MS - 500;
    if (!fresh && !this.opts.pacer.blocked) {
      this.lastAction = { action, at: now };
      await this.opts.api
        .callApi('sendChatAction', { chat_id: this.opts.target.chatId, action, ...this.thread() })
        .catch((err: unknown) => this.opts.logger.debug({ err: describeTelegramError(err) }, 'chat action failed'));
    }
    // Keep the indicator alive until something visible arrives (it expires after ~5 s).
    clearInterval(this.typingTimer);
    this.typingTimer = setInterval(() => {
      if (Date.now() - this.typingStartedAt > TYPING_MAX_MS) return this.stopTyping();
      void this.typing(action);
    }, TYPING_RENEW_MS);
    this.typingTimer.unref();
  }

  /**
   * Puts an inline keyboard under the last message this reply sent (the regenerate button), once
   * the reply is over: an answer may span several messages and end with a notice, and an edit
   * of the text without the keyboard would drop it. False when nothing was sent.
   */
  async attachKeyboard(replyMarkup: { inline_keyboard: unknown[][] }): Promise<boolean> {
    const last = this.refs.findLast((r) => r.kind === 'message' && r.messageId !== undefined);
    if (!last) return false;
    await this.mustDeliver('editMessageReplyMarkup', { chat_id: this.opts.target.chatId, message_id: last.messageId, reply_markup: replyMarkup });
    return true;
  }

  /** Ends the reply: anything still open is delivered as a final message; timers stop. */
  async close(): Promise<void> {
    this.stopTyping();
    await this.finalizeOpen();
    this.closed = true;
  }

  private stopTyping(): void {
    clearInterval(this.typingTimer);
    this.typingTimer = undefined;
  }

  private async finalizeOpen(): Promise<void> {
    for (const ref of this.refs) if (!ref.final) await this.finalize(ref);
  }

  private thread(): Record<string, unknown> {
    return this.opts.target.threadId === undefined ? {} : { message_thread_id: this.opts.target.threadId };
  }

  /** Chat, topic and (for the first message of a reply in a group) the message answered. */
  private where(): Record<string, unknown> {
    const base: Record<string, unknown> = { chat_id: this.opts.target.chatId, ...this.thread() };
    if (this.opts.target.replyToMessageId !== undefined && !this.repliedTo) {
      this.repliedTo = true;
      base.reply_parameters = { message_id: this.opts.target.replyToMessageId, allow_sending_without_reply: true };
    }
    return base;
  }

  private async writeDraft(ref: SentRef, text: string): Promise<void> {
    ref.lastWriteAt = Date.now();
    try {
      await this.opts.api.callApi('sendMessageDraft', { chat_id: this.opts.target.chatId, draft_id: ref.draftId, text, ...this.thread() });
      this.opts.drafts.succeeded();
      ref.shown = text;
      ref.frames += 1;
    } catch (err) {
      const retryAfter = retryAfterSeconds(err);
      if (retryAfter !== undefined) {
        this.opts.pacer.block(retryAfter);
        this.opts.events?.emit({ type: 'platform.rate_limited', platform: 'telegram' });
        return;
      }
      const switchedOff = this.opts.drafts.failed(err);
      this.opts.logger.warn({ err: describeTelegramError(err), switchedOff }, 'draft failed; this reply continues with edits');
      // The reply goes on as an ordinary message + edits, starting from what we have now.
      this.mode = 'edit';
      await this.sendAsMessage(ref, ref.text);
    }
  }

  private async sendAsMessage(ref: SentRef, text: string): Promise<void> {
    const sent = (await this.mustDeliver('sendMessage', { ...this.where(), text })) as { message_id: number };
    Object.assign(ref, { kind: 'message', draftId: undefined, messageId: sent.message_id, shown: text, lastWriteAt: Date.now() });
    ref.frames += 1;
  }

  private async editBestEffort(ref: SentRef, text: string): Promise<void> {
    ref.lastWriteAt = Date.now();
    try {
      await this.opts.api.callApi('editMessageText', { chat_id: this.opts.target.chatId, message_id: ref.messageId, text });
      ref.shown = text;
      ref.frames += 1;
    } catch (err) {
      const retryAfter = retryAfterSeconds(err);
      if (retryAfter !== undefined) this.opts.events?.emit({ type: 'platform.rate_limited', platform: 'telegram' });
      if (retryAfter !== undefined) this.opts.pacer.block(retryAfter);
      else if (!isNotModified(err)) this.opts.logger.debug({ err: describeTelegramError(err) }, 'intermediate edit failed');
    }
  }

  /** Delivers the complete text: HTML when Telegram accepts it, else the plain text. */
  private async finalize(ref: SentRef): Promise<void> {
    ref.final = true;
    const text = ref.text;
    if (text.trim() === '') return;
    const html = markdownToTelegramHtml(text);
    if (ref.kind === 'draft') {
      // One real message replaces the preview; the draft is never left as the only copy.
      await this.sendRendered(ref);
      return;
    }
    // Already showing exactly this, and there is no markup to render: nothing to do.
    if (ref.shown === text && html === escapeHtml(text)) return;
    const edit = (payload: Record<string, unknown>) =>
      this.mustDeliver('editMessageText', { chat_id: this.opts.target.chatId, message_id: ref.messageId, ...payload });
    try {
      await this.withPlainFallback(
        () => edit({ text: html, parse_mode: 'HTML' }),
        () => edit({ text }),
      );
      ref.shown = text;
    } catch (err) {
      if (isNotModified(err)) return;
      if (!isMessageGone(err)) throw err;
      // Someone deleted the message mid-stream: the answer still arrives, as a new message.
      await this.sendAsMessage(ref, text);
    }
  }

  /** Sends ref.text as a new message: HTML when Telegram accepts it, else the plain text. */
  private async sendRendered(ref: SentRef): Promise<void> {
    const text = ref.text;
    const where = this.where();
    const sent = await this.withPlainFallback(
      () => this.mustDeliver('sendMessage', { ...where, text: markdownToTelegramHtml(text), parse_mode: 'HTML' }),
      () => this.mustDeliver('sendMessage', { ...where, text }),
    );
    Object.assign(ref, { kind: 'message', draftId: undefined, messageId: (sent as { message_id: number }).message_id, shown: text, lastWriteAt: Date.now() });
  }

  private async withPlainFallback<T>(rich: () => Promise<T>, plain: () => Promise<T>): Promise<T> {
    try {
      return await rich();
    } catch (err) {
      if (!isEntityError(err)) throw err;
      this.opts.logger.warn({ err: describeTelegramError(err) }, 'Telegram rejected the HTML; sending plain text');
      return plain();
    }
  }

  /** A call whose result the user must see: waits out 429s and retries transient failures. */
  private async mustDeliver(method: string, payload: Record<string, unknown>): Promise<unknown> {
    let floodWaits = 0;
    let transientRetries = 0;
    for (;;) {
      await this.opts.pacer.ready();
      try {
        return await this.opts.api.callApi(method, payload);
      } catch (err) {
        const retryAfter = retryAfterSeconds(err);
        if (retryAfter !== undefined) this.opts.events?.emit({ type: 'platform.rate_limited', platform: 'telegram' });
        if (retryAfter !== undefined && floodWaits < MAX_FLOOD_WAITS) {
          floodWaits += 1;
          this.opts.logger.info({ method, retryAfter }, 'Telegram flood control; waiting');
          this.opts.pacer.block(retryAfter);
          this.opts.events?.emit({ type: 'platform.retry', platform: 'telegram' });
          continue;
        }
        if (isTransient(err) && transientRetries < MAX_TRANSIENT_RETRIES) {
          transientRetries += 1;
          this.opts.events?.emit({ type: 'platform.retry', platform: 'telegram' });
          await sleep(TRANSIENT_RETRY_BASE_MS * 2 ** (transientRetries - 1));
          continue;
        }
        throw err;
      }
    }
  }
}

function extensionOf(mime: string): string {
  const sub = mime.split('/')[1]?.split(/[;+]/)[0] ?? 'png';
  return sub === 'jpeg' ? 'jpg' : sub;
}
