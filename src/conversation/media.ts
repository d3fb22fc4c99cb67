// Slow provider calls that are not a streamed answer (speech, images, transcription) show the
// surface's chat action while they run.
import type { Surface, TypingAction } from '../types.js';
import type { CommandContext, CommandServices } from './commands/context.js';

/** OpenAI's speech endpoint takes at most 4,096 characters of input. */
const TTS_MAX_INPUT_CHARS = 4_096;

/**
 * Shows a chat action while slow work runs. Said once: the surface (the reply session) renews it
 * until something visible is posted or the reply closes.
 */
export function withTyping<T>(surface: Surface, action: TypingAction, work: () => Promise<T>): Promise<T> {
  surface.typing(action).catch(() => undefined);
  return work();
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
