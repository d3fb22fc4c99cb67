// The reply buffer keeps its length per delta and joins its text only when asked: what it reports
// must equal the plain concatenation at every point, whichever way it is read.
import { describe, expect, it, vi } from 'vitest';
import { ReplyBuffer, readDeltas } from '../../src/relay/reply-buffer.js';
import { prng } from './helpers.js';

const PIECES = ['', 'a', 'word ', '中文', '😀', '\n', 'x'.repeat(300)];

describe('ReplyBuffer', () => {
  it('text, length and readFrom agree with the deltas concatenated, on random appends and reads', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const rand = prng(seed);
      const buffer = new ReplyBuffer();
      let expected = '';
      let cursor = 0;
      let read = '';
      for (let n = Math.floor(rand() * 40); n > 0; n--) {
        const delta = PIECES[Math.floor(rand() * PIECES.length)]!;
        buffer.append(delta);
        expected += delta;
        expect(buffer.length, `seed ${seed}`).toBe(expected.length);
        if (rand() < 0.3) expect(buffer.text, `seed ${seed}`).toBe(expected);
        if (rand() < 0.5) {
          const next = buffer.readFrom(cursor);
          read += next.fresh;
          cursor = next.cursor;
        }
      }
      read += buffer.readFrom(cursor).fresh;
      expect(read, `seed ${seed}`).toBe(expected);
      expect(buffer.text, `seed ${seed}`).toBe(expected);
    }
  });

  it('a stop while a read is pending ends reading at once; that read failing later is not an unhandled rejection', async () => {
    let failRead: (err: Error) => void = () => {};
    const deltas: AsyncIterable<string> = {
      [Symbol.asyncIterator]: () => ({
        next: () => new Promise<IteratorResult<string>>((_resolve, reject) => (failRead = reject)),
        return: async () => ({ done: true, value: undefined }),
      }),
    };
    const buffer = new ReplyBuffer();
    const stop = new AbortController();
    const reading = readDeltas(deltas, buffer, stop.signal);
    stop.abort();
    await reading;
    expect(buffer.aborted).toBe(true);
    const unhandled = vi.fn();
    process.on('unhandledRejection', unhandled);
    try {
      failRead(new Error('connection reset after the stop'));
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('unhandledRejection', unhandled);
    }
    expect(unhandled).not.toHaveBeenCalled();
  });
});

