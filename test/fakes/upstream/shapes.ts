// Wire shapes of the official API and of the seed relays (see docs/providers.md):
// chat chunks, plain completions, error bodies, model lists, media bytes.
import { randomUUID } from 'node:crypto';

/** Which provider the fake imitates. */
export type Flavor = 'openai' | 'seed000' | 'seed002' | 'seed004';
/** How an error body looks: official JSON, seed 004's JSON, a proxy's HTML page, plain text. */
export type ErrorEnvelope = 'openai' | 'seed004' | 'html' | 'text';

export interface UsageCounts {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

/** Azure's per-choice moderation verdict (seed 000). */
const AZURE_FILTER_RESULTS = {
  hate: { filtered: false, severity: 'safe' },
  self_harm: { filtered: false, severity: 'safe' },
  sexual: { filtered: false, severity: 'safe' },
  violence: { filtered: false, severity: 'safe' },
};

/** A 1x1 transparent PNG: the smallest image every decoder accepts. */
export const TINY_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

export function modelNameFor(flavor: Flavor, requested: string | undefined): string {
  // seed 000 answers with Azure deployment names whatever was asked for.
  if (flavor === 'seed000') return 'gpt-35-turbo';
  return requested ?? 'gpt-4o-mini';
}

/**
 * Splits text into "tokens" the way a model streams them: a word with its leading whitespace,
 * or one CJK character. Joining the tokens gives back the text exactly.
 */
export function tokenize(text: string): string[] {
  return text.match(/\s*(?:\p{Script=Han}|[^\s\p{Script=Han}]+)|\s+$/gu) ?? [];
}

export function countUsage(promptTokens: number, completionTokens: number): UsageCounts {
  return { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
}

interface StreamShape {
  flavor: Flavor;
  model: string;
  pieces: string[];
  usage: UsageCounts;
  /** Official API: a last chunk with top-level usage, only when the request asked for it. */
  includeUsage: boolean;
  /** Reasoning streamed in its own delta field before the answer. */
  reasoning?: { pieces: string[]; field: 'reasoning_content' | 'reasoning' };
}

/** Where a model's reasoning travels: its own delta field, or a `<think>` block in the content. */
export type ReasoningShape = 'reasoning_content' | 'reasoning' | 'think';

/** The JSON objects of one streamed completion, in order (without the `[DONE]` sentinel). */
export function streamChunks(shape: StreamShape): Record<string, unknown>[] {
  const { flavor, model, pieces, usage } = shape;
  const id = `chatcmpl-${randomUUID().replace(/-/g, '')}`;
  const created = Math.floor(Date.now() / 1000);
  const envelope = (choice: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    id,
    object: 'chat.completion.chunk',
    created,
    model,
    choices: [{ index: 0, ...choice }],
    ...extra,
  });
  const out: Record<string, unknown>[] = [];
  switch (flavor) {
    case 'openai':
      out.push(envelope({ delta: { role: 'assistant', content: '' }, finish_reason: null }));
      for (const p of pieces) out.push(envelope({ delta: { content: p }, finish_reason: null }));
      out.push(envelope({ delta: {}, finish_reason: 'stop' }));
      if (shape.includeUsage) out.push({ id, object: 'chat.completion.chunk', created, model, choices: [], usage });
      break;
    case 'seed000':
      // Azure sends a first chunk with no choices, only the prompt's filter verdict.
      out.push({ id: '', object: '', created: 0, model: '', prompt_filter_results: [{ prompt_index: 0, content_filter_results: AZURE_FILTER_RESULTS }], choices: [] });
      out.push(envelope({ delta: { role: 'assistant' }, finish_reason: null, content_filter_results: {} }));
      for (const p of pieces) out.push(envelope({ delta: { content: p }, finish_reason: null, content_filter_results: AZURE_FILTER_RESULTS }));
      out.push(envelope({ delta: {}, finish_reason: 'stop', content_filter_results: {} }));
      break;
    case 'seed002':
      out.push(envelope({ delta: { role: 'assistant' }, finish_reason: null }));
      for (const p of pieces) out.push(envelope({ delta: { content: p }, finish_reason: null }));
      // seed 002 puts usage inside choices[0] of the last chunk.
      out.push(envelope({ delta: {}, finish_reason: 'stop', usage }));
      break;
    case 'seed004':
      // seed 004 repeats the role in every delta and sends a role-only delta before finishing.
      out.push(envelope({ delta: { role: 'assistant' } }, { recipient: 'all' }));
      for (const p of pieces) out.push(envelope({ delta: { content: p, role: 'assistant' } }, { recipient: 'all' }));
      out.push(envelope({ delta: { role: 'assistant' } }, { recipient: 'all' }));
      out.push(envelope({ delta: { role: 'assistant' }, finish_reason: 'stop' }, { recipient: 'all' }));
      break;
  }
  if (shape.reasoning) {
    const { pieces: thoughts, field } = shape.reasoning;
    // DeepSeek sends content: null beside reasoning_content; OpenRouter sends content: "".
    const reasoningChunks = thoughts.map((t) =>
      envelope({ delta: { role: 'assistant', content: field === 'reasoning_content' ? null : '', [field]: t }, finish_reason: null }),
    );
    const firstContent = out.findIndex((c) => {
      const d = (c.choices as { delta?: { content?: unknown }; finish_reason?: unknown }[])[0];
      return Boolean(d?.delta?.content) || Boolean(d?.finish_reason);
    });
    out.splice(firstContent < 0 ? out.length : firstContent, 0, ...reasoningChunks);
  }
  return out;
}

/** A non-streamed completion. */
export function plainCompletion(flavor: Flavor, model: string, text: string, usage: UsageCounts): Record<string, unknown> {
  const base = {
    id: `chatcmpl-${randomUUID().replace(/-/g, '')}`,
    // seed 004 says "chat.completion.chunk" even here: clients must not key on `object`.
    object: flavor === 'seed004' ? 'chat.completion.chunk' : 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
  };
  const choice: Record<string, unknown> = { index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' };
  if (flavor === 'seed000') choice.content_filter_results = AZURE_FILTER_RESULTS;
  if (flavor === 'seed002') choice.logprobs = null;
  const extra: Record<string, unknown> = {};
  if (flavor === 'seed004') extra.recipient = 'all';
  if (flavor === 'seed000') extra.prompt_filter_results = [{ prompt_index: 0, content_filter_results: AZURE_FILTER_RESULTS }];
  return { ...base, choices: [choice], usage, ...extra };
}

const OFFICIAL_ERRORS: Record<number, { type: string; code: string | null; message: string }> = {
  400: { type: 'invalid_request_error', code: null, message: "Invalid request: 'messages' is a required property" },
  401: { type: 'invalid_request_error', code: 'invalid_api_key', message: 'Incorrect API key provided.' },
  403: { type: 'invalid_request_error', code: 'unsupported_country_region_territory', message: 'Country, region, or territory not supported' },
  404: { type: 'invalid_request_error', code: 'model_not_found', message: 'The model `nope` does not exist or you do not have access to it.' },
  429: { type: 'requests', code: 'rate_limit_exceeded', message: 'Rate limit reached for requests. Please try again in 20ms.' },
  500: { type: 'server_error', code: null, message: 'The server had an error while processing your request. Sorry about that!' },
  502: { type: 'server_error', code: null, message: 'Bad gateway.' },
  503: { type: 'server_error', code: null, message: 'The engine is currently overloaded, please try again later' },
  529: { type: 'overloaded_error', code: 'overloaded', message: 'Your API is temporarily overloaded.' },
};

/** seed 004's documented codes. */
const SEED004_CODES: Record<number, string> = {
  400: 'token_mismatched',
  401: 'invalid_token',
  403: 'forbidden',
  404: 'api_not_implemented',
  429: 'too_many_requests',
};

export interface ErrorBody {
  contentType: string;
  body: string;
}

export function errorBody(envelope: ErrorEnvelope, status: number, message?: string, code?: string): ErrorBody {
  const official = OFFICIAL_ERRORS[status] ?? { type: 'server_error', code: null, message: `Error ${status}` };
  switch (envelope) {
    case 'openai':
      return {
        contentType: 'application/json',
        body: JSON.stringify({ error: { message: message ?? official.message, type: official.type, param: null, code: code ?? official.code } }),
      };
    case 'seed004':
      return {
        contentType: 'application/json',
        body: JSON.stringify({
          success: false,
          error: { code: code ?? SEED004_CODES[status] ?? 'api_error', message: message ?? (status >= 500 ? 'fetch failed' : official.message) },
          trace_id: randomUUID(),
        }),
      };
    case 'html':
      return {
        contentType: 'text/html',
        body: `<html>\r\n<head><title>${status} Bad Gateway</title></head>\r\n<body>\r\n<center><h1>${status} ${message ?? 'Bad Gateway'}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`,
      };
    case 'text':
      return { contentType: 'text/plain', body: message ?? 'upstream connect error or disconnect/reset before headers. reset reason: overflow' };
  }
}

/** An error object as it arrives inside a 200 stream. */
export function streamErrorObject(flavor: Flavor): Record<string, unknown> {
  if (flavor === 'seed004') return { success: false, error: { code: 'api_error', message: 'fetch failed' }, trace_id: randomUUID() };
  return { error: { message: 'The server had an error while processing your request.', type: 'server_error', param: null, code: null } };
}

export function modelIds(flavor: Flavor): string[] {
  switch (flavor) {
    case 'openai':
      return ['gpt-4o-mini', 'gpt-4o', 'dall-e-3', 'tts-1', 'whisper-1'];
    case 'seed000':
      return ['gpt-35-turbo', 'gpt-4', 'gpt-4-turbo', 'dall-e-3'];
    case 'seed002':
      return ['gpt-3.5-turbo', 'gpt-4', 'claude-2.1', 'gemini-pro', 'qwen-plus', 'tts-1', 'whisper-1'];
    case 'seed004':
      return ['gpt-4', 'gpt-4-browsing', 'gpt-4-vision', 'gpt-3.5-turbo'];
  }
}

const AUDIO_MAGIC: Record<string, { mime: string; magic: Buffer }> = {
  mp3: { mime: 'audio/mpeg', magic: Buffer.from('ID3\x04\x00\x00', 'latin1') },
  opus: { mime: 'audio/ogg', magic: Buffer.from('OggS\x00\x02', 'latin1') },
  aac: { mime: 'audio/aac', magic: Buffer.from([0xff, 0xf1, 0x50, 0x80]) },
  flac: { mime: 'audio/flac', magic: Buffer.from('fLaC', 'latin1') },
  wav: { mime: 'audio/wav', magic: Buffer.from('RIFF\x24\x00\x00\x00WAVE', 'latin1') },
};

/** Fake audio: the format's magic bytes followed by the input text, so tests can check both. */
export function speechBytes(format: string, input: string): { mime: string; bytes: Buffer } {
  const f = AUDIO_MAGIC[format] ?? AUDIO_MAGIC.mp3!;
  return { mime: f.mime, bytes: Buffer.concat([f.magic, Buffer.from(input, 'utf8')]) };
}
