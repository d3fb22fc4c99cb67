// Tool calls on the wire: streamed tool_calls deltas (several calls in one turn, arguments cut
// mid-JSON, fragments of different calls interleaved) come out as whole calls; a relay that
// answers 400 to `tools` gets the request again without them, once per model, logged once.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { SseDecoder } from '../../src/llm/sse.js';
import { chunkEventsOf } from '../../src/llm/stream.js';
import { ToolCallAssembler, wireMessages } from '../../src/llm/tool-wire.js';
import type { ChatMessage, ToolSpec } from '../../src/llm/types.js';
import { startFakeUpstream, type FakeUpstream } from '../fakes/upstream/server.js';
import { toolCallChunks } from '../fakes/upstream/tool-calls.js';
import { chatReq, collect, fastClient } from './helpers.js';

const ADD: ToolSpec = { name: 'math__add', description: 'Adds.', parameters: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } } } };
const CALLS = [
  { name: 'math__add', arguments: '{"a": 2, "b": 40}' },
  { name: 'text__echo', arguments: '{"text": "héllo, 世界 \\"quoted\\""}' },
  { name: 'clock__now', arguments: '{}' },
];

describe('tool_calls decoding', () => {
  it('several calls, arguments split mid-JSON and interleaved, split at every byte: whole calls in index order', () => {
    const body = Buffer.from(toolCallChunks('m', CALLS, 't').map((c) => `data: ${JSON.stringify(c)}\n\n`).join('') + 'data: [DONE]\n\n');
    for (let at = 1; at < body.length; at += 7) {
      const sse = new SseDecoder();
      const calls = new ToolCallAssembler();
      let finish: string | undefined;
      for (const ev of [...sse.push(body.subarray(0, at)), ...sse.push(body.subarray(at)), ...sse.end()]) {
        for (const out of chunkEventsOf(ev)) {
          if (out.type === 'tool_call') calls.add(out);
          if (out.type === 'finish') finish = out.reason;
        }
      }
      expect(calls.result().map((c) => ({ name: c.function.name, arguments: c.function.arguments })), `split at ${at}`).toEqual(CALLS);
      expect(calls.result().map((c) => c.id)).toEqual(['call_t_0', 'call_t_1', 'call_t_2']);
      expect(finish).toBe('tool_calls');
    }
  });

  it('without tools on the request, tool turns go as plain assistant text', () => {
    const messages: ChatMessage[] = [
      { role: 'user', content: 'sum?' },
      { role: 'assistant', content: '', toolCalls: [{ id: 'c1', type: 'function', function: { name: 'math__add', arguments: '{"a":1,"b":2}' } }] },
      { role: 'tool', content: '3', toolCallId: 'c1' },
    ];
    expect(wireMessages(messages, true)).toEqual([
      { role: 'user', content: 'sum?' },
      { role: 'assistant', content: null, tool_calls: messages[1]!.toolCalls },
      { role: 'tool', tool_call_id: 'c1', content: '3' },
    ]);
    expect(wireMessages(messages, false)).toEqual([
      { role: 'user', content: 'sum?' },
      { role: 'assistant', content: '[called math__add({"a":1,"b":2})]' },
      { role: 'assistant', content: '[tool result]\n3' },
    ]);
  });
});

describe('OpenAIClient with tools', () => {
  let fake: FakeUpstream;
  beforeAll(async () => {
    fake = await startFakeUpstream({ rejectsTools: /^old-relay/ });
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.reset());

  it('streams tool calls from the fake upstream and sends the tools field', async () => {
    fake.setToolPlanner(() => CALLS);
    const stream = fastClient(fake).streamChat(chatReq('go', { tools: [ADD] }));
    expect(await collect(stream)).toEqual([]);
    expect(stream.finishReason).toBe('tool_calls');
    expect(stream.toolCalls?.map((c) => c.function)).toEqual(CALLS);
    const body = fake.requests[0]!.body as { tools: unknown[] };
    expect(body.tools).toEqual([{ type: 'function', function: { name: ADD.name, description: ADD.description, parameters: ADD.parameters } }]);
  });

  it('a relay that answers 400 to tools: asked again without them, remembered per model, logged once', async () => {
    const lines: Array<{ msg: string; model?: string }> = [];
    const logger = createLogger('debug', { write: (line: string) => void lines.push(JSON.parse(line) as { msg: string }) });
    const client = fastClient(fake, { logger });
    for (let i = 0; i < 2; i++) {
      const stream = client.streamChat(chatReq('hi', { model: 'old-relay-1', tools: [ADD] }));
      expect((await collect(stream)).join('')).toBe('You said: hi');
    }
    const sentTools = fake.requests.map((r) => (r.body as { tools?: unknown }).tools !== undefined);
    // First reply: with tools (400), then without; second reply: without tools from the start.
    expect(sentTools).toEqual([true, false, false]);
    expect(lines.filter((l) => l.msg.includes('refused tools'))).toHaveLength(1);
    // Another model on the same client still gets tools.
    fake.setToolPlanner(() => CALLS.slice(0, 1));
    const other = client.streamChat(chatReq('go', { tools: [ADD] }));
    await collect(other);
    expect(other.toolCalls).toHaveLength(1);
  });
});
