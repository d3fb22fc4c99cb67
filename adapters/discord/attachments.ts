// User attachments the model can use: images (vision), audio (voice messages, audio files) and
// text files are downloaded, size-capped, because Discord's CDN URLs are signed and expire.
import type { Attachment, Message } from 'discord.js';
import { MessageFlags } from 'discord.js';
import { classifyFile, readTextFile } from '../../src/conversation/attachments.js';
import type { AudioInput, ImageInput, TextFile } from '../../src/types.js';

/** Vision inputs past this size cost more than they help; the provider may refuse them anyway. */
export const MAX_IMAGE_BYTES = 8 * 1024 * 1024;
/** Whisper-style APIs accept up to 25 MB. */
export const MAX_AUDIO_BYTES = 25 * 1024 * 1024;
export const MAX_IMAGES_PER_MESSAGE = 4;
const DOWNLOAD_TIMEOUT_MS = 15_000;

const isImage = (a: Attachment) => a.contentType?.startsWith('image/') ?? false;
const isAudio = (a: Attachment) => (a.contentType?.startsWith('audio/') ?? false) || a.duration !== null;

export async function download(url: string, maxBytes: number, abort?: AbortSignal): Promise<Uint8Array> {
  const timeout = AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS);
  const res = await fetch(url, { signal: abort ? AbortSignal.any([timeout, abort]) : timeout });
  if (!res.ok) throw new Error(`attachment download failed: HTTP ${res.status}`);
  const declared = Number(res.headers.get('content-length') ?? 0);
  if (declared > maxBytes) throw new Error(`attachment too large: ${declared} bytes`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  if (bytes.byteLength > maxBytes) throw new Error(`attachment too large: ${bytes.byteLength} bytes`);
  return bytes;
}

export interface UserMedia {
  images: ImageInput[];
  audio?: AudioInput;
  /** Every other attachment: its text, or why it was not read (the user gets a note). */
  files: TextFile[];
  /** Attachments that could not be used, for the log. */
  skipped: { name: string; reason: string }[];
}

/** Downloads what the model can use: images only when vision is on; the first audio clip. */
export async function collectMedia(message: Message, opts: { vision: boolean; textMaxBytes: number; signal?: AbortSignal }): Promise<UserMedia> {
  const media: UserMedia = { images: [], files: [], skipped: [] };
  const isVoiceMessage = message.flags.has(MessageFlags.IsVoiceMessage);
  for (const a of message.attachments.values()) {
    try {
      if (isImage(a) && opts.vision && media.images.length < MAX_IMAGES_PER_MESSAGE) {
        if (a.size > MAX_IMAGE_BYTES) throw new Error('too large');
        media.images.push({ bytes: await download(a.url, MAX_IMAGE_BYTES, opts.signal), mime: a.contentType ?? 'image/png' });
      } else if ((isAudio(a) || isVoiceMessage) && !media.audio) {
        if (a.size > MAX_AUDIO_BYTES) throw new Error('too large');
        media.audio = { bytes: await download(a.url, MAX_AUDIO_BYTES, opts.signal), filename: a.name, mime: a.contentType ?? undefined };
      } else if (!isImage(a) && !isAudio(a)) {
        media.files.push(await readAttachedFile(a, opts.textMaxBytes, opts.signal));
      } else {
        media.skipped.push({ name: a.name, reason: 'not used' });
      }
    } catch (err) {
      media.skipped.push({ name: a.name, reason: err instanceof Error ? err.message : String(err) });
    }
  }
  return media;
}

/** Size and type are known before downloading: only plausible text files are fetched. */
async function readAttachedFile(a: Attachment, maxBytes: number, signal?: AbortSignal): Promise<TextFile> {
  if (a.size > maxBytes) return { name: a.name, skipped: 'too_large' };
  if (classifyFile(a.name, a.contentType) === 'binary') return { name: a.name, skipped: 'binary' };
  return readTextFile(a.name, a.contentType, await download(a.url, maxBytes, signal), maxBytes);
}
