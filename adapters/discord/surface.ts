// What both Discord transports share: limits, mention safety, files, error mapping. Subclasses
// only say how a message body is posted and patched (a reply in a channel, or an interaction's
// webhook) and whether typing shows. The reply session over it does pacing, retries and typing.
import type { AttachmentBuilder, MessageMentionOptions } from 'discord.js';
import type { Logger } from '../../src/log.js';
import type { CadenceLimits, ChannelKey, PostOptions, SurfaceLimits, Transport, Upload } from '../../src/types.js';
import { mapped } from './errors.js';
import { audioFile, fitsUpload, imageFile } from './files.js';
import { DISCORD_MAX_CHARS, TYPING_RENEW_MS } from './limits.js';
import { line, type Locale } from './lines.js';

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
  content?: string | undefined;
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

export abstract class DiscordTransport<Ref> implements Transport<Ref> {
  readonly platform = 'discord' as const;
  readonly commandPrefix = '/';
  readonly typingRenewMs = TYPING_RENEW_MS;
  readonly channel: ChannelKey;
  readonly limits: SurfaceLimits;
  protected readonly logger: Logger;
  private readonly mentions: MessageMentionOptions;
  private readonly locale: Locale;

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
  }

  /** Posts a new message (the first one may be special: a reply, the deferred response). */
  protected abstract postBody(body: OutgoingBody): Promise<Ref>;
  protected abstract patchBody(ref: Ref, body: OutgoingBody): Promise<void>;

  post(text: string, _opts?: PostOptions): Promise<Ref> {
    // Discord renders markdown itself: the final text goes out as it is.
    return mapped(() => this.postBody({ content: text, allowedMentions: this.mentions }));
  }

  patch(ref: Ref, text: string, _opts?: PostOptions): Promise<void> {
    return mapped(() => this.patchBody(ref, { content: text, allowedMentions: this.mentions }));
  }

  async upload(item: Upload): Promise<void> {
    const allowedMentions = this.mentions;
    if (item.kind === 'audio') {
      if (fitsUpload(item.bytes)) return void (await mapped(() => this.postBody({ files: [audioFile(item.bytes, item.format)], allowedMentions })));
      this.logger.warn({ bytes: item.bytes.byteLength }, 'audio too large to upload');
      return void (await mapped(() => this.postBody({ content: line(this.locale, 'audioTooLarge'), allowedMentions })));
    }
    const { image, caption } = item;
    const content = caption ? clip(caption, DISCORD_MAX_CHARS) : undefined;
    if (image.bytes && fitsUpload(image.bytes)) {
      const files = [imageFile({ ...image, bytes: image.bytes })];
      return void (await mapped(() => this.postBody({ content, files, allowedMentions })));
    }
    // Too big to upload (or no bytes): the provider URL is better than nothing.
    this.logger.warn({ bytes: image.bytes?.byteLength }, 'image not uploadable, sending its URL');
    const text = [content, image.url].filter(Boolean).join('\n');
    if (text) await mapped(() => this.postBody({ content: clip(text, DISCORD_MAX_CHARS), allowedMentions }));
  }
}
