// A streamed chat reply: bytes -> SSE events -> chunk events -> text deltas for the caller.
// - A stream that ends without `data: [DONE]` counts as complete when text or a finish_reason
//   arrived; one that ends with neither is a `stream` error (retryable: nothing was shown).
// - Retries happen only before the first delta was handed to the caller.
// - Aborting (the caller's signal, or breaking out of `for await`) cancels the HTTP request;
//   with the caller's signal the iteration throws LlmError kind 'aborted'.
import { backoff, NEVER, type CallContext } from './call.js';
import type { ChatOpener } from './chat-request.js';
import { errorFromException, LlmError } from './errors.js';
import { shouldRetry } from './retry.js';
import { SseDecoder } from './sse.js';
import { chunkEventsOf } from './stream.js';
import { ThinkSplitter } from './think.js';
import { ToolCallAssembler } from './tool-wire.js';
import type { ChatRequest, ChatStream, ToolCall, Usage } from './types.js';

class StreamState {
  text = '';
  reasoning = '';
  finishReason: string | null = null;
  usage: Usage | undefined = undefined;
  /** Date.now() of the first reasoning delta and of the first answer text handed out. */
  reasoningStartedAt: number | undefined = undefined;
  firstTextAt: number | undefined = undefined;
  readonly toolCalls = new ToolCallAssembler();
  /** Whether any text reached the caller: from then on a retry would repeat it. */
  yielded = false;

  addReasoning(delta: string, listener: ((delta: string) => void) | undefined): void {
    this.reasoningStartedAt ??= Date.now();
    this.reasoning += delta;
    listener?.(delta);
  }

  /** Records text about to reach the caller. */
  handOut(text: string): void {
    this.firstTextAt ??= Date.now();
    this.text += text;
    this.yielded = true;
  }

  /** Forgets what a failed attempt gathered (it never reached the caller). */
  resetForRetry(): void {
    this.finishReason = null;
    this.usage = undefined;
    this.reasoning = '';
    this.reasoningStartedAt = undefined;
    this.toolCalls.clear();
  }
}

/** The ChatStream handed to callers: iterable once; totals readable after the loop. */
export class OpenAIChatStream implements ChatStream {
  private readonly state = new StreamState();
  private started = false;

  constructor(
    private readonly ctx: CallContext,
    private readonly opener: ChatOpener,
    private readonly req: ChatRequest,
  ) {}

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
    return runStream(this.ctx, this.opener, this.req, this.state);
  }
}

/** Attempts under the retry policy until one completes; each attempt hands out its text one
 * delta per network read. Leaving the loop early cancels the request. (One generator, not one
 * per attempt: a delta passes through no extra layer.) */
async function* runStream(ctx: CallContext, opener: ChatOpener, req: ChatRequest, state: StreamState): AsyncGenerator<string> {
  const userSignal = req.signal;
  // Ours, so that a consumer leaving the loop early cancels the request.
  const controller = new AbortController();
  const signal = userSignal ? AbortSignal.any([userSignal, controller.signal]) : controller.signal;
  let done = false;
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await opener.open(req, true, signal);
        const requestId = res.requestId ?? req.requestId;
        const decoder = new ReadDecoder(state, req, requestId);
        const body = res.body[Symbol.asyncIterator]();
        while (!decoder.sawDone) {
          const read = await body.next();
          const { text, failure } = decoder.decode(read.done ? undefined : (read.value as Uint8Array));
          // Events that arrived in one read go out as one delta: when the loop falls behind,
          // the work per token shrinks instead of the backlog growing.
          if (text) {
            // A stop may land while bytes are already buffered: do not hand out more text.
            if (userSignal?.aborted) throw new LlmError({ kind: 'aborted', detail: 'cancelled by caller', requestId });
            state.handOut(text);
            yield text;
          }
          if (failure !== undefined) throw failure;
          if (read.done) break;
        }
        if (decoder.sawDone) await body.return?.();
        if (userSignal?.aborted) throw new LlmError({ kind: 'aborted', detail: 'cancelled by caller', requestId });
        if (!decoder.sawDone && !state.yielded && state.finishReason === null && state.toolCalls.size === 0) {
          throw new LlmError({ kind: 'stream', code: 'empty_stream', detail: 'stream ended before any reply', requestId, retryable: true });
        }
        done = true;
        return;
      } catch (raw) {
        const err = errorFromException(raw, { aborted: signal.aborted, requestId: req.requestId });
        // Once text reached the caller a retry would repeat it: the error goes up as it is.
        if (state.yielded || !shouldRetry(err, attempt, ctx.policy)) throw err;
        state.resetForRetry();
        await backoff(ctx, err, attempt, userSignal ?? NEVER, req.requestId);
      }
    }
  } finally {
    if (!done) controller.abort();
  }
}

/** bytes -> SSE events -> chunk events, synchronously per network chunk: one await per read
 * rather than a promise per layer per token (1,000 streams share one event loop). */
class ReadDecoder {
  private readonly sse = new SseDecoder();
  private readonly think = new ThinkSplitter();
  sawDone = false;

  constructor(
    private readonly state: StreamState,
    private readonly req: ChatRequest,
    private readonly requestId: string | undefined,
  ) {}

  /** One read's answer text; reasoning, tool calls, finish and usage go into the state. `bytes`
   * undefined = the body ended. */
  decode(bytes: Uint8Array | undefined): { text: string; failure?: unknown } {
    const events = bytes === undefined ? this.sse.end() : this.sse.push(bytes);
    let text = '';
    let reasoning = '';
    let failure: unknown;
    for (const sseEvent of events) {
      let chunkEvents;
      try {
        chunkEvents = chunkEventsOf(sseEvent, this.requestId);
      } catch (err) {
        // Text that came before the bad event in this read is still handed out first.
        failure = err;
        break;
      }
      for (const ev of chunkEvents) {
        if (ev.type === 'text') {
          const split = this.think.push(ev.text);
          text += split.answer;
          reasoning += split.reasoning;
        } else if (ev.type === 'reasoning') reasoning += ev.text;
        else if (ev.type === 'tool_call') this.state.toolCalls.add(ev);
        else if (ev.type === 'finish') this.state.finishReason = ev.reason;
        else if (ev.type === 'usage') this.state.usage = ev.usage;
        else this.sawDone = true;
      }
      if (this.sawDone) break;
    }
    if (this.sawDone || bytes === undefined) {
      const rest = this.think.end();
      text += rest.answer;
      reasoning += rest.reasoning;
    }
    if (reasoning) this.state.addReasoning(reasoning, this.req.onReasoning);
    return { text, failure };
  }
}
