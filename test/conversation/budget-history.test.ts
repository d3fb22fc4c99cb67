// Budget accounting (issue 9.9) and what history the model gets after failed turns (issue 9.10),
// checked on what the fake upstream actually receives.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/app.js';
import { chargedTokens } from '../../src/conversation/budget.js';
import { estimateMessageTokens, estimateTokens, INTERRUPTED_MARK } from '../../src/conversation/history.js';
import type { ChatMessage } from '../../src/llm/types.js';
import { startFakeUpstream, type FakeUpstream } from '../fakes/upstream/server.js';
import { SEED002_STREAM } from '../llm/fixtures.js';
import { chatBodies, incoming, makeCore, RecordingSurface } from './harness.js';

const budgetUsed = (core: Core) => core.store.counter(`tokens:telegram:u1:${new Date().toISOString().slice(0, 10)}`);

/** A streamed answer whose text carries U+FFFD (a relay that cut UTF-8), then an error object. */
function brokenUtf8Stream(): string {
  const chunk = (content: string) => `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;
  return chunk('Caf\uFFFD\uFFFD au ') + chunk('lait') + `data: ${JSON.stringify({ error: { message: 'upstream died', code: 'server_error' } })}\n\n`;
}

describe('chargedTokens', () => {
  const prompt: ChatMessage[] = [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hello there' }];
  it('is the reported usage when there is one, even zero', () => {
    expect(chargedTokens(17, prompt, 'hi')).toBe(17);
    expect(chargedTokens(0, prompt, 'hi')).toBe(0);
  });
  it('is nothing when no output arrived and nothing was reported', () => {
    expect(chargedTokens(undefined, prompt, '')).toBe(0);
  });
  it('is prompt plus received output, estimated, otherwise', () => {
    expect(chargedTokens(undefined, prompt, 'hi')).toBe(estimateMessageTokens(prompt[0]!) + estimateMessageTokens(prompt[1]!) + estimateTokens('hi'));
  });
});

describe('budget: only what the provider reports, or an estimate for output received', () => {
  let upstream: FakeUpstream;
  let core: Core | undefined;
  beforeAll(async () => {
    upstream = await startFakeUpstream();
  });
  afterEach(async () => {
    await core?.close();
    core = undefined;
    upstream.reset();
  });
  afterAll(() => upstream.close());

  it('three 401s cost nothing', async () => {
    core = (await makeCore(upstream, { DAILY_TOKEN_BUDGET: '100000' })).core;
    upstream.setNext({ route: 'chat/completions', status: 401, message: 'Incorrect API key provided.' }, 3);
    const s = new RecordingSurface();
    for (const q of ['one', 'two', 'three']) await core.manager.handle(incoming(q), s);
    expect(chatBodies(upstream)).toHaveLength(3);
    expect(await budgetUsed(core)).toBe(0);
    await core.manager.handle(incoming('/usage'), s);
    expect(s.finalTexts.at(-1)).toMatch(/^Today you used 0 tokens/);
  });

  it('a stream that fails before any text costs nothing', async () => {
    core = (await makeCore(upstream, { DAILY_TOKEN_BUDGET: '100000' })).core;
    upstream.setNext({ route: 'chat/completions', streamError: true, afterChunks: 0 });
    await core.manager.handle(incoming('hello'), new RecordingSurface());
    expect(await budgetUsed(core)).toBe(0);
  });

  it('usage the provider reports (seed 002, inside choices[0]) is charged as reported', async () => {
    core = (await makeCore(upstream, { DAILY_TOKEN_BUDGET: '100000' })).core;
    upstream.setNext({ route: 'chat/completions', rawStream: SEED002_STREAM });
    await core.manager.handle(incoming('hello'), new RecordingSurface());
    expect(await budgetUsed(core)).toBe(32);
  });

  it('a partial answer without usage is estimated from the prompt and the text received', async () => {
    core = (await makeCore(upstream, { DAILY_TOKEN_BUDGET: '100000' })).core;
    upstream.setReply('one two three four five six seven eight');
    upstream.setNext({ route: 'chat/completions', streamError: true, afterChunks: 3 });
    await core.manager.handle(incoming('count'), new RecordingSurface());
    const sent = chatBodies(upstream)[0]!.messages as ChatMessage[];
    const expected = sent.reduce((n, m) => n + estimateMessageTokens(m), 0) + estimateTokens('one two three');
    expect(await budgetUsed(core)).toBe(expected);
  });
});

describe('history after failed turns: what the model receives next', () => {
  let upstream: FakeUpstream;
  let core: Core | undefined;
  beforeAll(async () => {
    upstream = await startFakeUpstream();
  });
  afterEach(async () => {
    await core?.close();
    core = undefined;
    upstream.reset();
  });
  afterAll(() => upstream.close());

  const lastMessages = () => chatBodies(upstream).at(-1)!.messages.slice(1);

  it('of a run of unanswered questions only the newest goes out; the store keeps them for retry', async () => {
    core = (await makeCore(upstream)).core;
    upstream.setNext({ route: 'chat/completions', status: 500 }, 3);
    const s = new RecordingSurface();
    await core.manager.handle(incoming('What is the capital of France?'), s);
    await core.manager.handle(incoming('What is the capital of France?'), s);
    await core.manager.handle(incoming('And of Spain?'), s);
    await core.manager.handle(incoming('Tell me a joke instead.'), s);
    expect(lastMessages()).toEqual([{ role: 'user', content: 'Tell me a joke instead.' }]);
    expect(s.finalTexts.at(-1)).toBe('You said: Tell me a joke instead.');
    // After an answer the next question follows it as usual.
    await core.manager.handle(incoming('Thanks.'), s);
    expect(lastMessages()).toEqual([
      { role: 'user', content: 'Tell me a joke instead.' },
      { role: 'assistant', content: 'You said: Tell me a joke instead.' },
      { role: 'user', content: 'Thanks.' },
    ]);
  });

  it('retry after failures asks the newest unanswered question alone', async () => {
    core = (await makeCore(upstream)).core;
    upstream.setNext({ route: 'chat/completions', status: 500 }, 2);
    const s = new RecordingSurface();
    await core.manager.handle(incoming('first try'), s);
    await core.manager.handle(incoming('second try'), s);
    await core.manager.handle(incoming('/retry'), s);
    expect(lastMessages()).toEqual([{ role: 'user', content: 'second try' }]);
  });

  it('an answer cut by a stream error goes back marked as interrupted, without the notice', async () => {
    core = (await makeCore(upstream)).core;
    upstream.setReply('one two three four five six seven eight');
    upstream.setNext({ route: 'chat/completions', streamError: true, afterChunks: 3 });
    const s = new RecordingSurface();
    await core.manager.handle(incoming('count'), s);
    expect(s.finalTexts.join('\n')).toContain('⚠️');
    upstream.setReply(undefined);
    await core.manager.handle(incoming('go on'), s);
    expect(lastMessages()).toEqual([
      { role: 'user', content: 'count' },
      { role: 'assistant', content: `one two three\n\n${INTERRUPTED_MARK}` },
      { role: 'user', content: 'go on' },
    ]);
    expect(JSON.stringify(chatBodies(upstream).at(-1))).not.toContain('⚠️');
  });

  it('a stopped answer is marked interrupted too; a complete one is not', async () => {
    core = (await makeCore(upstream)).core;
    upstream.setReply(Array.from({ length: 300 }, (_, i) => `w${i}`).join(' '));
    upstream.setChunking({ tokensPerChunk: 1, chunkDelayMs: 10 });
    const s = new RecordingSurface();
    const reply = core.manager.handle(incoming('long please'), s);
    await expect.poll(() => s.messages.length).toBeGreaterThan(0);
    await core.manager.handle(incoming('/stop'), s);
    await reply;
    upstream.reset();
    await core.manager.handle(incoming('short now'), s);
    const [, answer] = lastMessages();
    expect(answer!.role).toBe('assistant');
    expect(answer!.content).toMatch(/^w0 w1\b.*\n\n\[This answer was interrupted/s);
    await core.manager.handle(incoming('again'), s);
    expect(lastMessages().at(-2)).toEqual({ role: 'assistant', content: 'You said: short now' });
  });

  it('U+FFFD debris from a relay never goes back to the model', async () => {
    core = (await makeCore(upstream)).core;
    upstream.setNext({ route: 'chat/completions', rawStream: brokenUtf8Stream() });
    const s = new RecordingSurface();
    await core.manager.handle(incoming('coffee?'), s);
    await core.manager.handle(incoming('and tea?'), s);
    const sent = JSON.stringify(lastMessages());
    expect(sent).not.toContain('\uFFFD');
    expect(lastMessages()[1]).toEqual({ role: 'assistant', content: `Caf au lait\n\n${INTERRUPTED_MARK}` });
  });
});
