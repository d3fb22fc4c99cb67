// Reasoning models: the three shapes their thinking arrives in never reach the answer text, and
// the token-limit parameter follows the model (max_completion_tokens for reasoning families).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { defaultTokenParam, type OpenAIClient } from '../../src/llm/client.js';
import { SseDecoder } from '../../src/llm/sse.js';
import { chunkEventsOf } from '../../src/llm/stream.js';
import { ThinkSplitter } from '../../src/llm/think.js';
import { streamChunks, tokenize, type ReasoningShape } from '../fakes/upstream/shapes.js';
import { startFakeUpstream, type FakeUpstream } from '../fakes/upstream/server.js';
import { caught, chatReq, collect, fastClient } from './helpers.js';

const THOUGHT = 'The user greets me in 中文; answer briefly.';
const ANSWER = '你好！How can I help?';

/** The SSE body a provider sends for THOUGHT then ANSWER, in one of the three shapes. */
function wireBody(shape: ReasoningShape): Buffer {
  const content = shape === 'think' ? `<think>${THOUGHT}</think>\n\n${ANSWER}` : ANSWER;
  const chunks = streamChunks({
    flavor: 'openai',
    model: 'deepseek-reasoner',
    pieces: tokenize(content),
    usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
    includeUsage: false,
    reasoning: shape === 'think' ? undefined : { pieces: tokenize(THOUGHT), field: shape },
  });
  return Buffer.from(chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`).join('') + 'data: [DONE]\n\n', 'utf8');
}

/** The client's decoding layers (bytes -> events -> chunk events -> think split), fed `reads`. */
function decode(reads: Buffer[]): { answer: string; reasoning: string } {
  const sse = new SseDecoder();
  const think = new ThinkSplitter();
  let answer = '';
  let reasoning = '';
  const take = (events: ReturnType<SseDecoder['push']>) => {
    for (const ev of events) {
      for (const out of chunkEventsOf(ev)) {
        if (out.type === 'text') {
          const split = think.push(out.text);
          answer += split.answer;
          reasoning += split.reasoning;
        } else if (out.type === 'reasoning') reasoning += out.text;
      }
    }
  };
  for (const r of reads) take(sse.push(r));
  take(sse.end());
  const rest = think.end();
  return { answer: answer + rest.answer, reasoning: reasoning + rest.reasoning };
}

describe('reasoning decoding', () => {
  it.each<ReasoningShape>(['reasoning_content', 'reasoning', 'think'])('%s: split at every byte, the answer never holds reasoning', (shape) => {
    const body = wireBody(shape);
    for (let at = 1; at < body.length; at++) {
      const got = decode([body.subarray(0, at), body.subarray(at)]);
      expect(got, `split at byte ${at}`).toEqual({ answer: ANSWER, reasoning: THOUGHT });
    }
    expect(decode([...body].map((b) => Buffer.from([b])))).toEqual({ answer: ANSWER, reasoning: THOUGHT });
  });

  it('<think> split anywhere inside the content, tags included', () => {
    const content = `  <think>${THOUGHT}</think>\n\n${ANSWER}`;
    for (let a = 1; a < content.length; a++) {
      for (const b of [a + 1, a + 3, a + 9]) {
        const splitter = new ThinkSplitter();
        const parts = [content.slice(0, a), content.slice(a, b), content.slice(b)].map((p) => splitter.push(p));
        parts.push(splitter.end());
        const answer = parts.map((p) => p.answer).join('');
        const reasoning = parts.map((p) => p.reasoning).join('');
        expect({ answer, reasoning }, `cut at ${a}/${b}`).toEqual({ answer: ANSWER, reasoning: THOUGHT });
      }
    }
  });

  it('a <think> later in the answer, or a lone "<", stays answer text', () => {
    for (const text of ['Use the <think> tag like this.', '<', '<b>bold</b>', 'x < y']) {
      const splitter = new ThinkSplitter();
      const got = [...text].map((ch) => splitter.push(ch).answer).join('') + splitter.end().answer;
      expect(got).toBe(text);
    }
  });

  it('an unclosed <think> at the end of the stream is reasoning, not answer', () => {
    const splitter = new ThinkSplitter();
    const a = splitter.push('<think>still thinking </th');
    const b = splitter.end();
    expect(a.answer + b.answer).toBe('');
    expect(a.reasoning + b.reasoning).toBe('still thinking </th');
  });
});

describe('streamChat with a reasoning model', () => {
  let fake: FakeUpstream;
  let client: OpenAIClient;
  beforeAll(async () => {
    fake = await startFakeUpstream({ reply: ANSWER, tokensPerChunk: 2 });
    client = fastClient(fake, { maxRetries: 0 });
  });
  afterEach(() => fake.reset());
  afterAll(async () => {
    await client.close();
    await fake.close();
  });

  it.each<ReasoningShape>(['reasoning_content', 'reasoning', 'think'])('%s over the wire, 7 bytes a write: reasoning reaches onReasoning only', async (shape) => {
    fake.setReasoning({ text: THOUGHT, shape });
    fake.setNext({ splitBytes: 7 });
    const seen: string[] = [];
    const stream = client.streamChat(chatReq('hi', { onReasoning: (d) => seen.push(d) }));
    const deltas = await collect(stream);
    expect(deltas.join('')).toBe(ANSWER);
    expect(stream.text).toBe(ANSWER);
    expect(seen.join('')).toBe(THOUGHT);
    expect(stream.reasoning).toBe(THOUGHT);
    expect(stream.thinkingMs).toBeGreaterThanOrEqual(0);
    expect(stream.firstTextAt).toBeTypeOf('number');
  });

  it('non-streamed chat drops a <think> block', async () => {
    fake.setReply(`<think>${THOUGHT}</think>\n\n${ANSWER}`);
    const res = await client.chat(chatReq('hi'));
    expect(res.text).toBe(ANSWER);
  });
});

describe('max_tokens vs max_completion_tokens', () => {
  const bodies = (fake: FakeUpstream) => fake.requests.filter((r) => r.route === 'chat/completions').map((r) => r.body as Record<string, unknown>);

  it('known reasoning families get max_completion_tokens from the start', async () => {
    expect(['o1', 'o3-mini', 'o4-mini', 'gpt-5', 'openai/o3', 'GPT-5-mini'].map(defaultTokenParam)).toEqual(Array(6).fill('max_completion_tokens'));
    expect(['gpt-4o-mini', 'deepseek-reasoner', 'claude-3-opus', 'gpt-4.1'].map(defaultTokenParam)).toEqual(Array(4).fill('max_tokens'));
    const fake = await startFakeUpstream({ reply: 'ok', rejectsParam: { param: 'max_tokens', models: /^o3/ } });
    const client = fastClient(fake, { maxRetries: 0 });
    try {
      expect((await collect(client.streamChat(chatReq('hi', { model: 'o3-mini', maxTokens: 50 })))).join('')).toBe('ok');
      expect(bodies(fake)).toHaveLength(1);
      expect(bodies(fake)[0]).toMatchObject({ max_completion_tokens: 50 });
      expect(bodies(fake)[0]).not.toHaveProperty('max_tokens');
    } finally {
      await client.close();
      await fake.close();
    }
  });

  it('a 400 naming max_tokens is retried once with max_completion_tokens, then remembered for that model', async () => {
    const fake = await startFakeUpstream({ reply: 'ok', rejectsParam: { param: 'max_tokens', models: /^my-reasoner$/ } });
    // No ordinary retries: the switch must not depend on the retry policy.
    const client = fastClient(fake, { maxRetries: 0 });
    try {
      expect((await collect(client.streamChat(chatReq('one', { model: 'my-reasoner', maxTokens: 64 })))).join('')).toBe('ok');
      expect(bodies(fake).map((b) => [b.max_tokens, b.max_completion_tokens])).toEqual([
        [64, undefined],
        [undefined, 64],
      ]);
      // Remembered: the next call (non-streamed too) goes straight to the working spelling.
      expect((await client.chat(chatReq('two', { model: 'my-reasoner', maxTokens: 64 }))).text).toBe('ok');
      expect(bodies(fake)).toHaveLength(3);
      expect(bodies(fake)[2]).toMatchObject({ max_completion_tokens: 64 });
      // Other models keep max_tokens.
      await collect(client.streamChat(chatReq('three', { model: 'gpt-4o-mini', maxTokens: 64 })));
      expect(bodies(fake)[3]).toMatchObject({ max_tokens: 64 });
    } finally {
      await client.close();
      await fake.close();
    }
  });

  it('an old relay refusing max_completion_tokens gets max_tokens', async () => {
    const fake = await startFakeUpstream({ reply: 'ok', rejectsParam: { param: 'max_completion_tokens', models: /./ } });
    const client = fastClient(fake, { maxRetries: 0 });
    try {
      expect((await collect(client.streamChat(chatReq('hi', { model: 'o1', maxTokens: 10 })))).join('')).toBe('ok');
      expect(bodies(fake).map((b) => Object.keys(b).filter((k) => k.startsWith('max_')))).toEqual([['max_completion_tokens'], ['max_tokens']]);
    } finally {
      await client.close();
      await fake.close();
    }
  });

  it('a 400 about something else is not retried, and a second refusal ends it', async () => {
    const fake = await startFakeUpstream({ reply: 'ok' });
    const client = fastClient(fake, { maxRetries: 0 });
    try {
      fake.setNext({ status: 400 });
      const err = await caught(() => collect(client.streamChat(chatReq('hi', { maxTokens: 10 }))));
      expect(err.kind).toBe('bad_request');
      expect(bodies(fake)).toHaveLength(1);
      // Both spellings refused: one switch, then the error goes up.
      fake.reset();
      fake.setNext({ status: 400, message: "Unsupported parameter: 'max_tokens'" });
      fake.setNext({ status: 400, message: "Unsupported parameter: 'max_completion_tokens'" });
      const again = await caught(() => collect(client.streamChat(chatReq('hi', { model: 'x-model', maxTokens: 10 }))));
      expect(again.status).toBe(400);
      expect(bodies(fake)).toHaveLength(2);
    } finally {
      await client.close();
      await fake.close();
    }
  });
});
