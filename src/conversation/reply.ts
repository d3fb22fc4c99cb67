// One streamed answer: the request built from the channel's settings, the stream (through tool
// rounds when tools are on) piped to the surface, the answer stored, the spend counted, the
// outcome logged, and in voice mode the answer spoken.
import type { ChatMessage, ChatRequest } from '../llm/types.js';
import type { Logger } from '../log.js';
import type { RelayResult } from '../relay/index.js';
import { ReasoningDisplay } from '../relay/reasoning.js';
import type { ChannelSettings, StoredTurn } from '../store/types.js';
import type { Surface } from '../types.js';
import { budgetKey, chargedTokens } from './budget.js';
import type { CommandContext, CommandServices } from './commands/context.js';
import { buildMessages, cleanForContext } from './history.js';
import { speak } from './media.js';
import { ToolLoopStream, type ToolRunner } from './tool-loop.js';

const DAY_MS = 24 * 3600_000;

/** What a reply needs of the command that asked for it. */
export type ReplyContext = Omit<CommandContext, 'cmd'>;

/** Streams an answer to `next` given `history`, stores it, speaks it in voice mode. */
export async function reply(ctx: ReplyContext, services: CommandServices, history: StoredTurn[], next: ChatMessage): Promise<void> {
  const { msg, surface, signal, log } = ctx;
  const { store, settings, speaker } = services;
  const channelSettings = await store.getSettings(msg.channel);
  const started = Date.now();
  // A reply cap ends the request too, not only the user's stop.
  const capStop = new AbortController();
  const tools = channelSettings.tools === false || !services.tools?.specs().length ? undefined : services.tools;
  const thinking = reasoningDisplay(surface, services, log, tools !== undefined);
  const request = chatRequest(ctx, services, { channelSettings, history, next, thinking, signal: AbortSignal.any([signal, capStop.signal]) });
  const loop = tools && toolLoop(request, tools, thinking, surface, services, log);
  const stream = loop || services.llm.streamChat(request);
  const result = await speaker.relay.pipe(stream, thinking.surface, {
    signal,
    errorNotice: (err) => `⚠️ ${speaker.describe(err)}`,
    stoppedNotice: speaker.line('stopped'),
    caps: settings.caps,
    capNotice: (cap) => speaker.line(cap === 'deadline' ? 'reply_cap.deadline' : 'reply_cap.length'),
    onCap: () => capStop.abort(),
  });
  await thinking.end();

  const interrupted = await storeAnswer(ctx, services, result, loop || undefined);
  await services.paging.keep(msg.channel, result, surface);
  const tokens = chargedTokens(stream.usage?.totalTokens, request.messages, result.text);
  if (tokens > 0) await store.increment(budgetKey(msg), tokens, DAY_MS);

  const fields = {
    model: request.model,
    ms: Date.now() - started,
    chars: result.text.length,
    messages: result.sentMessages,
    edits: result.edits,
    finishReason: stream.finishReason,
    tokens,
    ...(result.capped ? { capped: result.capped } : {}),
    ...(loop ? { toolCalls: loop.turns.filter((t) => t.role === 'tool').length } : {}),
    // Time to first text counts from the request to the first answer token, thinking included;
    // thinkingMs says how much of it the model spent reasoning.
    firstTextMs: stream.firstTextAt === undefined ? undefined : stream.firstTextAt - started,
    thinkingMs: stream.thinkingMs,
  };
  if (result.error && !result.aborted) log.warn({ ...fields, err: result.error }, 'reply interrupted');
  else log.info({ ...fields, aborted: result.aborted }, 'reply done');

  if (channelSettings.voice && result.text && !interrupted && surface.limits.audio !== false) await speak(ctx, services, result.text);
}

/** The request: the channel's own /model and /system win over its persona's, which win over the defaults. */
interface RequestParts {
  channelSettings: ChannelSettings;
  history: StoredTurn[];
  next: ChatMessage;
  signal: AbortSignal;
  thinking: ReasoningDisplay;
}

function chatRequest(ctx: ReplyContext, services: CommandServices, parts: RequestParts): ChatRequest {
  const { channelSettings, history, next, signal, thinking } = parts;
  const { chat, history: limits } = services.settings;
  const persona = services.personas?.get(channelSettings.persona);
  return {
    model: channelSettings.model ?? persona?.model ?? chat.chatModel,
    messages: buildMessages(history, next, {
      systemPrompt: channelSettings.systemPrompt ?? persona?.systemPrompt ?? chat.systemPrompt,
      maxMessages: limits.maxMessages,
      maxTokens: limits.maxTokens,
    }),
    temperature: persona?.temperature ?? chat.temperature,
    maxTokens: chat.maxTokens,
    signal,
    requestId: ctx.requestId,
    onReasoning: thinking.onReasoning,
  };
}

/**
 * The relay's text never holds our notices; an answer cut short is stored as such. After tools
 * ran, the answer is the last round's text; the rounds before go in as tool turns.
 * Returns whether the answer was interrupted.
 */
async function storeAnswer(ctx: ReplyContext, services: CommandServices, result: RelayResult, loop: ToolLoopStream | undefined): Promise<boolean> {
  const answer = cleanForContext(result.text.slice(loop ? loop.finalTextStart : 0));
  const interrupted = result.error !== undefined || result.aborted || result.capped !== undefined;
  const turns: StoredTurn[] = [...(loop ? loop.turns : [])];
  if (answer.trim()) turns.push({ role: 'assistant', content: answer, at: Date.now(), ...(interrupted ? { interrupted } : {}) });
  if (turns.length > 0) await services.store.append(ctx.msg.channel, turns, services.settings.history.maxMessages);
  return interrupted;
}

/** The reply as a tool loop: tool rounds show "using <tool>…" the way thinking shows its status. */
function toolLoop(request: ChatRequest, tools: ToolRunner, thinking: ReasoningDisplay, surface: Surface, services: CommandServices, log: Logger): ToolLoopStream {
  const { speaker } = services;
  return new ToolLoopStream({
    llm: services.llm,
    request,
    tools,
    maxSteps: services.settings.toolMaxSteps,
    onToolsStart: (names) => {
      const tool = names.join(', ');
      thinking.showStatus(speaker.line('tool_status', { tool }), speaker.line('tool_status_line', { tool }));
      void surface.typing().catch(() => undefined);
    },
    channel: surface.channel,
    logger: log,
  });
}

/** How this reply shows a reasoning model's thinking (REASONING); the thinking never goes into history. */
function reasoningDisplay(surface: Surface, services: CommandServices, log: Logger, toolStatus: boolean): ReasoningDisplay {
  const { speaker } = services;
  return new ReasoningDisplay(surface, {
    toolStatus,
    mode: services.settings.chat.reasoning,
    lines: {
      thinking: speaker.line('thinking'),
      thinkingLine: speaker.line('thinking_line'),
      label: speaker.line('reasoning_label'),
      noAnswer: speaker.line('no_answer'),
    },
    deliverLine: (text) => speaker.relay.deliver(text, surface),
    logger: log,
  });
}
