// images/generations: `response_format` is not sent by default (gpt-image models reject it);
// bytes are returned whether the provider answers `b64_json` or a `url` (downloaded without our key).
import { readJson, withRetries, type CallContext } from './call.js';
import { LlmError } from './errors.js';
import { MEDIA_DEFAULTS, type MediaDefaults } from './media-defaults.js';
import { baseContentType, sniffImageMime } from './mime.js';
import { readBytes } from './transport.js';
import type { GeneratedImage, ImageRequest } from './types.js';

const MAX_IMAGE_BYTES = 25 * 1024 * 1024;

export async function generateImage(ctx: CallContext, req: ImageRequest, d: MediaDefaults | undefined): Promise<GeneratedImage> {
  const body: Record<string, unknown> = {
    model: req.model ?? d?.imageModel ?? MEDIA_DEFAULTS.imageModel,
    prompt: req.prompt,
    n: 1,
    size: req.size ?? d?.imageSize ?? MEDIA_DEFAULTS.imageSize,
  };
  if (d?.imageResponseFormat) body.response_format = d.imageResponseFormat;
  const json = await withRetries(ctx, req, async (signal) =>
    readJson(await ctx.transport.open({ method: 'POST', path: 'images/generations', json: body, signal, requestId: req.requestId })),
  );
  // Azure's content_filter_results / prompt_filter_results ride along; we only need these.
  const item = (Array.isArray(json.data) ? json.data[0] : undefined) as Record<string, unknown> | undefined;
  const revisedPrompt = typeof item?.revised_prompt === 'string' ? item.revised_prompt : undefined;
  if (typeof item?.b64_json === 'string' && item.b64_json) {
    const bytes = new Uint8Array(Buffer.from(item.b64_json, 'base64'));
    return { bytes, mime: sniffImageMime(bytes) ?? 'image/png', revisedPrompt };
  }
  if (typeof item?.url === 'string' && item.url) {
    const url = item.url;
    // A separate retry scope: a failed download must not pay for a second generation.
    const { bytes, contentType } = await withRetries(ctx, req, async (signal) => {
      const res = await ctx.transport.open({ method: 'GET', path: url, external: true, accept: 'image/*', signal });
      return { bytes: await readBytes(res.body, MAX_IMAGE_BYTES, req.requestId), contentType: baseContentType(res.headers['content-type']) };
    });
    const mime = sniffImageMime(bytes) ?? (contentType?.startsWith('image/') ? contentType : 'image/png');
    return { bytes, mime, url, revisedPrompt };
  }
  throw new LlmError({ kind: 'stream', code: 'no_image', detail: 'image response had neither b64_json nor url', requestId: req.requestId });
}
