// Issue 9.3: one reply is bounded in time, characters and platform messages. Against the fake
// upstream: a relay that sends keep-alive comments forever, and a model that will not stop.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/app.js';
import { INTERRUPTED_MARK } from '../../src/conversation/history.js';
import { startFakeUpstream, type FakeUpstream } from '../fakes/upstream/server.js';
import { chatBodies, incoming, makeCore, RecordingSurface } from './harness.js';

const words = (n: number) => Array.from({ length: n }, (_, i) => `word${i}`).join(' ');
const chatRequest = (up: FakeUpstream) => up.requests.find((r) => r.route === 'chat/completions')!;
const LENGTH_NOTICE = '(This answer got too long and was cut off here. Say "continue" for more.)';

describe('reply caps', () => {
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

  it('deadline: keep-alive comments forever end at REPLY_DEADLINE_MS; the text stays, the request is aborted', async () => {
    core = (await makeCore(upstream, { REPLY_DEADLINE_MS: '1000' })).core;
    upstream.setReply('alpha beta gamma delta');
    upstream.setNext({ route: 'chat/completions', afterChunks: 2, commentsForever: 20 });
    const s = new RecordingSurface();
    await core.manager.handle(incoming('talk'), s);
    expect(await chatRequest(upstream).closed).toBe(true);
    expect(s.finalTexts).toEqual(['alpha beta\n\n(This answer took too long and was cut off here. Say "continue" for more.)']);
    s.assertClean();
    const history = await core.store.load('test:1');
    expect(history.at(-1)).toMatchObject({ role: 'assistant', content: 'alpha beta', interrupted: true });
  });

  it('characters: a reply past REPLY_MAX_CHARS is cut at a word, with the notice, and the request aborted', async () => {
    core = (await makeCore(upstream, { REPLY_MAX_CHARS: '100' })).core;
    const reply = words(2000);
    upstream.setReply(reply);
    upstream.setChunking({ tokensPerChunk: 5, chunkDelayMs: 2 });
    const s = new RecordingSurface();
    await core.manager.handle(incoming('go on forever'), s);
    expect(await chatRequest(upstream).closed).toBe(true);
    const shown = s.finalTexts.join('\n');
    expect(shown.endsWith(`\n\n${LENGTH_NOTICE}`)).toBe(true);
    const text = shown.slice(0, -(LENGTH_NOTICE.length + 2));
    expect(text.length).toBeLessThanOrEqual(100);
    expect(text.length).toBeGreaterThan(50);
    expect(reply.startsWith(text + ' ')).toBe(true);
    s.assertClean();
    // The model hears the answer was cut, so "continue" works.
    await core.manager.handle(incoming('continue'), s);
    expect(chatBodies(upstream).at(-1)!.messages.at(-2)).toEqual({ role: 'assistant', content: `${text}\n\n${INTERRUPTED_MARK}` });
  });

  it.each([
    ['editing', true],
    ['send-only', false],
  ])('messages (%s surface): at most REPLY_MAX_MESSAGES messages, the notice in the last', async (_name, canEdit) => {
    core = (await makeCore(upstream, { REPLY_MAX_MESSAGES: '3' })).core;
    upstream.setReply(words(3000));
    upstream.setChunking({ tokensPerChunk: 10, chunkDelayMs: 1 });
    const s = new RecordingSurface({ maxChars: 200, canEdit });
    await core.manager.handle(incoming('long'), s);
    expect(await chatRequest(upstream).closed).toBe(true);
    expect(s.messages).toHaveLength(3);
    expect(s.finalTexts.at(-1)!.endsWith(LENGTH_NOTICE)).toBe(true);
    expect(s.finalTexts.slice(0, 2).every((t) => t.startsWith('word') && !t.includes('cut off'))).toBe(true);
    s.assertClean();
  });

  it('zh: the cap notice is Chinese', async () => {
    core = (await makeCore(upstream, { REPLY_MAX_CHARS: '100', LOCALE: 'zh' })).core;
    upstream.setReply(words(2000));
    upstream.setChunking({ tokensPerChunk: 5, chunkDelayMs: 2 });
    const s = new RecordingSurface();
    await core.manager.handle(incoming('go'), s);
    expect(s.finalTexts.at(-1)!.endsWith('（回答太长，已在此截断。说“继续”可接着写。）')).toBe(true);
  });

  it('a reply within every cap is untouched', async () => {
    core = (await makeCore(upstream, { REPLY_MAX_CHARS: '100', REPLY_MAX_MESSAGES: '1' })).core;
    upstream.setReply(words(10));
    const s = new RecordingSurface();
    await core.manager.handle(incoming('short'), s);
    expect(s.finalTexts).toEqual([words(10)]);
    expect((await core.store.load('test:1')).at(-1)!.interrupted).toBeUndefined();
  });
});
