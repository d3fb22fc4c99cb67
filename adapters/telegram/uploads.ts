// Generated images and speech as Bot API uploads: photos with a caption Telegram accepts, voice
// notes when the audio is OGG/Opus, playable audio files otherwise.
import type { Upload } from '../../src/types.js';

export const MAX_CAPTION_UNITS = 1024;

/** Cuts to at most `max` UTF-16 units without splitting a surrogate pair. */
function truncateUnits(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = max - 1;
  if (/[\uD800-\uDBFF]/.test(text[cut - 1] ?? '')) cut -= 1;
  return `${text.slice(0, cut)}…`;
}

function extensionOf(mime: string): string {
  const sub = mime.split('/')[1]?.split(/[;+]/)[0] ?? 'png';
  return sub === 'jpeg' ? 'jpg' : sub;
}

/** The Bot API method and payload (without the chat) that uploads `item`. */
export function uploadCall(item: Upload): { method: string; payload: Record<string, unknown> } {
  if (item.kind === 'image') {
    const { image, caption } = item;
    const photo = image.bytes ? { source: Buffer.from(image.bytes), filename: `image.${extensionOf(image.mime)}` } : image.url;
    if (!photo) throw new Error('image has neither bytes nor url');
    return { method: 'sendPhoto', payload: { photo, ...(caption ? { caption: truncateUnits(caption, MAX_CAPTION_UNITS) } : {}) } };
  }
  const source = Buffer.from(item.bytes);
  if (item.format === 'opus') return { method: 'sendVoice', payload: { voice: { source, filename: 'voice.ogg' } } };
  return { method: 'sendAudio', payload: { audio: { source, filename: `speech.${item.format}` } } };
}
