// What both Discord surfaces share: limits, mention safety, files, typing. Subclasses only say
// how a message is posted and edited (a reply in a channel, or an interaction's webhook).
import type { AttachmentBuilder, MessageMentionOptions } from 'discord.js';
import type { Logger } from '../../src/log.js';
import type { AudioFormat, CadenceLimits, ChannelKey, EditOptions, ImageOutput, MessageRef, Surface, SurfaceLimits } from '../../src/types.js';
import { audioFile, fitsUpload, imageFile } from './files.js';
import { DISCORD_MAX_CHARS } from './limits.js';
import { line, type Locale } from './lines.js';
import { TypingIndicator } from './typing.js';

export interface DiscordSurfaceOptions {
  channel: ChannelKey;
  /** Language of the adapter's own lines (LOCALE). */
  locale?: Locale;
  editIntervalMs: number;
  /** May a reply ping the user it answers (DISCORD_PING_AUTHOR)? */
  pingAuthor: boolean;
  logger: Logger;
}

/** A message body as both channel messages and interaction webhooks take it. */
export interface OutgoingBody {
  content?: string;
  files?: AttachmentBuilder[];
  allowedMentions: MessageMentionOptions;
}

/** Model text must never ping @everyone, @here, roles or users; only the author, if allowed. */
export function safeMentions(pingAuthor: boolean): MessageMentionOptions {
  return { parse: [], repliedUser: pingAuthor };
}

const clip = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

/**
 * One early edit (src/relay/cadence.ts) 600 ms after the first text: message edits share a bucket
 * of 5 per 5 s per channel, and with the steady interval (>= 1,000 ms) after it no 5 s window
 * holds more than 5 edits, even across a reply's messages.
 */
export const DISCORD_EDIT_CADENCE: CadenceLimits = { burst: 1, minGapMs: 600 };

export abstract class DiscordSurface implements Surface {
  readonly platform = 'discord' as const;
  readonly commandPrefix = '/';
  readonly channel: ChannelKey;
  readonly limits: SurfaceLimits;
  protected readonly logger: Logger;
  protected readonly typingIndicator: TypingIndicator;
  private readonly mentions: MessageMentionOptions;
  private readonly locale: Locale;
  /** What each message of this reply shows now. */
  private readonly shown = new Map<MessageRef, string>();

  constructor(opts: DiscordSurfaceOptions) {
    this.channel = opts.channel;
    this.logger = opts.logger;
    this.mentions = safeMentions(opts.pingAuthor);
    this.locale = opts.locale ?? 'en';
    this.limits = {
      maxChars: DISCORD_MAX_CHARS,
      // UTF-16 units: at least Discord's own count, so a chunk is never refused as too long.
      measure: (text) => text.length,
      canEdit: true,
      minEditIntervalMs: opts.editIntervalMs,
      ...(opts.editIntervalMs >= 1000 ? { cadence: DISCORD_EDIT_CADENCE } : {}),
      audio: true,
      audioFormat: 'mp3',
    };
    this.typingIndicator = new TypingIndicator(
      () => this.sendTyping(),
      (err) => this.logger.debug({ err }, 'typing failed'),
    );
  }

  /** Posts a new message (the first one may be special: a reply, the deferred response). */
  protected abstract post(body: OutgoingBody): Promise<MessageRef>;
  protected abstract patch(ref: MessageRef, body: OutgoingBody): Promise<void>;
  protected abstract sendTyping(): Promise<unknown>;

  /** Starts the typing indicator; it stops at the first message sent. */
  startTyping(): void {
    this.typingIndicator.start();
  }

  async send(text: string): Promise<MessageRef> {
    this.typingIndicator.stop();
    const ref = await this.post({ content: text, allowedMentions: this.mentions });
    this.shown.set(ref, text);
    return ref;
  }

  async edit(ref: MessageRef, text: string, _opts?: EditOptions): Promise<void> {
    // Discord renders markdown itself: a final edit that changes nothing would only spend
    // one of the channel's ~5 writes per 5 s.
    if (this.shown.get(ref) === text) return;
    await this.patch(ref, { content: text, allowedMentions: this.mentions });
    this.shown.set(ref, text);
  }

  async sendImage(image: ImageOutput, caption?: string): Promise<void> {
    this.typingIndicator.stop();
    const content = caption ? clip(caption, DISCORD_MAX_CHARS) : undefined;
    if (image.bytes && fitsUpload(image.bytes)) {
      await this.post({ content, files: [imageFile({ ...image, bytes: image.bytes })], allowedMentions: this.mentions });
      return;
    }
    // Too big to upload (or no bytes): the provider URL is better than nothing.
    this.logger.warn({ bytes: image.bytes?.byteLength }, 'image not uploadable, sending its URL');
    const text = [content, image.url].filter(Boolean).join('\n');
    if (text) await this.post({ content: clip(text, DISCORD_MAX_CHARS), allowedMentions: this.mentions });
  }

  async sendAudio(bytes: Uint8Array, format: AudioFormat): Promise<void> {
    this.typingIndicator.stop();
    if (!fitsUpload(bytes)) {
      this.logger.warn({ bytes: bytes.byteLength }, 'audio too large to upload');
      await this.post({ content: line(this.locale, 'audioTooLarge'), allowedMentions: this.mentions });
      return;
    }
    await this.post({ files: [audioFile(bytes, format)], allowedMentions: this.mentions });
  }

  async typing(): Promise<void> {
    this.typingIndicator.pulse();
  }

  async close(): Promise<void> {
    this.typingIndicator.stop();
  }
}
