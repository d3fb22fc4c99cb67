// OpenAIClient: the LlmClient over any OpenAI-compatible provider (official API or a relay).
//
// Choices worth knowing:
// - `stream_options: {include_usage: true}` is NOT sent unless `requestStreamUsage` is set:
//   strict relays answer 400 to unknown fields, and a reply without usage is fine (seed 002
//   reports usage unasked, inside choices[0]; we read it wherever it is).
// - A stream that ends without `data: [DONE]` counts as complete when text or a finish_reason
//   arrived; one that ends with neither is a `stream` error (retryable: nothing was shown).
// - Retries happen only before the first delta was handed to the caller.
// - Aborting (the caller's signal, or breaking out of `for await`) cancels the HTTP request;
//   with the caller's signal the iteration throws LlmError kind 'aborted'.
// - Images: `response_format` is not sent by default (gpt-image models reject it); bytes are
//   returned whether the provider answers `b64_json` or a `url` (downloaded without our key).
import { LRUCache } from 'lru-cache';
import { FormData, type Dispatcher } from 'undici';
import { registerSecret, type Logger } from '../log.js';
import type { AudioFormat } from '../types.js';
import { errorFromException, errorFromStreamObject, LlmError } from './errors.js';
import { AUDIO_MIME, baseContentType, sniffImageMime } from './mime.js';
import { abortableSleep, DEFAULT_RETRY_POLICY, retryDelay, shouldRetry, type RetryPolicy } from './retry.js';
import { SseDecoder } from './sse.js';
import { chunkEventsOf, parseUsage } from './stream.js';
import { ThinkSplitter } from './think.js';
import { ToolCallAssembler, toolsField, wireMessages } from './tool-wire.js';
import { readBytes, Transport, type OpenResponse } from './transport.js';
import type {
  CallOptions,
  ChatRequest,
  ChatResult,
  ChatStream,
  GeneratedImage,
  ImageRequest,
  LlmClient,
  ModelInfo,
  SpeechRequest,
  ToolCall,
  SpeechResult,
  TranscriptionRequest,
  Usage,
} from './types.js';

export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
export const DEFAULT_FIRST_BYTE_TIMEOUT_MS = 60_000;
export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;
/** Largest JSON answer we read (a b64 image of 1792x1024 is a few MB). */
const MAX_JSON_BYTES = 32 * 1024 * 1024;
const MAX_IMAGE_BYTES = 25 * 1024 * 1024;
const MAX_AUDIO_BYTES = 25 * 1024 * 1024;
/** Models whose token-limit spelling is remembered (names come from users' `model` commands). */
const TOKEN_PARAM_MODELS = 1_000;

export const MEDIA_DEFAULTS = {
  imageModel: 'dall-e-3',
  imageSize: '1024x1024',
  ttsModel: 'tts-1',
  ttsVoice: 'alloy',
  transcribeModel: 'whisper-1',
} as const;

export interface OpenAIClientOptions {
  /** Full prefix: https://api.openai.com/v1, https://host/openai (trailing slash tolerated). */
  baseUrl: string;
  apiKey?: string;
  authHeader?: 'authorization' | 'api-key';
  orgId?: string;
  connectTimeoutMs?: number;
  firstByteTimeoutMs?: number;
  idleTimeoutMs?: number;
  maxRetries?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Longest server-requested retry wait we accept; longer ones fail at once. */
  retryAfterMaxMs?: number;
  /** Send stream_options.include_usage (off by default: some relays reject unknown fields). */
  requestStreamUsage?: boolean;
  logger?: Logger;
  /** undici dispatcher; default: one keep-alive Agent of our own with the connect timeout. */
  dispatcher?: Dispatcher;
  defaults?: {
    imageModel?: string;
    imageSize?: string;
    /** Ask for 'url' or 'b64_json'; unset: let the provider choose. */
    imageResponseFormat?: 'url' | 'b64_json';
    ttsModel?: string;
    ttsVoice?: string;
    transcribeModel?: string;
  };
}

/** A signal that never fires, for calls made without one. */
const NEVER = new AbortController().signal;

