// audio/transcriptions: a voice note or audio file in, its text out.
import { FormData } from 'undici';
import { readJson, withRetries, type CallContext } from './call.js';
import { LlmError } from './errors.js';
import { MEDIA_DEFAULTS, type MediaDefaults } from './media-defaults.js';
import type { TranscriptionRequest } from './types.js';

export async function transcribe(ctx: CallContext, req: TranscriptionRequest, d: MediaDefaults | undefined): Promise<{ text: string }> {
  const model = req.model ?? d?.transcribeModel ?? MEDIA_DEFAULTS.transcribeModel;
  const json = await withRetries(ctx, req, async (signal) => {
    // A fresh form per attempt: a sent body cannot be sent again.
    const form = new FormData();
    form.append('file', new Blob([req.bytes], { type: req.mime ?? 'application/octet-stream' }), req.filename);
    form.append('model', model);
    if (req.language) form.append('language', req.language);
    return readJson(await ctx.transport.open({ method: 'POST', path: 'audio/transcriptions', form, signal, requestId: req.requestId }));
  });
  if (typeof json.text !== 'string') throw new LlmError({ kind: 'stream', code: 'no_text', detail: 'transcription without text', requestId: req.requestId });
  return { text: json.text };
}
