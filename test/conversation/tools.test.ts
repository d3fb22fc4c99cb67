// Replies with MCP tools, end to end through the core: the fake upstream streams tool_calls
// (split across chunks), a real MCP server over stdio runs them, and the user sees "using …"
// before the answer. History keeps the calls and results for a follow-up; the loop stops after
// TOOLS_MAX_STEPS; admins switch tools per channel.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildMessages } from '../../src/conversation/history.js';
import type { StoredTurn } from '../../src/store/types.js';
import { startFakeUpstream, type FakeUpstream } from '../fakes/upstream/server.js';
import { addThenAnswer, answerFromResults, testServersFile } from '../helpers/tools.js';
import { chatBodies, incoming, makeCore, RecordingSurface, type Harness } from './harness.js';

type Body = { messages: Array<{ role: string; content: unknown; tool_calls?: Array<{ id: string; function: { name: string; arguments: string } }>; tool_call_id?: string }>; tools?: unknown[] };

describe('replies with tools', () => {
  let upstream: FakeUpstream;
  let h: Harness;
  const serversFile = testServersFile();
  beforeAll(async () => {
    upstream = await startFakeUpstream();
  });
  afterAll(() => upstream.close());
  beforeEach(() => {
    upstream.reset();
    upstream.setToolPlanner(addThenAnswer);
    upstream.setReply(answerFromResults);
  });
  afterEach(() => h?.core.close());

  it('runs the calls, shows "using …" that the answer replaces, and keeps calls and results for a follow-up', async () => {
    h = await makeCore(upstream, { MCP_SERVERS: serversFile });
    const s = new RecordingSurface();
    await h.core.manager.handle(incoming('what is 2+40?'), s);

    // One message: the status first, then the answer in its place.
    expect(s.messages).toHaveLength(1);
    expect(s.messages[0]!.writes[0]!.text).toBe('🔧 Using add, echo…');
    expect(s.messages[0]!.text).toBe('The tools said 42 and héllo.');

    const [first, second] = chatBodies(upstream) as unknown as Body[];
    expect(first!.tools).toHaveLength(5);
    const call = second!.messages.at(-3)!;
    expect(call.tool_calls?.map((c) => c.function)).toEqual([
      { name: 'calc__add', arguments: '{"a": 2, "b": 40}' },
      { name: 'calc__echo', arguments: '{"text": "héllo"}' },
    ]);
    expect(second!.messages.slice(-2).map((m) => [m.tool_call_id, m.content])).toEqual([
      [call.tool_calls![0]!.id, '42'],
      [call.tool_calls![1]!.id, 'héllo'],
    ]);

    const history = await h.core.store.load('test:1');
    expect(history.map((t) => t.role)).toEqual(['user', 'assistant', 'tool', 'tool', 'assistant']);
    expect(history.at(-1)!.content).toBe('The tools said 42 and héllo.');

    // The follow-up request carries the earlier calls and results.
    upstream.setToolPlanner(undefined);
    await h.core.manager.handle(incoming('and doubled?'), new RecordingSurface());
    const third = chatBodies(upstream)[2] as unknown as Body;
    expect(third.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool', 'tool', 'assistant', 'user']);
    expect(h.logs()).toMatch(/"tool":"calc__add".*"ms":\d+.*"msg":"tool call done"/);
  }, 30_000);

  it('a MUD-like line surface gets one "(using …)" line, then the answer', async () => {
    h = await makeCore(upstream, { MCP_SERVERS: serversFile });
    const s = new RecordingSurface({ lineMode: { width: 80, pacingMs: 1 }, canEdit: false });
    await h.core.manager.handle(incoming('sum?'), s);
    expect(s.lines.map((l) => l.text)).toEqual(['(using add, echo…)', 'The tools said 42 and héllo.']);
  }, 30_000);

  it('stops offering tools after TOOLS_MAX_STEPS rounds, so the model answers', async () => {
    h = await makeCore(upstream, { MCP_SERVERS: serversFile, TOOLS_MAX_STEPS: '2' });
    upstream.setToolPlanner(() => [{ name: 'calc__add', arguments: '{"a":1,"b":1}' }]);
    upstream.setReply('Done.');
    const s = new RecordingSurface();
    await h.core.manager.handle(incoming('loop forever'), s);
    const bodies = chatBodies(upstream) as unknown as Body[];
    expect(bodies.map((b) => b.tools !== undefined)).toEqual([true, true, false]);
    // Without tools on the request, the two rounds' results travel as text.
    expect(bodies[2]!.messages.filter((m) => m.content === '[tool result]\n2')).toHaveLength(2);
    expect(s.messages.at(-1)!.text).toBe('Done.');
  }, 30_000);

  it('tools off in a channel: no tools offered there; `tools` says which are on', async () => {
    h = await makeCore(upstream, { MCP_SERVERS: serversFile });
    const s = new RecordingSurface();
    await h.core.manager.handle(incoming('/tools'), s);
    expect(s.all).toContain('Tools are on here: add, echo, big, slow, fail');
    await h.core.manager.handle(incoming('/tools off'), s);
    expect(s.all).toContain('Tools are off here.');
    await h.core.manager.handle(incoming('sum?'), s);
    expect((chatBodies(upstream)[0] as unknown as Body).tools).toBeUndefined();
    // In a shared channel a non-admin may look but not switch.
    const group = new RecordingSurface({}, 'test:2');
    await h.core.manager.handle(incoming('/tools on', { channel: 'test:2', isDirect: false }), group);
    expect(group.all).toContain('only an admin');
  }, 30_000);

  it('retry regenerates the whole reply: the old tool turns go, new ones come', async () => {
    h = await makeCore(upstream, { MCP_SERVERS: serversFile });
    await h.core.manager.handle(incoming('sum?'), new RecordingSurface());
    await h.core.manager.handle(incoming('/retry'), new RecordingSurface());
    const history = await h.core.store.load('test:1');
    expect(history.map((t) => t.role)).toEqual(['user', 'assistant', 'tool', 'tool', 'assistant']);
    // The retried request asked the question afresh, without the first round's calls.
    expect((chatBodies(upstream)[2] as unknown as Body).messages.map((m) => m.role)).toEqual(['system', 'user']);
  }, 30_000);

  it('stop while a tool runs: the reply ends as stopped and no half round is stored', async () => {
    h = await makeCore(upstream, { MCP_SERVERS: serversFile });
    upstream.setToolPlanner((body) => (body.messages?.at(-1)?.role === 'user' ? [{ name: 'calc__slow', arguments: '{"ms": 20000}' }] : undefined));
    const s = new RecordingSurface();
    const reply = h.core.manager.handle(incoming('take your time'), s);
    await vi.waitFor(() => expect(s.messages[0]?.text).toBe('🔧 Using slow…'), { timeout: 10_000 });
    await h.core.manager.handle(incoming('/stop'), s);
    await reply;
    expect(s.all).toContain('(stopped)');
    expect((await h.core.store.load('test:1')).map((t) => t.role)).toEqual(['user']);
    expect(chatBodies(upstream)).toHaveLength(1);
  }, 30_000);

  it('text before the calls stays above the answer; only the answer is stored as the answer', async () => {
    h = await makeCore(upstream, { MCP_SERVERS: serversFile });
    upstream.setToolPlanner((body) =>
      body.messages?.at(-1)?.role === 'user' ? { say: 'Let me add that.', calls: [{ name: 'calc__add', arguments: '{"a":1,"b":2}' }] } : undefined,
    );
    const s = new RecordingSurface();
    await h.core.manager.handle(incoming('sum?'), s);
    expect(s.messages.map((m) => m.text)).toEqual(['Let me add that.\n\nThe tools said 3.']);
    const history = await h.core.store.load('test:1');
    expect(history.slice(1).map((t) => [t.role, t.content])).toEqual([
      ['assistant', 'Let me add that.'],
      ['tool', '3'],
      ['assistant', 'The tools said 3.'],
    ]);
    expect(h.logs()).toMatch(/"toolCalls":1.*"msg":"reply done"/);
  }, 30_000);

  it('a relay that answers 400 to tools: the user gets a plain answer, no notice; logged once', async () => {
    const refusing = await startFakeUpstream({ rejectsTools: /./, reply: 'Plain answer.' });
    try {
      h = await makeCore(refusing, { MCP_SERVERS: serversFile });
      for (const text of ['one', 'two']) {
        const s = new RecordingSurface();
        await h.core.manager.handle(incoming(text), s);
        expect(s.all).toBe('Plain answer.');
      }
      expect(h.logs().match(/provider refused tools/g)).toHaveLength(1);
    } finally {
      await h.core.close();
      await refusing.close();
    }
  }, 30_000);

  it('without MCP_SERVERS no tools are sent and `tools` says none are configured', async () => {
    h = await makeCore(upstream);
    const s = new RecordingSurface();
    await h.core.manager.handle(incoming('/tools'), s);
    await h.core.manager.handle(incoming('hi'), s);
    expect(s.all).toContain('No tools are configured.');
    expect((chatBodies(upstream)[0] as unknown as Body).tools).toBeUndefined();
  });
});

describe('history trimming with tool turns', () => {
  const at = 0;
  const turns: StoredTurn[] = [
    { role: 'user', content: 'q1', at },
    { role: 'assistant', content: '', at, toolCalls: [{ id: 'c1', type: 'function', function: { name: 'x', arguments: '{}' } }, { id: 'c2', type: 'function', function: { name: 'y', arguments: '{}' } }] },
    { role: 'tool', content: 'r'.repeat(200), at, toolCallId: 'c1' },
    { role: 'tool', content: 'r2', at, toolCallId: 'c2' },
    { role: 'assistant', content: 'a1', at },
  ];

  it('a tool-call turn and its results are kept or dropped together, never cut apart', () => {
    const roles = (maxMessages: number, maxTokens: number) =>
      buildMessages(turns, { role: 'user', content: 'q2' }, { systemPrompt: '', maxMessages, maxTokens }).map((m) => m.role);
    expect(roles(100, 10_000)).toEqual(['user', 'assistant', 'tool', 'tool', 'assistant', 'user']);
    // Room for the results but not for their call turn (slots), or not for the long result (tokens):
    // the whole group goes, and the answer after it cannot open the history either.
    expect(roles(4, 10_000)).toEqual(['user']);
    expect(roles(100, 60)).toEqual(['user']);
    // A trimmed store can start with orphan results: they are not sent.
    expect(buildMessages(turns.slice(2), { role: 'user', content: 'q2' }, { systemPrompt: '', maxMessages: 100, maxTokens: 10_000 }).map((m) => m.role)).toEqual(['user']);
  });
});