export class OpenAIClient implements LlmClient {
  private readonly transport: Transport;
  private readonly policy: RetryPolicy;
  private readonly logger?: Logger;
  /** Token-limit spelling learned per model from a provider's 400. */
  private readonly tokenParams = new LRUCache<string, TokenParam>({ max: TOKEN_PARAM_MODELS });
  /** Models whose provider refused `tools` with a 400: asked without tools from then on. */
  private readonly noTools = new LRUCache<string, true>({ max: TOKEN_PARAM_MODELS });

  constructor(private readonly opts: OpenAIClientOptions) {
    // Register before anything can fail and quote it.
    registerSecret(opts.apiKey);
    this.logger = opts.logger;
    this.policy = {
      maxRetries: opts.maxRetries ?? DEFAULT_RETRY_POLICY.maxRetries,
      baseMs: opts.retryBaseMs ?? DEFAULT_RETRY_POLICY.baseMs,
      maxMs: opts.retryMaxMs ?? DEFAULT_RETRY_POLICY.maxMs,
      maxRetryAfterMs: opts.retryAfterMaxMs ?? DEFAULT_RETRY_POLICY.maxRetryAfterMs,
    };
    this.transport = new Transport({
      baseUrl: opts.baseUrl,
      apiKey: opts.apiKey,
      authHeader: opts.authHeader ?? 'authorization',
      orgId: opts.orgId,
      connectTimeoutMs: opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      firstByteTimeoutMs: opts.firstByteTimeoutMs ?? DEFAULT_FIRST_BYTE_TIMEOUT_MS,
      idleTimeoutMs: opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
      logger: opts.logger,
      dispatcher: opts.dispatcher,
    });
  }

  /** Closes our own connection pool (not a dispatcher passed in). */
  close(): Promise<void> {
    return this.transport.close();
  }

  streamChat(req: ChatRequest): ChatStream {
    return new OpenAIChatStream((state) => this.runStream(req, state));
  }

  async chat(req: ChatRequest): Promise<ChatResult> {
    const json = await this.withRetries(req, async (signal) => {
      const res = await this.openChat(req, false, signal);
      return readJson(res);
    });
    const choices = Array.isArray(json.choices) ? (json.choices as Record<string, unknown>[]) : [];
    const choice = choices[0];
    // Do not key on `object`: seed 004 calls a plain completion "chat.completion.chunk".
    if (!choice) throw new LlmError({ kind: 'stream', code: 'no_choices', detail: 'completion without choices', requestId: req.requestId });
    const message = (choice.message ?? {}) as Record<string, unknown>;
    // reasoning_content / reasoning fields are simply not read; a <think> block is cut out.
    const think = new ThinkSplitter();
    const split = think.push(messageText(message.content));
    return {
      text: split.answer + think.end().answer,
      finishReason: typeof choice.finish_reason === 'string' ? choice.finish_reason : null,
      usage: parseUsage(json.usage) ?? parseUsage(choice.usage),
      model: typeof json.model === 'string' ? json.model : undefined,
    };
  }

  async generateImage(req: ImageRequest): Promise<GeneratedImage> {
    const d = this.opts.defaults;
    const body: Record<string, unknown> = {
      model: req.model ?? d?.imageModel ?? MEDIA_DEFAULTS.imageModel,
      prompt: req.prompt,
      n: 1,
      size: req.size ?? d?.imageSize ?? MEDIA_DEFAULTS.imageSize,
    };
    if (d?.imageResponseFormat) body.response_format = d.imageResponseFormat;
    const json = await this.withRetries(req, async (signal) =>
      readJson(await this.transport.open({ method: 'POST', path: 'images/generations', json: body, signal, requestId: req.requestId })),
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
      const { bytes, contentType } = await this.withRetries(req, async (signal) => {
        const res = await this.transport.open({ method: 'GET', path: url, external: true, accept: 'image/*', signal });
        return { bytes: await readBytes(res.body, MAX_IMAGE_BYTES, req.requestId), contentType: baseContentType(res.headers['content-type']) };
      });
      const mime = sniffImageMime(bytes) ?? (contentType?.startsWith('image/') ? contentType : 'image/png');
      return { bytes, mime, url, revisedPrompt };
    }
    throw new LlmError({ kind: 'stream', code: 'no_image', detail: 'image response had neither b64_json nor url', requestId: req.requestId });
  }

