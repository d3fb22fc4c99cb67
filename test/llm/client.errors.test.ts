// OpenAIClient error statuses, envelopes and the retry policy, against the fake over HTTP.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OpenAIClient } from '../../src/llm/client.js';
import { startFakeUpstream, type ErrorEnvelope, type FakeUpstream } from '../fakes/upstream/server.js';
import { STATUS_KINDS } from './fixtures.js';
import { caught, chatReq, collect, collectUntilError, fastClient } from './helpers.js';

const ENVELOPES: ErrorEnvelope[] = ['openai', 'seed004', 'html', 'text'];

describe('OpenAIClient error statuses in every envelope', () => {
  let fake: FakeUpstream;
  let client: OpenAIClient;
  beforeAll(async () => {
    fake = await startFakeUpstream();
    client = fastClient(fake, { maxRetries: 0 });
  });
  afterEach(() => fake.reset());
  afterAll(async () => {
    await client.close();
    await fake.close();
  });

  for (const envelope of ENVELOPES) {
    for (const [status, kind] of STATUS_KINDS) {
      it(`${status} as ${envelope} -> ${kind} (plain and stream)`, async () => {
        fake.setNext({ status, envelope }, 2);
        const plain = await caught(() => client.chat(chatReq('x', { requestId: 'ours-1' })));
        const streamed = await collectUntilError(client.streamChat(chatReq('x', { requestId: 'ours-2' })));
        for (const err of [plain, streamed.error]) {
          expect(err.kind).toBe(kind);
          expect(err.status).toBe(status);
          expect(err.safeMessage.length).toBeGreaterThan(0);
          expect(err.message).not.toMatch(/<[a-z/]/i); // no HTML tags
          expect(err.message.length).toBeLessThan(400);
        }
        expect(streamed.deltas).toEqual([]);
        if (envelope === 'openai') expect(plain.requestId).toMatch(/^req_fake_\d+$/);
        if (envelope === 'seed004') expect(plain.requestId).toMatch(/^[0-9a-f-]{36}$/);
        if (envelope === 'html' || envelope === 'text') expect(plain.requestId).toBe('ours-1');
        if (envelope === 'html') expect(plain.message).toContain('nginx');
      });
    }
  }
});

describe('OpenAIClient retries', () => {
  let fake: FakeUpstream;
  let client: OpenAIClient;
  beforeAll(async () => {
    fake = await startFakeUpstream();
    client = fastClient(fake, { maxRetries: 2 });
  });
  afterEach(() => fake.reset());
  afterAll(async () => {
    await client.close();
    await fake.close();
  });

  it('429 with retry-after-ms is retried and then succeeds', async () => {
    fake.setNext({ status: 429, retryAfterMs: 5 });
    expect((await client.chat(chatReq('again'))).text).toBe('You said: again');
    expect(fake.requests).toHaveLength(2);
  });

  it('Retry-After in seconds (0) and 529 are retried on a stream', async () => {
    fake.script({ status: 429, retryAfter: '0' }, { status: 529, envelope: 'text' });
    expect((await collect(client.streamChat(chatReq('s')))).join('')).toBe('You said: s');
    expect(fake.requests).toHaveLength(3);
  });

  it('a Retry-After longer than the cap fails at once', async () => {
    fake.setNext({ status: 429, retryAfter: '120' });
    const err = await caught(() => client.chat(chatReq('x')));
    expect(err.kind).toBe('rate_limit');
    expect(err.retryAfterMs).toBe(120_000);
    expect(fake.requests).toHaveLength(1);
  });

  it('gives up after maxRetries and reports the last error', async () => {
    fake.setNext({ status: 500, envelope: 'seed004' }, 5);
    const err = await caught(() => client.chat(chatReq('x')));
    expect(err.kind).toBe('server');
    expect(fake.requests).toHaveLength(3);
  });

  it('client errors are not retried', async () => {
    for (const status of [400, 401, 403, 404]) {
      fake.reset();
      fake.setNext({ status }, 3);
      await caught(() => client.chat(chatReq('x')));
      expect(fake.requests).toHaveLength(1);
    }
  });

  it('a connection dropped before the first delta is retried', async () => {
    fake.setNext({ destroy: true, afterChunks: 0 });
    expect((await collect(client.streamChat(chatReq('drop')))).join('')).toBe('You said: drop');
    expect(fake.requests).toHaveLength(2);
  });

  it('an error object in a 200 stream before any text is retried', async () => {
    fake.setNext({ streamError: true, afterChunks: 0 });
    expect((await collect(client.streamChat(chatReq('err')))).join('')).toBe('You said: err');
    expect(fake.requests).toHaveLength(2);
  });

  it('once a delta was yielded, an error propagates as-is and is not retried', async () => {
    fake.setChunking({ tokensPerChunk: 1 });
    fake.setNext({ streamError: true, afterChunks: 2 });
    const { deltas, error } = await collectUntilError(client.streamChat(chatReq('one two three')));
    // Events read together arrive as one delta; what matters is the text and no repeat.
    expect(deltas.join('')).toBe('You said:');
    expect(error.kind).toBe('server');
    expect(fake.requests).toHaveLength(1);
  });

  it('a connection dropped after a delta is a network error, not retried', async () => {
    fake.setNext({ destroy: true, afterChunks: 1 });
    const { deltas, error } = await collectUntilError(client.streamChat(chatReq('one two three')));
    expect(deltas).toEqual(['You']);
    expect(error.kind).toBe('network');
    expect(fake.requests).toHaveLength(1);
  });

  it('the backoff wait is abortable', async () => {
    const patient = fastClient(fake, { retryAfterMaxMs: 600_000 });
    fake.setNext({ status: 503, retryAfterMs: 300_000 });
    const controller = new AbortController();
    const pending = caught(() => patient.chat(chatReq('x', { signal: controller.signal })));
    // Abort once the first (failed) attempt is in.
    while (fake.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    const err = await pending;
    expect(err.kind).toBe('aborted');
    expect(fake.requests).toHaveLength(1);
    await patient.close();
  });
});
