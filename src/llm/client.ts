// OpenAIClient: the LlmClient over any OpenAI-compatible provider (official API or a relay).
// One facade over one transport and retry policy; each endpoint lives in its own module
// (chat-request, chat-stream, images, speech, transcription, models).
//
// `stream_options: {include_usage: true}` is NOT sent unless `requestStreamUsage` is set:
// strict relays answer 400 to unknown fields, and a reply without usage is fine (seed 002
// reports usage unasked, inside choices[0]; we read it wherever it is).
import type { Dispatcher } from 'undici';
import { registerSecret, type Logger } from '../log.js';
import type { CallContext } from './call.js';
import { ChatOpener } from './chat-request.js';
import { OpenAIChatStream } from './chat-stream.js';
import { generateImage } from './images.js';
import type { MediaDefaults } from './media-defaults.js';
import { listModels } from './models.js';
import { DEFAULT_RETRY_POLICY } from './retry.js';
import { speech } from './speech.js';
import { transcribe } from './transcription.js';
import { Transport } from './transport.js';
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
  SpeechResult,
  TranscriptionRequest,
} from './types.js';

export { defaultTokenParam } from './chat-request.js';
export { MEDIA_DEFAULTS } from './media-defaults.js';

export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
export const DEFAULT_FIRST_BYTE_TIMEOUT_MS = 60_000;
export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;

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
  defaults?: MediaDefaults;
}

export class OpenAIClient implements LlmClient {
  private readonly ctx: CallContext;
  private readonly opener: ChatOpener;

  constructor(private readonly opts: OpenAIClientOptions) {
    // Register before anything can fail and quote it.
    registerSecret(opts.apiKey);
    const transport = new Transport({
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
    const policy = {
      maxRetries: opts.maxRetries ?? DEFAULT_RETRY_POLICY.maxRetries,
      baseMs: opts.retryBaseMs ?? DEFAULT_RETRY_POLICY.baseMs,
      maxMs: opts.retryMaxMs ?? DEFAULT_RETRY_POLICY.maxMs,
      maxRetryAfterMs: opts.retryAfterMaxMs ?? DEFAULT_RETRY_POLICY.maxRetryAfterMs,
    };
    this.ctx = { transport, policy, logger: opts.logger };
    this.opener = new ChatOpener(this.ctx, opts.requestStreamUsage === true);
  }

  /** Closes our own connection pool (not a dispatcher passed in). */
  close(): Promise<void> {
    return this.ctx.transport.close();
  }

  streamChat(req: ChatRequest): ChatStream {
    return new OpenAIChatStream(this.ctx, this.opener, req);
  }

  chat(req: ChatRequest): Promise<ChatResult> {
    return this.opener.chat(req);
  }

  generateImage(req: ImageRequest): Promise<GeneratedImage> {
    return generateImage(this.ctx, req, this.opts.defaults);
  }

  speech(req: SpeechRequest): Promise<SpeechResult> {
    return speech(this.ctx, req, this.opts.defaults);
  }

  transcribe(req: TranscriptionRequest): Promise<{ text: string }> {
    return transcribe(this.ctx, req, this.opts.defaults);
  }

  listModels(opts: CallOptions = {}): Promise<ModelInfo[]> {
    return listModels(this.ctx, opts);
  }
}