  async speech(req: SpeechRequest): Promise<SpeechResult> {
    const d = this.opts.defaults;
    const body: Record<string, unknown> = {
      model: req.model ?? d?.ttsModel ?? MEDIA_DEFAULTS.ttsModel,
      input: req.text,
      voice: req.voice ?? d?.ttsVoice ?? MEDIA_DEFAULTS.ttsVoice,
      response_format: req.format,
    };
    if (req.speed !== undefined) body.speed = req.speed;
    return this.withRetries(req, async (signal) => {
      const res = await this.transport.open({ method: 'POST', path: 'audio/speech', json: body, accept: 'audio/*', signal, requestId: req.requestId });
      const contentType = baseContentType(res.headers['content-type']);
      const bytes = await readBytes(res.body, MAX_AUDIO_BYTES, req.requestId);
      // Some relays answer 200 with a JSON error instead of audio.
      if (contentType === 'application/json') throw jsonErrorOrBroken(bytes, req.requestId);
      const format: AudioFormat = req.format;
      return { bytes, format, mime: contentType?.startsWith('audio/') ? contentType : AUDIO_MIME[format] };
    });
  }

  async transcribe(req: TranscriptionRequest): Promise<{ text: string }> {
    const model = req.model ?? this.opts.defaults?.transcribeModel ?? MEDIA_DEFAULTS.transcribeModel;
    const json = await this.withRetries(req, async (signal) => {
      // A fresh form per attempt: a sent body cannot be sent again.
      const form = new FormData();
      form.append('file', new Blob([req.bytes], { type: req.mime ?? 'application/octet-stream' }), req.filename);
      form.append('model', model);
      if (req.language) form.append('language', req.language);
      return readJson(await this.transport.open({ method: 'POST', path: 'audio/transcriptions', form, signal, requestId: req.requestId }));
    });
    if (typeof json.text !== 'string') throw new LlmError({ kind: 'stream', code: 'no_text', detail: 'transcription without text', requestId: req.requestId });
    return { text: json.text };
  }

  async listModels(opts: CallOptions = {}): Promise<ModelInfo[]> {
    const json = await this.withRetries(opts, async (signal) =>
      readJson(await this.transport.open({ method: 'GET', path: 'models', signal, requestId: opts.requestId })),
    );
    const data = Array.isArray(json.data) ? (json.data as Record<string, unknown>[]) : [];
    return data
      .filter((m) => typeof m?.id === 'string')
      .map((m) => ({ id: m.id as string, ownedBy: typeof m.owned_by === 'string' ? m.owned_by : undefined }));
  }

  /** Runs one attempt after another under the retry policy (non-streaming calls). */
  private async withRetries<T>(opts: CallOptions, attempt: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const signal = opts.signal ?? NEVER;
    for (let n = 0; ; n++) {
      try {
        return await attempt(signal);
      } catch (raw) {
        const err = errorFromException(raw, { aborted: signal.aborted, requestId: opts.requestId });
        if (!shouldRetry(err, n, this.policy)) throw err;
        await this.backoff(err, n, signal, opts.requestId);
      }
    }
  }

  private async backoff(err: LlmError, attempt: number, signal: AbortSignal, requestId?: string): Promise<void> {
    const waitMs = retryDelay(attempt, this.policy, err.retryAfterMs);
    this.logger?.debug({ kind: err.kind, status: err.status, attempt: attempt + 1, waitMs, requestId }, 'llm retry');
    await abortableSleep(waitMs, signal, requestId);
  }

