// A message's files, downloaded inside the chat's order (the dispatcher runs `prepare` there):
// photos and voice become the Incoming's images and audio, documents are read as text where
// they are text. A failed download is said once in the chat; the log has the detail.
import { readFile } from 'node:fs/promises';
import type { Telegram } from 'telegraf';
import { classifyFile, readTextFile } from '../../src/conversation/attachments.js';
import type { Logger } from '../../src/log.js';
import type { AudioInput, ImageInput, Incoming, TextFile } from '../../src/types.js';
import { describeTelegramError } from './errors.js';
import { MAX_DOWNLOAD_BYTES, type classify, type MediaRef, type TgMessage } from './inbound.js';
import { line } from './lines.js';
import type { TelegramSurface } from './surface.js';

const DOWNLOAD_TIMEOUT_MS = 30_000;

/** A message classify() decided to answer. */
export type Answerable = Extract<ReturnType<typeof classify>, { action: 'answer' }>;

export interface TelegramMediaOptions {
  telegram: Pick<Telegram, 'getFileLink'>;
  logger: Logger;
  locale: 'en' | 'zh';
  /** TEXT_ATTACHMENT_MAX_BYTES */
  textMaxBytes: number;
}

export class TelegramMedia {
  constructor(private readonly o: TelegramMediaOptions) {}

  /** Downloads the message's files; undefined after a failure was said in the chat. */
  async prepare(msg: TgMessage, decision: Answerable, surface: TelegramSurface, signal: AbortSignal): Promise<Incoming | undefined> {
    const images: ImageInput[] = [];
    let audio: AudioInput | undefined;
    const files: TextFile[] = [];
    try {
      for (const media of decision.media) {
        if (media.kind === 'file') {
          files.push(await this.readDocument(media, signal));
          continue;
        }
        const bytes = await this.download(media, signal);
        if (media.kind === 'image') images.push({ bytes, mime: media.mime });
        else audio = { bytes, filename: media.filename, mime: media.mime };
      }
    } catch (err) {
      // Stopped or shutting down: the manager says so.
      if (signal.aborted) throw err;
      this.o.logger.warn({ err: describeTelegramError(err), channel: decision.channel, messageId: msg.message_id }, 'attachment download failed');
      await surface.send(line(this.o.locale, 'downloadFailed')).catch(() => undefined);
      return undefined;
    }
    return {
      platform: 'telegram',
      channel: decision.channel,
      user: decision.user,
      text: decision.text,
      ...(images.length > 0 ? { images } : {}),
      ...(audio ? { audio } : {}),
      ...(files.length > 0 ? { files } : {}),
      mentionsBot: decision.mentionsBot,
      isDirect: decision.isDirect,
      replyToBot: decision.replyToBot,
      isGroup: !decision.isDirect,
      messageId: String(msg.message_id),
    };
  }

  private async download(media: MediaRef, abort: AbortSignal): Promise<Uint8Array> {
    const link = await this.o.telegram.getFileLink(media.fileId);
    // A self-hosted Bot API server (--local) answers absolute paths on its own disk.
    if (link.protocol === 'file:') return new Uint8Array(await readFile(link.pathname, { signal: abort }));
    const res = await fetch(link, { signal: AbortSignal.any([AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS), abort]) });
    if (!res.ok) throw new Error(`file download failed: HTTP ${res.status}`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    if (bytes.length > MAX_DOWNLOAD_BYTES) throw new Error('file too large');
    return bytes;
  }

  /** Only a document that may be text and fits the limit is downloaded. */
  private async readDocument(media: MediaRef, signal: AbortSignal): Promise<TextFile> {
    const max = this.o.textMaxBytes;
    if ((media.size ?? 0) > max) return { name: media.filename, skipped: 'too_large' };
    if (classifyFile(media.filename, media.mime) === 'binary') return { name: media.filename, skipped: 'binary' };
    return readTextFile(media.filename, media.mime, await this.download(media, signal), max);
  }
}
