import { describe, expect, it } from 'vitest';
import { LlmError } from '../../src/llm/errors.js';
import { decodeUtf8, parseSse } from '../../src/llm/sse.js';
import { chatChunkEvents, parseUsage, type ChatChunkEvent } from '../../src/llm/stream.js';
import { SEED002_STREAM, SEED004_STREAM, SEED004_ERROR } from './fixtures.js';

async function* from<T>(items: T[]): AsyncGenerator<T> {
  for (const i of items) yield i;
}

async function run(text: string, pieceSize = text.length): Promise<ChatChunkEvent[]> {
  const bytes = new TextEncoder().encode(text);
  const pieces: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += pieceSize) pieces.push(bytes.subarray(i, i + pieceSize));
  const out: ChatChunkEvent[] = [];
  for await (const e of chatChunkEvents(parseSse(decodeUtf8(from(pieces))))) out.push(e);
  return out;
}

const texts = (events: ChatChunkEvent[]) => events.flatMap((e) => (e.type === 'text' ? [e.text] : []));

async function failure(text: string): Promise<LlmError> {
  try {
    await run(text);
  } catch (err) {
    if (err instanceof LlmError) return err;
    throw err;
  }
  throw new Error('expected the stream to fail');
}

describe('chatChunkEvents', () => {
  it('seed 002: role-only first delta yields nothing; usage inside choices[0] is read', async () => {
    for (const size of [SEED002_STREAM.length, 7, 1]) {
      const events = await run(SEED002_STREAM, size);
      expect(texts(events)).toEqual(['你好', '。']);
      expect(events).toContainEqual({ type: 'finish', reason: 'stop' });
      expect(events).toContainEqual({ type: 'usage', usage: { promptTokens: 19, completionTokens: 13, totalTokens: 32 } });
      expect(events.at(-1)).toEqual({ type: 'done' });
    }
  });

  it('seed 004: role repeated in every delta and a role-only delta before the finish', async () => {
    const events = await run(SEED004_STREAM);
    expect(texts(events).join('')).toBe('Hi there! How can I assist you today?');
    expect(events.filter((e) => e.type === 'finish')).toEqual([{ type: 'finish', reason: 'stop' }]);
  });

  it('reads usage at the top level (official include_usage chunk with empty choices)', async () => {
    const events = await run('data: {"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7}}\n\ndata: [DONE]\n\n');
    expect(events).toEqual([{ type: 'usage', usage: { promptTokens: 3, completionTokens: 4, totalTokens: 7 } }, { type: 'done' }]);
  });

  it("skips Azure's choice-less first chunk", async () => {
    const events = await run('data: {"id":"","object":"","created":0,"model":"","prompt_filter_results":[{"prompt_index":0}],"choices":[]}\n\ndata: {"choices":[{"index":0,"delta":{"content":"ok"}}]}\n\n');
    expect(texts(events)).toEqual(['ok']);
  });

  it('stops at [DONE] and ignores anything after it', async () => {
    const events = await run('data: {"choices":[{"delta":{"content":"a"}}]}\n\ndata: [DONE]\n\ndata: {"choices":[{"delta":{"content":"b"}}]}\n\n');
    expect(texts(events)).toEqual(['a']);
  });

  it('turns a seed 004 error envelope inside a 200 stream into a typed error', async () => {
    const err = await failure(`data: ${SEED004_ERROR.replace(/\s*\n\s*/g, '')}\n\n`);
    expect(err.kind).toBe('server');
    expect(err.code).toBe('api_error');
    expect(err.requestId).toBe('2cf86e86-22a4-46e1-ac2f-032c0f2a4e89');
    expect(err.message).toContain('fetch failed');
  });

  it('turns an official error object inside a 200 stream into a typed error', async () => {
    const err = await failure('data: {"choices":[{"delta":{"content":"a"}}]}\n\ndata: {"error":{"message":"Rate limit","type":"requests","code":"rate_limit_exceeded"}}\n\n');
    expect(err.kind).toBe('rate_limit');
  });

  it('an unrecognised in-stream error is a non-retryable stream error', async () => {
    const err = await failure('data: {"error":{"message":"weird"}}\n\n');
    expect(err.kind).toBe('stream');
    expect(err.retryable).toBe(false);
  });

  it('a data line that is not JSON is a stream error', async () => {
    const err = await failure('data: {"choices":[{"delta":{"content":"brok\n\n');
    expect(err.kind).toBe('stream');
    expect(err.code).toBe('malformed_json');
  });

  it('parseUsage rejects non-objects', () => {
    expect(parseUsage(null)).toBeUndefined();
    expect(parseUsage('x')).toBeUndefined();
    expect(parseUsage({ prompt_tokens: 1, completion_tokens: 2 })).toEqual({ promptTokens: 1, completionTokens: 2, totalTokens: 3 });
  });
});
