// SSE events -> JSON chunks -> what the caller cares about: text, reasoning, finish reason, usage.
// Tolerates every chunk shape in docs/providers.md: role repeated in every delta, role-only deltas,
// usage inside choices[0] (seed 002) or at the top level, Azure's choice-less first chunk.
import { errorFromStreamObject, LlmError, shortText } from './errors.js';
import type { SseEvent } from './sse.js';
import type { Usage } from './types.js';

export type ChatChunkEvent =
  | { type: 'text'; text: string }
  /** The model's reasoning (`delta.reasoning_content` or `delta.reasoning`): never answer text. */
  | { type: 'reasoning'; text: string }
  /** One piece of a tool call; pieces with the same index belong to one call. */
  | { type: 'tool_call'; index: number; id?: string; name?: string; arguments?: string }
  | { type: 'finish'; reason: string }
  | { type: 'usage'; usage: Usage }
  | { type: 'done' };

/** The sentinel that ends an OpenAI stream. */
const DONE_SENTINEL = '[DONE]';

/** Reads one usage object in either spelling; undefined when it is not one. */
export function parseUsage(value: unknown): Usage | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const u = value as Record<string, unknown>;
  const prompt = Number(u.prompt_tokens ?? 0);
  const completion = Number(u.completion_tokens ?? 0);
  const total = Number(u.total_tokens ?? prompt + completion);
  if (![prompt, completion, total].every(Number.isFinite)) return undefined;
  return { promptTokens: prompt, completionTokens: completion, totalTokens: total };
}

/**
 * Turns SSE events into chunk events. Throws LlmError: `stream` for a data line that is not
 * JSON, or the matching kind for an `{"error": ...}` object sent inside a 200 stream.
 */
export async function* chatChunkEvents(events: AsyncIterable<SseEvent>, requestId?: string): AsyncGenerator<ChatChunkEvent> {
  for await (const ev of events) {
    for (const out of chunkEventsOf(ev, requestId)) {
      yield out;
      if (out.type === 'done') return;
    }
  }
}

/**
 * One SSE event -> its chunk events (synchronous, for the client's hot path). A `done` event
 * ends the stream: callers stop reading after it.
 */
export function chunkEventsOf(ev: SseEvent, requestId?: string): ChatChunkEvent[] {
  const data = ev.data.trim();
  if (!data) return [];
  if (data === DONE_SENTINEL) return [DONE_EVENT];
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    throw new LlmError({ kind: 'stream', code: 'malformed_json', detail: `data line is not JSON: ${shortText(data).slice(0, 80)}`, requestId });
  }
  if (!json || typeof json !== 'object') {
    throw new LlmError({ kind: 'stream', code: 'malformed_json', detail: 'data line is not a JSON object', requestId });
  }
  const chunk = json as Record<string, unknown>;
  if ((chunk.error !== undefined && chunk.error !== null) || ev.event === 'error') throw errorFromStreamObject(chunk, requestId);
  return eventsOfChunk(chunk);
}

const DONE_EVENT: ChatChunkEvent = { type: 'done' };

function eventsOfChunk(chunk: Record<string, unknown>): ChatChunkEvent[] {
  const out: ChatChunkEvent[] = [];
  const choices = Array.isArray(chunk.choices) ? (chunk.choices as Record<string, unknown>[]) : [];
  const choice = choices.find((c) => (c?.index ?? 0) === 0) ?? choices[0];
  if (choice) {
    const delta = choice.delta as Record<string, unknown> | undefined;
    // DeepSeek-style relays say reasoning_content, OpenRouter-style ones reasoning.
    const reasoning = delta?.reasoning_content ?? delta?.reasoning;
    if (typeof reasoning === 'string' && reasoning !== '') out.push({ type: 'reasoning', text: reasoning });
    // Role-only deltas (and repeated roles) carry nothing to show.
    if (delta && typeof delta.content === 'string' && delta.content !== '') out.push({ type: 'text', text: delta.content });
    if (delta && Array.isArray(delta.tool_calls)) {
      for (const [position, raw] of (delta.tool_calls as Record<string, unknown>[]).entries()) {
        if (!raw || typeof raw !== 'object') continue;
        const fn = (raw.function ?? {}) as Record<string, unknown>;
        out.push({
          type: 'tool_call',
          // Some relays leave out the index when a delta carries one call: its position stands in.
          index: typeof raw.index === 'number' ? raw.index : position,
          ...(typeof raw.id === 'string' && raw.id ? { id: raw.id } : {}),
          ...(typeof fn.name === 'string' && fn.name ? { name: fn.name } : {}),
          ...(typeof fn.arguments === 'string' && fn.arguments ? { arguments: fn.arguments } : {}),
        });
      }
    }
    const usageInChoice = parseUsage(choice.usage);
    if (usageInChoice) out.push({ type: 'usage', usage: usageInChoice });
    if (typeof choice.finish_reason === 'string' && choice.finish_reason) out.push({ type: 'finish', reason: choice.finish_reason });
  }
  const topUsage = parseUsage(chunk.usage);
  if (topUsage) out.push({ type: 'usage', usage: topUsage });
  return out;
}
