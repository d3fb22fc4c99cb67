// The console transport behind a reply session, fed by the relay: a terminal only appends, so a
// long answer must print each character once (no split whose draft ran past the cut and is
// printed again), with a bounded number of frames rather than one per delta.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ConsoleTransport, WRAP_SLICE_CHARS } from '../../adapters/console/surface.js';
import { WordWrapper } from '../../adapters/console/word-wrap.js';
import { createLogger } from '../../src/log.js';
import { StreamRelay } from '../../src/relay/index.js';
import { ReplySession } from '../../src/relay/reply-session.js';

async function* deltasOf(text: string, size: number): AsyncGenerator<string> {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

function terminal(columns?: number) {
  let printed = '';
  const out = new Writable({
    write: (chunk: Buffer, _encoding, done) => {
      printed += chunk.toString('utf8');
      done();
    },
  });
  const transport = new ConsoleTransport({ out, outputDir: 'unused', columns: () => columns });
  const session = new ReplySession(transport, { logger: createLogger('silent') });
  return { transport, session, printed: () => printed };
}

describe('console transport', () => {
  it.each([
    ['prose', 'Some words, then more. '.repeat(12_000)],
    ['one token', 'x'.repeat(250_000)],
  ])('prints a 250k-char streamed answer (%s) once, as one message, in few frames', async (_name, text) => {
    const { session, printed } = terminal();
    const result = await new StreamRelay().pipe(deltasOf(text, 256), session);
    await session.close();
    expect(result.text).toBe(text);
    expect(result.sentMessages).toBe(1);
    expect(printed()).toBe(`${text.trimEnd()}\n`);
    // ~1,000 deltas arrive faster than frames are due: frames follow time, not deltas (the old
    // surface patched the whole message once per delta).
    expect(result.edits).toBeLessThan(text.length / 256 / 2);
  });
});

describe('console transport, one frame carrying a lot of text', () => {
  it('wraps it a slice per event-loop turn, so other channels run in between, and prints it exactly, in call order', async () => {
    const { transport, printed } = terminal(80);
    const text = `${'word '.repeat(40_000)}中文字 and 😀 too`;
    const posting = transport.post(text);
    // Made after the post but before any of its later slices: called once the post's first slice is printed.
    let printedMeanwhile = -1;
    setImmediate(() => (printedMeanwhile = printed().length));
    const uploading = transport.upload({ kind: 'image', image: { url: 'https://example.com/a.png', mime: 'image/png' } });
    const id = await posting;
    await transport.patch(id, `${text} end`, { final: true });
    await uploading;
    expect(printedMeanwhile).toBeGreaterThan(0);
    expect(printedMeanwhile).toBeLessThan(text.length / 2);
    const wrapper = new WordWrapper(() => 80);
    const answer = wrapper.write(text) + wrapper.flush();
    // The upload was asked for before the patch: the post's message ends there, the patch prints again whole.
    const again = new WordWrapper(() => 80);
    expect(printed()).toBe(`${answer}\n[image: https://example.com/a.png]\n${again.write(`${text} end`)}${again.flush()}\n`);
  });

  it('ends its slices between graphemes: a CR LF or an emoji sequence at a slice end prints as in one piece', async () => {
    const { transport, printed } = terminal(40);
    // A slice's natural end falls between CR and LF, then inside emoji sequences.
    const text = `${'x'.repeat(WRAP_SLICE_CHARS - 1)}\r\n${'ab👨‍👩‍👧'.repeat(WRAP_SLICE_CHARS / 5)}`;
    await transport.post(text, { final: true });
    const wrapper = new WordWrapper(() => 40);
    expect(printed()).toBe(`${wrapper.write(text)}${wrapper.flush()}\n`);
  });
});

describe('console transport patches', () => {
  it('prints only what a grown message adds, and a message changed anywhere (or shortened) again whole on a new line', async () => {
    const { transport, printed } = terminal();
    const id = await transport.post('hello wor');
    await transport.patch(id, 'hello world');
    expect(printed()).toBe('hello world');
    // Same length, one character changed at the start: not the printed text grown.
    await transport.patch(id, 'Hello world');
    await transport.patch(id, 'Hello');
    await transport.patch(id, 'Hello!', { final: true });
    expect(printed()).toBe('hello world\nHello world\nHello!\n');
  });
});
