// Tools on the wire: the `tools` field, tool turns in `messages`, and streamed `tool_calls`
// deltas put back together. Kept apart from the client so the HTTP flow stays readable.
import type { ChatMessage, ToolCall, ToolSpec } from './types.js';

/** OpenAI's `tools` field. */
export function toolsField(tools: ToolSpec[]): Record<string, unknown>[] {
  return tools.map((t) => ({
    type: 'function',
    function: { name: t.name, ...(t.description ? { description: t.description } : {}), parameters: t.parameters },
  }));
}

/**
 * Messages as sent. With tools offered, tool turns go as they are (`tool_calls` on the assistant,
 * `role: tool` answers). Without tools, providers reject tool turns (and relays that do not know
 * tools never accept them), so the calls and results go as plain assistant text instead: a
 * follow-up can still refer to them.
 */
export function wireMessages(messages: ChatMessage[], withTools: boolean): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const m of messages) {
    if (withTools || (m.role !== 'tool' && !m.toolCalls?.length)) {
      out.push(wireMessage(m));
      continue;
    }
    const text = m.role === 'tool' ? `[tool result]\n${textOf(m.content)}` : [textOf(m.content), ...(m.toolCalls ?? []).map(describeCall)].filter(Boolean).join('\n');
    out.push({ role: 'assistant', content: text });
  }
  return out;
}

function wireMessage(m: ChatMessage): Record<string, unknown> {
  if (m.role === 'tool') return { role: 'tool', tool_call_id: m.toolCallId ?? '', content: textOf(m.content) };
  const out: Record<string, unknown> = { role: m.role, content: m.content };
  if (m.name) out.name = m.name;
  if (m.toolCalls?.length) {
    out.tool_calls = m.toolCalls;
    // OpenAI wants null, not "", for an assistant turn that only calls tools.
    if (m.content === '') out.content = null;
  }
  return out;
}

function describeCall(call: ToolCall): string {
  return `[called ${call.function.name}(${call.function.arguments})]`;
}

function textOf(content: ChatMessage['content']): string {
  return typeof content === 'string' ? content : content.map((p) => (p.type === 'text' ? p.text : '')).join('');
}

/**
 * Puts streamed `tool_calls` pieces together by index: the id and name come once, the
 * arguments arrive as fragments (split anywhere, even mid-JSON) that are concatenated in order.
 */
export class ToolCallAssembler {
  private readonly calls = new Map<number, ToolCall>();

  add(piece: { index: number; id?: string; name?: string; arguments?: string }): void {
    let call = this.calls.get(piece.index);
    if (!call) {
      call = { id: '', type: 'function', function: { name: '', arguments: '' } };
      this.calls.set(piece.index, call);
    }
    if (piece.id) call.id = piece.id;
    // A name is sent whole in one delta; a relay that repeats it must not double it.
    if (piece.name && !call.function.name.endsWith(piece.name)) call.function.name += piece.name;
    if (piece.arguments) call.function.arguments += piece.arguments;
  }

  /** The calls in index order; ids the provider left out are made up so results can refer to them. */
  result(): ToolCall[] {
    return [...this.calls.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, call]) => ({ ...call, id: call.id || `call_${index}` }));
  }

  get size(): number {
    return this.calls.size;
  }

  clear(): void {
    this.calls.clear();
  }
}
