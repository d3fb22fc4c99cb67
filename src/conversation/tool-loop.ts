// The tool loop of one reply: ask the model with tools offered; when it answers with tool calls,
// run them, add the calls and results to the messages and ask again, until it answers in text
// or TOOLS_MAX_STEPS rounds of tools have run. To the relay it is one ChatStream: the text of
// every round, in order, so the writers and caps work as for any reply.
import type { Logger } from '../log.js';
import type { ChatMessage, ChatRequest, ChatStream, LlmClient, ToolCall, ToolSpec, Usage } from '../llm/types.js';
import type { StoredTurn } from '../store/types.js';

/** What the loop needs from the tool pool (McpToolPool implements it). */
export interface ToolRunner {
  specs(): ToolSpec[];
  displayName(name: string): string;
  call(name: string, argumentsJson: string, ctx: { signal?: AbortSignal; requestId?: string; channel?: string }): Promise<{ content: string; isError: boolean }>;
}

export interface ToolLoopOptions {
  llm: LlmClient;
  /** The first request; `tools` is filled in here. */
  request: ChatRequest;
  tools: ToolRunner;
  /** Rounds of tool calls at most; the request after the last round offers no tools, so the model answers. */
  maxSteps: number;
  /** Called with the tools' display names before they run (the "using …" status). */
  onToolsStart: (names: string[]) => void;
  channel?: string;
  logger: Logger;
}

export class ToolLoopStream implements ChatStream {
  private textSoFar = '';
  private reasoningSoFar = '';
  private finish: string | null = null;
  private usageSum: Usage | undefined;
  private firstText: number | undefined;
  private thinking: number | undefined;
  /** Length of the text yielded before the current round began. */
  private roundStart = 0;
  /** Completed rounds of tool calls, for the history: each assistant call turn, then its results. */
  readonly turns: StoredTurn[] = [];
  private started = false;

  constructor(private readonly opts: ToolLoopOptions) {}

  get text(): string {
    return this.textSoFar;
  }
  get reasoning(): string {
    return this.reasoningSoFar;
  }
  get finishReason(): string | null {
    return this.finish;
  }
  get usage(): Usage | undefined {
    return this.usageSum;
  }
  get firstTextAt(): number | undefined {
    return this.firstText;
  }
  get thinkingMs(): number | undefined {
    return this.thinking;
  }

  /** Where the last round's text starts in `text`: the answer stored after the tool turns. */
  get finalTextStart(): number {
    return this.roundStart;
  }

  [Symbol.asyncIterator](): AsyncIterator<string> {
    if (this.started) throw new Error('A ChatStream can be iterated only once.');
    this.started = true;
    return this.run();
  }

  private async *run(): AsyncGenerator<string> {
    const { llm, request, tools, maxSteps, logger } = this.opts;
    const messages: ChatMessage[] = [...request.messages];
    const specs = tools.specs();
    for (let step = 0; ; step++) {
      const offer = step < maxSteps && specs.length > 0 ? specs : undefined;
      const stream = llm.streamChat({ ...request, messages, ...(offer ? { tools: offer } : {}) });
      this.roundStart = this.textSoFar.length;
      // Text of an earlier round (said before calling a tool) and this one's stay apart.
      let separator = this.textSoFar && !/\s$/.test(this.textSoFar) ? '\n\n' : '';
      for await (const delta of stream) {
        this.firstText ??= stream.firstTextAt;
        const out = separator + delta;
        // The separator belongs to neither round's stored text.
        this.roundStart += separator.length;
        separator = '';
        this.textSoFar += out;
        yield out;
      }
      this.finish = stream.finishReason;
      this.addUsage(stream.usage);
      this.reasoningSoFar += stream.reasoning ?? '';
      this.thinking ??= stream.thinkingMs;
      const calls = stream.toolCalls ?? [];
      if (!offer || calls.length === 0) return;

      const said = this.textSoFar.slice(this.roundStart);
      const callTurn: ChatMessage = { role: 'assistant', content: said, toolCalls: calls };
      this.opts.onToolsStart([...new Set(calls.map((c) => tools.displayName(c.function.name)))]);
      const results = await this.runCalls(calls);
      messages.push(callTurn, ...results);
      const at = Date.now();
      this.turns.push({ role: 'assistant', content: said, at, toolCalls: calls });
      for (const r of results) this.turns.push({ role: 'tool', content: r.content as string, at, toolCallId: r.toolCallId });
      logger.debug({ step: step + 1, calls: calls.map((c) => c.function.name) }, 'tools: round done');
    }
  }

  /** Runs one round's calls one after another (a later call may depend on an earlier one's effect). */
  private async runCalls(calls: ToolCall[]): Promise<ChatMessage[]> {
    const out: ChatMessage[] = [];
    for (const call of calls) {
      const result = await this.opts.tools.call(call.function.name, call.function.arguments, {
        signal: this.opts.request.signal,
        requestId: this.opts.request.requestId,
        channel: this.opts.channel,
      });
      out.push({ role: 'tool', content: result.content, toolCallId: call.id });
    }
    return out;
  }

  private addUsage(u: Usage | undefined): void {
    if (!u) return;
    const s = this.usageSum ?? { promptTokens: 0, completionTokens: 0, totalTokens: 0 };
    this.usageSum = {
      promptTokens: s.promptTokens + u.promptTokens,
      completionTokens: s.completionTokens + u.completionTokens,
      totalTokens: s.totalTokens + u.totalTokens,
    };
  }
}
