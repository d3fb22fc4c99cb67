// Streamed tool calls the way OpenAI sends them: the id and name first, then the arguments in
// small fragments (cut mid-JSON), fragments of several calls interleaved, finish_reason
// `tool_calls`. Used by the fake upstream's tool mode.

export interface PlannedCall {
  name: string;
  /** JSON text of the arguments. */
  arguments: string;
}

/**
 * What the fake does with a chat request that offers tools: call these (after saying `say`,
 * streamed as content, when given), or answer normally (undefined).
 */
export type ToolPlanner = (body: { messages?: { role: string; content: unknown }[]; tools?: unknown[] }) => PlannedCall[] | { say: string; calls: PlannedCall[] } | undefined;

/** Characters per arguments fragment: small enough to cut every JSON value in two. */
const ARGUMENT_FRAGMENT_CHARS = 5;

/** SSE data lines (without `data: ` framing) for one streamed tool-call turn. */
export function toolCallChunks(model: string, calls: PlannedCall[], idPrefix: string, say = ''): Record<string, unknown>[] {
  const base = { id: `chatcmpl-${idPrefix}`, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model };
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({ ...base, choices: [{ index: 0, delta, finish_reason: finish }] });
  const out: Record<string, unknown>[] = [chunk({ role: 'assistant', content: null })];
  for (const word of say.match(/\S+\s*/g) ?? []) out.push(chunk({ content: word }));
  calls.forEach((call, index) => {
    out.push(chunk({ tool_calls: [{ index, id: `call_${idPrefix}_${index}`, type: 'function', function: { name: call.name, arguments: '' } }] }));
  });
  const fragments = calls.map((c) => {
    const parts: string[] = [];
    for (let i = 0; i < c.arguments.length; i += ARGUMENT_FRAGMENT_CHARS) parts.push(c.arguments.slice(i, i + ARGUMENT_FRAGMENT_CHARS));
    return parts;
  });
  // Round-robin across calls: the client must sort fragments by index, not by arrival.
  for (let round = 0; fragments.some((f) => f.length > round); round++) {
    fragments.forEach((parts, index) => {
      const piece = parts[round];
      if (piece !== undefined) out.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }));
    });
  }
  out.push(chunk({}, 'tool_calls'));
  return out;
}
