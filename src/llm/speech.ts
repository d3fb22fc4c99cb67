// audio/speech: text in, audio bytes out (or the JSON error some relays send with a 200).
import type { AudioFormat } from '../types.js';
import { withRetries, type CallContext } from './call.js';
import { errorFromStreamObject, LlmError } from './errors.js';
import { MEDIA_DEFAULTS, type MediaDefaults } from './media-defaults.js';
import { AUDIO_MIME, baseContentType } from './mime.js';
import { readBytes } from './transport.js';
import type { SpeechRequest, SpeechResult } from './types.js';

const MAX_AUDIO_BYTES = 25 * 1024 * 1024;

export async function speech(ctx: CallContext, req: SpeechRequest, d: MediaDefaults | undefined): Promise<SpeechResult> {
  const body: Record<string, unknown> = {
    model: req.model ?? d?.ttsModel ?? MEDIA_DEFAULTS.ttsModel,
    input: req.text,
    voice: req.voice ?? d?.ttsVoice ?? MEDIA_DEFAULTS.ttsVoice,
    response_format: req.format,
  };
  if (req.speed !== undefined) body.speed = req.speed;
  return withRetries(ctx, req, async (signal) => {
    const res = await ctx.transport.open({ method: 'POST', path: 'audio/speech', json: body, accept: 'audio/*', signal, requestId: req.requestId });
    const contentType = baseContentType(res.headers['content-type']);
    const bytes = await readBytes(res.body, MAX_AUDIO_BYTES, req.requestId);
    // Some relays answer 200 with a JSON error instead of audio.
    if (contentType === 'application/json') throw jsonErrorOrBroken(bytes, req.requestId);
    const format: AudioFormat = req.format;
    return { bytes, format, mime: contentType?.startsWith('audio/') ? contentType : AUDIO_MIME[format] };
  });
}

function jsonErrorOrBroken(bytes: Uint8Array, requestId?: string): LlmError {
  try {
    const obj = JSON.parse(Buffer.from(bytes).toString('utf8')) as Record<string, unknown>;
    if (obj && typeof obj === 'object' && obj.error) return errorFromStreamObject(obj, requestId);
  } catch {
    // fall through
  }
  return new LlmError({ kind: 'stream', code: 'not_audio', detail: 'expected audio, got JSON', requestId });
}
