import { describe, expect, it } from 'vitest';
import { decodeUtf8, parseSse, SseDecoder, type SseEvent } from '../../src/llm/sse.js';

async function* from<T>(items: T[]): AsyncGenerator<T> {
  for (const i of items) yield i;
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** The synchronous decoder the client's hot path uses. */
function decodeSync(pieces: Uint8Array[]): SseEvent[] {
  const d = new SseDecoder();
  return [...pieces.flatMap((p) => d.push(p)), ...d.end()];
}

/** Events by both paths (async layers and SseDecoder); every test checks they agree. */
async function eventsOf(pieces: Uint8Array[]): Promise<SseEvent[]> {
  const layered = await collect(parseSse(decodeUtf8(from(pieces))));
  expect(decodeSync(pieces)).toEqual(layered);
  return layered;
}

const enc = new TextEncoder();

/** Every way to cut `bytes` into two pieces, plus one-byte-at-a-time. */
function allSplits(bytes: Uint8Array): Uint8Array[][] {
  const cuts: Uint8Array[][] = [];
  for (let i = 0; i <= bytes.length; i++) cuts.push([bytes.subarray(0, i), bytes.subarray(i)]);
  cuts.push([...bytes].map((b) => Uint8Array.of(b)));
  return cuts;
}

describe('decodeUtf8', () => {
  it('keeps a multi-byte character split across packets intact', async () => {
    const bytes = enc.encode('你好');
    for (const pieces of allSplits(bytes)) {
      expect((await collect(decodeUtf8(from(pieces)))).join('')).toBe('你好');
    }
  });

  it('keeps a 4-byte character (emoji) split at every offset', async () => {
    const bytes = enc.encode('a😀b');
    for (const pieces of allSplits(bytes)) {
      const text = (await collect(decodeUtf8(from(pieces)))).join('');
      expect(text).toBe('a😀b');
      expect(text).not.toContain('\uFFFD');
    }
  });
});

describe('parseSse', () => {
  const STREAM =
    ': keep-alive\n\n' +
    'data: {"choices":[{"delta":{"content":"你好，世界"}}]}\n\n' +
    'data: {"choices":[{"delta":{"content":" hello"}}]}\n\n' +
    'data: [DONE]\n\n';
  const EXPECTED = ['{"choices":[{"delta":{"content":"你好，世界"}}]}', '{"choices":[{"delta":{"content":" hello"}}]}', '[DONE]'];

  it('yields the same events whatever byte the stream is split at (including mid UTF-8)', async () => {
    const bytes = enc.encode(STREAM);
    for (const pieces of allSplits(bytes)) {
      const events = await eventsOf(pieces);
      expect(events.map((e) => e.data)).toEqual(EXPECTED);
    }
  });

  it('does the same with CRLF line ends split at every byte (the \\r\\n pair cut in two too)', async () => {
    const bytes = enc.encode(STREAM.replace(/\n/g, '\r\n'));
    for (const pieces of allSplits(bytes)) {
      const events = await eventsOf(pieces);
      expect(events.map((e) => e.data)).toEqual(EXPECTED);
    }
  });

  it('ignores comment lines and keeps the event name', async () => {
    const events = await eventsOf([enc.encode(': ping\n\nevent: error\ndata: {"error":{}}\n\n')]);
    expect(events).toEqual([{ event: 'error', data: '{"error":{}}' }]);
  });

  it('delivers a last event whose blank line never came', async () => {
    const events = await eventsOf([enc.encode('data: {"a":1}\n\ndata: [DONE]')]);
    expect(events.map((e) => e.data)).toEqual(['{"a":1}', '[DONE]']);
  });

  it('joins multi-line data fields with newlines', async () => {
    const events = await eventsOf([enc.encode('data: line1\ndata: line2\n\n')]);
    expect(events.map((e) => e.data)).toEqual(['line1\nline2']);
  });
});
