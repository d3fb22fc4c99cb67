// OpenAIClient.streamChat against a misbehaving wire: quirks, timeouts, cancellation.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OpenAIClient } from '../../src/llm/client.js';
import { startFakeUpstream, type FakeUpstream } from '../fakes/upstream/server.js';
import { caught, chatReq, collect, collectUntilError, fastClient } from './helpers.js';

/** Short enough to keep the suite fast, long enough for a loaded 2-core machine. */
const SHORT_TIMEOUT_MS = 200;
const CHINESE = '你好，世界。今天天气很好，我们去公园散步吧！';

describe('streamChat wire quirks', () => {
  let fake: FakeUpstream;
  let client: OpenAIClient;
  beforeAll(async () => {
    fake = await startFakeUpstream({ reply: CHINESE, tokensPerChunk: 3 });
    client = fastClient(fake, { maxRetries: 0 });
  });
  afterEach(() => fake.reset());
  afterAll(async () => {
    await client.close();
    await fake.close();
  });

  // One byte per write is slow (a timer per byte): keep its reply short.
  it.each([
    [1, '你好！'],
    [2, '今天天气很好。'],
    [5, CHINESE],
    [7, CHINESE],
  ])('events written %i bytes at a time (cutting UTF-8 characters) arrive intact', async (splitBytes, reply) => {
    fake.setReply(reply);
    fake.setNext({ splitBytes, crlf: splitBytes === 7 });
    const stream = client.streamChat(chatReq('x'));
    const text = (await collect(stream)).join('');
    expect(text).toBe(reply);
    expect(text).not.toContain('\uFFFD');
    expect(stream.finishReason).toBe('stop');
  });

  it('CRLF line ends and keep-alive comments are tolerated', async () => {
    fake.setReply('plain words here');
    fake.setNext({ crlf: true, keepalive: true });
    expect((await collect(client.streamChat(chatReq('x')))).join('')).toBe('plain words here');
  });

  it('a stream that ends without [DONE] after text is complete', async () => {
    fake.setReply('no done marker');
    fake.setNext({ noDone: true });
    const stream = client.streamChat(chatReq('x'));
    expect((await collect(stream)).join('')).toBe('no done marker');
    expect(stream.finishReason).toBe('stop');
  });

  it('a stream that ends with neither text nor finish_reason is a stream error (retryable)', async () => {
    fake.setNext({ rawStream: ': keep-alive\n\n' });
    const { deltas, error } = await collectUntilError(client.streamChat(chatReq('x')));
    expect(deltas).toEqual([]);
    expect(error).toMatchObject({ kind: 'stream', code: 'empty_stream', retryable: true });

    const retrying = fastClient(fake, { maxRetries: 1 });
    fake.setReply('second time');
    fake.setNext({ rawStream: ': keep-alive\n\n' });
    expect((await collect(retrying.streamChat(chatReq('x')))).join('')).toBe('second time');
    await retrying.close();
  });

  it('a malformed JSON data line after text ends the stream with a stream error', async () => {
    fake.setReply('a b c d');
    fake.setChunking({ tokensPerChunk: 1 });
    fake.setNext({ malformed: true, afterChunks: 2 });
    const { deltas, error } = await collectUntilError(client.streamChat(chatReq('x')));
    expect(deltas.join('')).toBe('a b');
    expect(error).toMatchObject({ kind: 'stream', code: 'malformed_json' });
  });

  it('an error object mid-stream keeps the partial text on the stream', async () => {
    fake.setReply('partial reply then boom');
    fake.setChunking({ tokensPerChunk: 1 });
    fake.setNext({ streamError: { error: { message: 'content filtered', code: 'content_filter' } }, afterChunks: 2 });
    const stream = client.streamChat(chatReq('x'));
    const { error } = await collectUntilError(stream);
    expect(error.kind).toBe('content_filter');
    expect(stream.text).toBe('partial reply');
  });

  it('a ChatStream can be iterated only once', async () => {
    const stream = client.streamChat(chatReq('x'));
    await collect(stream);
    expect(() => stream[Symbol.asyncIterator]()).toThrow(/only once/);
  });
});