  /**
   * POSTs chat/completions. Reasoning models reject `max_tokens` (o-series, gpt-5) and old relays
   * reject `max_completion_tokens`: a 400 naming the one we sent is retried once with the other,
   * and the model keeps that spelling from then on.
   */
  private async openChat(req: ChatRequest, stream: boolean, signal: AbortSignal): Promise<OpenResponse> {
    const open = (param: TokenParam, withTools: boolean) =>
      this.transport.open({
        method: 'POST',
        path: 'chat/completions',
        json: chatBody(req, stream, stream && this.opts.requestStreamUsage === true, param, withTools),
        accept: stream ? 'text/event-stream' : undefined,
        signal,
        requestId: req.requestId,
      });
    const withTools = (req.tools?.length ?? 0) > 0 && !this.noTools.has(req.model);
    const openWithParam = async (withToolsNow: boolean) => {
      const param = this.tokenParams.get(req.model) ?? defaultTokenParam(req.model);
      try {
        return await open(param, withToolsNow);
      } catch (err) {
        if (req.maxTokens === undefined || !(err instanceof LlmError) || err.status !== 400 || !err.message.includes(param)) throw err;
        const other: TokenParam = param === 'max_tokens' ? 'max_completion_tokens' : 'max_tokens';
        this.tokenParams.set(req.model, other);
        this.logger?.info({ model: req.model, param: other, requestId: req.requestId }, 'llm: provider refused the token limit parameter, switched');
        return open(other, withToolsNow);
      }
    };
    try {
      return await openWithParam(withTools);
    } catch (err) {
      // Relays without tool support answer 400 to the field: the reply goes on without tools,
      // and the model is remembered so the log says it once rather than on every reply.
      if (!withTools || !(err instanceof LlmError) || err.status !== 400) throw err;
      const res = await openWithParam(false);
      this.noTools.set(req.model, true);
      this.logger?.warn({ model: req.model, err, requestId: req.requestId }, 'llm: provider refused tools, answering without them');
      return res;
    }
  }

  private async *runStream(req: ChatRequest, state: StreamState): AsyncGenerator<string> {
    const userSignal = req.signal;
    // Ours, so that a consumer leaving the loop early cancels the request.
    const controller = new AbortController();
    const signal = userSignal ? AbortSignal.any([userSignal, controller.signal]) : controller.signal;
    let done = false;
    let yielded = false;
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          const res = await this.openChat(req, true, signal);
          const requestId = res.requestId ?? req.requestId;
          let sawDone = false;
          // bytes -> SSE events -> chunk events, synchronously per network chunk: one await per
          // read rather than a promise per layer per token (1,000 streams share one event loop).
          const sse = new SseDecoder();
          const think = new ThinkSplitter();
          const body = res.body[Symbol.asyncIterator]();
          while (!sawDone) {
            const read = await body.next();
            const events = read.done ? sse.end() : sse.push(read.value as Uint8Array);
            let text = '';
            let reasoning = '';
            let failure: unknown;
            for (const sseEvent of events) {
              let chunkEvents;
              try {
                chunkEvents = chunkEventsOf(sseEvent, requestId);
              } catch (err) {
                // Text that came before the bad event in this read is still handed out first.
                failure = err;
                break;
              }
              for (const ev of chunkEvents) {
                if (ev.type === 'text') {
                  const split = think.push(ev.text);
                  text += split.answer;
                  reasoning += split.reasoning;
                } else if (ev.type === 'reasoning') reasoning += ev.text;
                else if (ev.type === 'tool_call') state.toolCalls.add(ev);
                else if (ev.type === 'finish') state.finishReason = ev.reason;
                else if (ev.type === 'usage') state.usage = ev.usage;
                else sawDone = true;
              }
              if (sawDone) break;
            }
            if (sawDone || read.done) {
              const rest = think.end();
              text += rest.answer;
              reasoning += rest.reasoning;
            }
            if (reasoning) state.addReasoning(reasoning, req.onReasoning);
            // Events that arrived in one read go out as one delta: when the loop falls behind,
            // the work per token shrinks instead of the backlog growing.
            if (text) {
              // A stop may land while bytes are already buffered: do not hand out more text.
              if (userSignal?.aborted) throw new LlmError({ kind: 'aborted', detail: 'cancelled by caller', requestId });
              state.firstTextAt ??= Date.now();
              state.text += text;
              yielded = true;
              yield text;
            }
            if (failure !== undefined) throw failure;
            if (read.done) break;
          }
          if (sawDone) await body.return?.();
          if (userSignal?.aborted) throw new LlmError({ kind: 'aborted', detail: 'cancelled by caller', requestId });
          if (!sawDone && !yielded && state.finishReason === null && state.toolCalls.size === 0) {
            throw new LlmError({ kind: 'stream', code: 'empty_stream', detail: 'stream ended before any reply', requestId, retryable: true });
          }
          done = true;
          return;
        } catch (raw) {
          const err = errorFromException(raw, { aborted: signal.aborted, requestId: req.requestId });
          // Once text reached the caller a retry would repeat it: the error goes up as it is.
          if (yielded || !shouldRetry(err, attempt, this.policy)) throw err;
          state.finishReason = null;
          state.usage = undefined;
          state.reasoning = '';
          state.reasoningStartedAt = undefined;
          state.toolCalls.clear();
          await this.backoff(err, attempt, userSignal ?? NEVER, req.requestId);
        }
      }
    } finally {
      if (!done) controller.abort();
    }
  }
}

