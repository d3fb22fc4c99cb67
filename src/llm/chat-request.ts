// chat/completions requests: the body, the token-limit spelling and tool support learned per
// model, and the one-shot (non-streaming) chat call.
import { LRUCache } from 'lru-cache';
import { readJson, withRetries, type CallContext } from './call.js';
import { LlmError } from './errors.js';
import { parseUsage } from './stream.js';
import { ThinkSplitter } from './think.js';
import { toolsField, wireMessages } from './tool-wire.js';
import type { OpenResponse } from './transport.js';
import type { ChatRequest, ChatResult } from './types.js';

/** Models whose token-limit spelling is remembered (names come from users' `model` commands). */
const TOKEN_PARAM_MODELS = 1_000;

type TokenParam = 'max_tokens' | 'max_completion_tokens';

/** Reasoning families that take only max_completion_tokens (also behind a relay's "vendor/" prefix). */
const COMPLETION_TOKENS_MODELS = /^(?:[\w.-]+\/)?(?:o\d|gpt-5)/i;

export function defaultTokenParam(model: string): TokenParam {
  return COMPLETION_TOKENS_MODELS.test(model) ? 'max_completion_tokens' : 'max_tokens';
}

export class ChatOpener {
  /** Token-limit spelling learned per model from a provider's 400. */
  private readonly tokenParams = new LRUCache<string, TokenParam>({ max: TOKEN_PARAM_MODELS });
  /** Models whose provider refused `tools` with a 400: asked without tools from then on. */
  private readonly noTools = new LRUCache<string, true>({ max: TOKEN_PARAM_MODELS });

  constructor(
    private readonly ctx: CallContext,
    private readonly requestStreamUsage: boolean,
  ) {}

  /**
   * POSTs chat/completions. Reasoning models reject `max_tokens` (o-series, gpt-5) and old relays
   * reject `max_completion_tokens`: a 400 naming the one we sent is retried once with the other,
   * and the model keeps that spelling from then on.
   */
  async open(req: ChatRequest, stream: boolean, signal: AbortSignal): Promise<OpenResponse> {
    const open = (param: TokenParam, withTools: boolean) =>
      this.ctx.transport.open({
        method: 'POST',
        path: 'chat/completions',
        json: chatBody(req, stream, stream && this.requestStreamUsage, param, withTools),
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
        this.ctx.logger?.info({ model: req.model, param: other, requestId: req.requestId }, 'llm: provider refused the token limit parameter, switched');
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
      this.ctx.logger?.warn({ model: req.model, err, requestId: req.requestId }, 'llm: provider refused tools, answering without them');
      return res;
    }
  }

  /** One completion, not streamed. */
  async chat(req: ChatRequest): Promise<ChatResult> {
    const json = await withRetries(this.ctx, req, async (signal) => {
      const res = await this.open(req, false, signal);
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