describe('streamChat timeouts', () => {
  let fake: FakeUpstream;
  let client: OpenAIClient;
  beforeAll(async () => {
    fake = await startFakeUpstream({ tokensPerChunk: 1 });
    client = fastClient(fake, { maxRetries: 2, firstByteTimeoutMs: SHORT_TIMEOUT_MS, idleTimeoutMs: SHORT_TIMEOUT_MS });
  });
  afterEach(() => fake.reset());
  afterAll(async () => {
    await client.close();
    await fake.close();
  });

  it('no response at all -> first-byte timeout, not retried', async () => {
    fake.setNext({ stall: 'before-headers' });
    const { error } = await collectUntilError(client.streamChat(chatReq('x')));
    expect(error).toMatchObject({ kind: 'timeout', code: 'first_byte_timeout' });
    expect(fake.requests).toHaveLength(1);
    expect(await fake.requests[0]!.closed).toBe(true);
  });

  it('headers then silence -> idle timeout', async () => {
    fake.setNext({ stall: 'after-headers' });
    const { error } = await collectUntilError(client.streamChat(chatReq('x')));
    expect(error).toMatchObject({ kind: 'timeout', code: 'idle_timeout' });
  });

  it('silence in the middle of a stream -> idle timeout after the deltas that arrived', async () => {
    fake.setNext({ stall: 'mid-stream', afterChunks: 2 });
    const { deltas, error } = await collectUntilError(client.streamChat(chatReq('one two three')));
    expect(deltas.join('')).toBe('You said:');
    expect(error).toMatchObject({ kind: 'timeout', code: 'idle_timeout' });
    expect(fake.requests).toHaveLength(1);
  });

  it('plain chat times out too', async () => {
    fake.setNext({ stall: 'before-headers' });
    expect(await caught(() => client.chat(chatReq('x')))).toMatchObject({ kind: 'timeout' });
  });

  it('an unreachable server is a network error after the retries', async () => {
    const dead = await startFakeUpstream();
    const url = dead.url;
    await dead.close();
    const lonely = new OpenAIClient({ baseUrl: url, maxRetries: 1, retryBaseMs: 1, retryMaxMs: 2 });
    const err = await caught(() => lonely.chat(chatReq('x')));
    expect(err).toMatchObject({ kind: 'network', code: 'ECONNREFUSED' });
    await lonely.close();
  });
});

describe('streamChat cancellation', () => {
  let fake: FakeUpstream;
  let client: OpenAIClient;
  beforeAll(async () => {
    fake = await startFakeUpstream({ tokensPerChunk: 1, chunkDelayMs: 20 });
    client = fastClient(fake);
  });
  afterEach(() => fake.reset());
  afterAll(async () => {
    await client.close();
    await fake.close();
  });

  const LONG = Array.from({ length: 200 }, (_, i) => `w${i}`).join(' ');

  it("aborting the caller's signal mid-stream throws 'aborted' and closes the HTTP request", async () => {
    const controller = new AbortController();
    const stream = client.streamChat(chatReq(LONG, { signal: controller.signal }));
    const deltas: string[] = [];
    const err = await caught(async () => {
      for await (const d of stream) {
        deltas.push(d);
        if (deltas.length === 3) controller.abort();
      }
    });
    expect(err.kind).toBe('aborted');
    expect(deltas).toHaveLength(3);
    expect(await fake.requests[0]!.closed).toBe(true);
    expect(fake.requests).toHaveLength(1);
  });

  it('breaking out of for-await aborts the request', async () => {
    const stream = client.streamChat(chatReq(LONG));
    for await (const d of stream) {
      if (d) break;
    }
    expect(await fake.requests[0]!.closed).toBe(true);
    expect(fake.requests[0]!.closedEarly).toBe(true);
  });

  it('aborting while waiting for headers cancels the request', async () => {
    fake.setNext({ stall: 'before-headers' });
    const controller = new AbortController();
    const stream = client.streamChat(chatReq('x', { signal: controller.signal }));
    const pending = collectUntilError(stream);
    while (fake.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    expect((await pending).error.kind).toBe('aborted');
    expect(await fake.requests[0]!.closed).toBe(true);
  });

  it('an already aborted signal sends nothing', async () => {
    const err = await caught(() => client.chat(chatReq('x', { signal: AbortSignal.abort() })));
    expect(err.kind).toBe('aborted');
    const streamed = await collectUntilError(client.streamChat(chatReq('x', { signal: AbortSignal.abort() })));
    expect(streamed.error.kind).toBe('aborted');
    expect(fake.requests).toHaveLength(0);
  });

  it('a completed stream does not count as closed early', async () => {
    fake.setChunking({ chunkDelayMs: 0 });
    await collect(client.streamChat(chatReq('short')));
    expect(await fake.requests[0]!.closed).toBe(false);
  });
});