class StreamState {
  text = '';
  reasoning = '';
  finishReason: string | null = null;
  usage: Usage | undefined = undefined;
  /** Date.now() of the first reasoning delta and of the first answer text handed out. */
  reasoningStartedAt: number | undefined = undefined;
  firstTextAt: number | undefined = undefined;
  readonly toolCalls = new ToolCallAssembler();

  addReasoning(delta: string, listener: ((delta: string) => void) | undefined): void {
    this.reasoningStartedAt ??= Date.now();
    this.reasoning += delta;
    listener?.(delta);
  }
}

/** The ChatStream handed to callers: iterable once; totals readable after the loop. */
class OpenAIChatStream implements ChatStream {
  private readonly state = new StreamState();
  private started = false;

  constructor(private readonly run: (state: StreamState) => AsyncGenerator<string>) {}

  get text(): string {
    return this.state.text;
  }
  get reasoning(): string {
    return this.state.reasoning;
  }
  get thinkingMs(): number | undefined {
    const from = this.state.reasoningStartedAt;
    if (from === undefined) return undefined;
    return (this.state.firstTextAt ?? Date.now()) - from;
  }
  get firstTextAt(): number | undefined {
    return this.state.firstTextAt;
  }
  get finishReason(): string | null {
    return this.state.finishReason;
  }
  get toolCalls(): ToolCall[] {
    return this.state.toolCalls.result();
  }
  get usage(): Usage | undefined {
    return this.state.usage;
  }

  [Symbol.asyncIterator](): AsyncIterator<string> {
    if (this.started) throw new Error('A ChatStream can be iterated only once.');
    this.started = true;
    return this.run(this.state);
  }
}

type TokenParam = 'max_tokens' | 'max_completion_tokens';

/** Reasoning families that take only max_completion_tokens (also behind a relay's "vendor/" prefix). */
const COMPLETION_TOKENS_MODELS = /^(?:[\w.-]+\/)?(?:o\d|gpt-5)/i;

export function defaultTokenParam(model: string): TokenParam {
  return COMPLETION_TOKENS_MODELS.test(model) ? 'max_completion_tokens' : 'max_tokens';
}

function chatBody(req: ChatRequest, stream: boolean, includeUsage: boolean, tokenParam: TokenParam, withTools: boolean): Record<string, unknown> {
  const body: Record<string, unknown> = { model: req.model, messages: wireMessages(req.messages, withTools) };
  if (withTools && req.tools) body.tools = toolsField(req.tools);
  if (req.temperature !== undefined) body.temperature = req.temperature;
  if (req.maxTokens !== undefined) body[tokenParam] = req.maxTokens;
  if (stream) body.stream = true;
  if (stream && includeUsage) body.stream_options = { include_usage: true };
  return body;
}

/** Message content as text: a string, or the text parts of an array. */
function messageText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((p: { type?: string; text?: unknown }) => (p?.type === 'text' && typeof p.text === 'string' ? p.text : ''))
      .join('');
  }
  return '';
}

/** Reads a JSON object answer; a 200 carrying `{"error": ...}` (relays do that) becomes the error. */
async function readJson(res: OpenResponse): Promise<Record<string, unknown>> {
  const bytes = await readBytes(res.body, MAX_JSON_BYTES, res.requestId);
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw new LlmError({ kind: 'stream', code: 'malformed_json', detail: 'response body is not JSON', requestId: res.requestId });
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) {
    throw new LlmError({ kind: 'stream', code: 'malformed_json', detail: 'response body is not a JSON object', requestId: res.requestId });
  }
  const obj = json as Record<string, unknown>;
  if (obj.error && !obj.choices && !obj.data && typeof obj.text !== 'string') throw errorFromStreamObject(obj, res.requestId);
  return obj;
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
