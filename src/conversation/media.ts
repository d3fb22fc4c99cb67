// Slow provider calls that are not a streamed answer (speech, images, transcription) keep the
// surface's chat action alive while they run.
import type { Surface } from '../types.js';
import type { CommandContext, CommandServices } from './commands/context.js';

/** Typing/upload indicators expire after ~5 s on Telegram; renew a little sooner. */
const TYPING_RENEW_MS = 4_000;
/** OpenAI's speech endpoint takes at most 4,096 characters of input. */
const TTS_MAX_INPUT_CHARS = 4_096;

/** Keeps a chat action alive while slow work runs. */
export async function withTyping<T>(surface: Surface, action: 'typing' | 'upload_photo' | 'record_voice', work: () => Promise<T>): Promise<T> {
  const ping = () => void surface.typing(action).catch(() => undefined);
  ping();
  const timer = setInterval(ping, TYPING_RENEW_MS);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

/** Speaks `text` as an audio message (the tts command and voice mode). */
export async function speak(ctx: Pick<CommandContext, 'surface' | 'signal' | 'requestId'>, services: CommandServices, text: string): Promise<void> {
  const { surface, signal, requestId } = ctx;
  if (surface.limits.audio === false) return services.speaker.say(surface, 'voice_unavailable');
  const format = surface.limits.audioFormat ?? 'mp3';
  const { ttsModel, ttsVoice } = services.settings.media;
  const speech = await withTyping(surface, 'record_voice', () =>
    services.llm.speech({ text: clipForSpeech(text), model: ttsModel, voice: ttsVoice, format, signal, requestId }),
  );
  await surface.sendAudio(speech.bytes, speech.format);
}

/** Long answers are spoken up to the last sentence end that fits the speech endpoint's limit. */
export function clipForSpeech(text: string, max = TTS_MAX_INPUT_CHARS): string {
  if (text.length <= max) return text;
  const head = text.slice(0, max);
  const lastEnd = Math.max(head.lastIndexOf('. '), head.lastIndexOf('。'), head.lastIndexOf('! '), head.lastIndexOf('? '), head.lastIndexOf('\n'));
  return lastEnd > max / 2 ? head.slice(0, lastEnd + 1) : head;
}
