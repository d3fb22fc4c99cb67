// Turns stored history into the request's messages: system prompt first (never dropped), then
// the newest turns that fit both the message count and the estimated token budget.
import type { ChatMessage, ContentPart } from '../llm/types.js';
import type { StoredTurn } from '../store/types.js';

/** Overhead the API adds per message (role, separators), per OpenAI's cookbook estimate. */
const TOKENS_PER_MESSAGE = 4;
const TOKENS_PER_IMAGE = 800;

const CJK = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]/g;

/**
 * Estimated tokens of a text without a tokenizer: CJK characters are about one token each,
 * other text about four characters per token. Good enough to keep a budget, cheap on a hot path.
 */
export function estimateTokens(text: string): number {
  const cjk = text.match(CJK)?.length ?? 0;
  return cjk + Math.ceil((text.length - cjk) / 4);
}

export function estimateMessageTokens(m: ChatMessage): number {
  let n = TOKENS_PER_MESSAGE;
  for (const call of m.toolCalls ?? []) n += estimateTokens(call.function.name) + estimateTokens(call.function.arguments);
  if (typeof m.content === 'string') return n + estimateTokens(m.content);
  for (const p of m.content) n += p.type === 'text' ? estimateTokens(p.text) : TOKENS_PER_IMAGE;
  return n;
}

/** The `name` field allows [A-Za-z0-9_]{1,64}; anything else is replaced or dropped. */
export function sanitizeName(name: string): string | undefined {
  const ascii = name
    .normalize('NFKD')
    .replace(/[^\w]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 64);
  return ascii.length > 0 ? ascii : undefined;
}

/**
 * Told to the model after an answer that was cut short, so it neither takes the fragment for a
 * finished answer nor imitates its abrupt end. Model-facing, so not localized.
 */
export const INTERRUPTED_MARK = '[This answer was interrupted before it was complete.]';

/** U+FFFD: what is left of a character a relay or a dropped connection cut in half. */
const REPLACEMENT_CHARS = /\uFFFD+/g;

/** Text fit to go back to the model: no U+FFFD debris. */
export function cleanForContext(text: string): string {
  return text.replace(REPLACEMENT_CHARS, '');
}

export function turnToMessage(t: StoredTurn): ChatMessage {
  let content = cleanForContext(t.content);
  if (t.role === 'assistant' && t.interrupted) content = content.trimEnd() + '\n\n' + INTERRUPTED_MARK;
  const m: ChatMessage = t.name ? { role: t.role, content, name: t.name } : { role: t.role, content };
  if (t.toolCalls?.length) m.toolCalls = t.toolCalls;
  if (t.toolCallId !== undefined) m.toolCallId = t.toolCallId;
  return m;
}

/**
 * The turn at `end` and the turns it cannot go without: a tool result needs the assistant turn
 * that called it and that turn's other results, or the provider rejects the request. Returns
 * the group's first index, or -1 for tool results whose call was already trimmed away.
 */
function groupStart(history: StoredTurn[], end: number): number {
  if (history[end]!.role !== 'tool') return end;
  let i = end;
  while (i >= 0 && history[i]!.role === 'tool') i--;
  return i >= 0 && history[i]!.role === 'assistant' && history[i]!.toolCalls?.length ? i : -1;
}

/**
 * A question whose reply failed stays in the store (so `retry` can ask it again) but is followed
 * by another user turn. Sent as they are, the model would face a pile of stale questions and
 * answer them all; of each run of user turns only the newest goes out.
 */
export function collapseUserRuns(messages: ChatMessage[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (const m of messages) {
    if (m.role === 'user' && out.at(-1)?.role === 'user') out[out.length - 1] = m;
    else out.push(m);
  }
  return out;
}

export interface BuildOptions {
  systemPrompt: string;
  maxMessages: number;
  maxTokens: number;
}

/**
 * Assembles system + history + the new user message. The new message always goes in, even if
 * it alone exceeds the budget (the provider then says so); older turns go first.
 */
export function buildMessages(history: StoredTurn[], next: ChatMessage | undefined, opts: BuildOptions): ChatMessage[] {
  const system: ChatMessage = { role: 'system', content: opts.systemPrompt };
  let budget = opts.maxTokens - estimateMessageTokens(system);
  let slots = opts.maxMessages;
  const tail: ChatMessage[] = [];
  if (next) {
    tail.push(next);
    budget -= estimateMessageTokens(next);
    slots -= 1;
  }
  const kept: ChatMessage[] = [];
  // Newest first, a tool-call turn and its results as one unit: all of it fits or none.
  for (let end = history.length - 1; end >= 0 && slots > 0; ) {
    const start = groupStart(history, end);
    if (start < 0) break;
    const group = history.slice(start, end + 1).map(turnToMessage);
    const cost = group.reduce((n, m) => n + estimateMessageTokens(m), 0);
    if (cost > budget || group.length > slots) break;
    budget -= cost;
    slots -= group.length;
    kept.push(...group.reverse());
    end = start - 1;
  }
  kept.reverse();
  // A history must not open with an answer (or tool results) cut from its question.
  while (kept.length > 0 && kept[0]!.role !== 'user') kept.shift();
  const out = opts.systemPrompt ? [system] : [];
  return [...out, ...collapseUserRuns([...kept, ...tail])];
}

/** Builds the user's content: plain text, or text + image parts for vision. */
export function userContent(text: string, imageUrls: string[]): string | ContentPart[] {
  if (imageUrls.length === 0) return text;
  const parts: ContentPart[] = [];
  if (text) parts.push({ type: 'text', text });
  for (const url of imageUrls) parts.push({ type: 'image_url', image_url: { url } });
  return parts;
}
