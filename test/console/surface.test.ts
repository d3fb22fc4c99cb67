// The console transport behind a reply session, fed by the relay: a terminal only appends, so a
// long answer must print each character once (no split whose draft ran past the cut and is
// printed again), with a bounded number of frames rather than one per delta.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ConsoleTransport } from '../../adapters/console/surface.js';
import { createLogger } from '../../src/log.js';
import { StreamRelay } from '../../src/relay/index.js';
import { ReplySession } from '../../src/relay/reply-session.js';

async function* deltasOf(text: string, size: number): AsyncGenerator<string> {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

function terminal() {
  let printed = '';
  const out = new Writable({
    write: (chunk: Buffer, _encoding, done) => {
      printed += chunk.toString('utf8');
      done();
    },
  });
  const transport = new ConsoleTransport({ out, outputDir: 'unused' });
  const session = new ReplySession(transport, { logger: createLogger('silent') });
  return { session, printed: () => printed };
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
