// The shapes the rest of the core uses to talk to an OpenAI-compatible provider.
import type { AudioFormat } from '../types.js';

export type ChatRole = 'system' | 'user' | 'assistant' | 'tool';

/** A function call the model asked for (OpenAI's `tool_calls` entry); `arguments` is JSON text. */
export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** A tool offered to the model: name ^[a-zA-Z0-9_-]{1,64}$, parameters a JSON Schema object. */
export interface ToolSpec {
  name: string;
  description?: string;
  parameters: Record<string, unknown>;
}

export type ContentPart =
  | { type: 'text'; text: string }
  | { type: 'image_url'; image_url: { url: string; detail?: 'auto' | 'low' | 'high' } };

export interface ChatMessage {
  role: ChatRole;
  content: string | ContentPart[];
  /** Speaker in group chats, already sanitised to [A-Za-z0-9_]{1,64}. */
  name?: string;
  /** Assistant turns that call tools. */
  toolCalls?: ToolCall[];
  /** Tool turns: the call this message answers. */
  toolCallId?: string;
}

export interface CallOptions {
  /** Aborting it cancels the HTTP request (and a retry wait). */
  signal?: AbortSignal;
  /** Our id for this call, sent upstream as X-Request-Id and put on logs and errors. */
  requestId?: string;
}

export interface ChatRequest extends CallOptions {
  model: string;
  messages: ChatMessage[];
  temperature?: number;
  maxTokens?: number;
  /** Called with each piece of the model's reasoning as it streams (never part of the text). */
  onReasoning?: (delta: string) => void;
  /**
   * Tools the model may call. Tool turns in `messages` go on the wire only with tools; without
   * them (none offered, or the provider refused tools) they are sent as plain text.
   */
  tools?: ToolSpec[];
}

export interface Usage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

export interface ChatResult {
  text: string;
  finishReason: string | null;
  usage?: Usage;
  model?: string;
}

/**
 * A streamed chat completion: iterate it for text deltas (empty deltas are never yielded).
 * After iteration ends, `finishReason` and `usage` hold what the stream reported.
 * Breaking out of the loop early aborts the HTTP request.
 */
export interface ChatStream extends AsyncIterable<string> {
  readonly finishReason: string | null;
  readonly usage: Usage | undefined;
  /** Everything yielded so far, concatenated. */
  readonly text: string;
  /** The model's reasoning so far (reasoning deltas and `<think>` blocks); never in `text`. */
  readonly reasoning?: string;
  /** From the first reasoning delta to the first answer text (or now); undefined when none came. */
  readonly thinkingMs?: number;
  /** Date.now() when the first answer text was handed out: time to first text counts to here. */
  readonly firstTextAt?: number;
  /** The tool calls the model asked for, assembled from the streamed deltas (after iteration). */
  readonly toolCalls?: ToolCall[];
}

export interface ImageRequest extends CallOptions {
  prompt: string;
  model?: string;
  size?: string;
}

export interface GeneratedImage {
  /** Always present: downloaded from `url` when the provider answered with a URL. */
  bytes: Uint8Array;
  mime: string;
  url?: string;
  revisedPrompt?: string;
}

export interface SpeechRequest extends CallOptions {
  text: string;
  model?: string;
  voice?: string;
  format: AudioFormat;
  speed?: number;
}

export interface SpeechResult {
  bytes: Uint8Array;
  format: AudioFormat;
  mime: string;
}

export interface TranscriptionRequest extends CallOptions {
  bytes: Uint8Array;
  filename: string;
  mime?: string;
  model?: string;
  language?: string;
}

export interface ModelInfo {
  id: string;
  ownedBy?: string;
}

/** What the conversation manager needs from a provider. `OpenAIClient` implements it. */
export interface LlmClient {
  chat(req: ChatRequest): Promise<ChatResult>;
  streamChat(req: ChatRequest): ChatStream;
  generateImage(req: ImageRequest): Promise<GeneratedImage>;
  speech(req: SpeechRequest): Promise<SpeechResult>;
  transcribe(req: TranscriptionRequest): Promise<{ text: string }>;
  listModels(opts?: CallOptions): Promise<ModelInfo[]>;
}
