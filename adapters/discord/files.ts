// Outgoing files: generated images and speech become real uploads (bytes, not expiring URLs).
import { AttachmentBuilder } from 'discord.js';
import type { AudioFormat, ImageOutput } from '../../src/types.js';
import { DISCORD_UPLOAD_LIMIT_BYTES } from './limits.js';

const IMAGE_EXTENSION: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/webp': 'webp',
  'image/gif': 'gif',
};

const AUDIO_EXTENSION: Record<AudioFormat, string> = { mp3: 'mp3', opus: 'ogg', aac: 'aac', flac: 'flac', wav: 'wav' };

export function fitsUpload(bytes: Uint8Array | undefined): boolean {
  return bytes !== undefined && bytes.byteLength > 0 && bytes.byteLength <= DISCORD_UPLOAD_LIMIT_BYTES;
}

export function imageFile(image: ImageOutput & { bytes: Uint8Array }): AttachmentBuilder {
  return new AttachmentBuilder(Buffer.from(image.bytes), { name: `image.${IMAGE_EXTENSION[image.mime] ?? 'png'}` });
}

export function audioFile(bytes: Uint8Array, format: AudioFormat): AttachmentBuilder {
  return new AttachmentBuilder(Buffer.from(bytes), { name: `speech.${AUDIO_EXTENSION[format]}` });
}
