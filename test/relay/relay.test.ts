import { describe, expect, it } from 'vitest';
import { StreamRelay, splitText, DEFAULT_ERROR_NOTICE } from '../../src/relay/index.js';
import type { SurfaceLimits } from '../../src/types.js';
import { FakeClock } from './fake-clock.js';
import { FakeSurface, normalizeForComparison, type FakeSurfaceOptions } from './fake-surface.js';
import { piecesOf, sampleAnswer, timedDeltas } from './helpers.js';

function setup(limits: Partial<SurfaceLimits> = {}, extra: Partial<FakeSurfaceOptions> = {}) {
  const clock = new FakeClock();
  const surface = new FakeSurface({ clock, limits, ...extra });
  const relay = new StreamRelay({ clock });
  return { clock, surface, relay };
}

/** The fences in one message are balanced (an even number of fence lines). */
function fenceLines(text: string): number {
  return text.split('\n').filter((l) => /^ {0,3}```/.test(l)).length;
}

describe('StreamRelay.pipe, edit mode', () => {
  it('short reply: one send as soon as a word is complete, then one final edit', async () => {
    const { clock, surface, relay } = setup();
    const result = await relay.pipe(timedDeltas(clock, ['Hel', 'lo ', 'there', '.'], 10), surface);
    surface.assertClean();
    expect(surface.messages).toHaveLength(1);
    const writes = surface.messages[0]!.writes;
    expect(writes[0]).toMatchObject({ kind: 'send', text: 'Hello', at: 20 }); // no waiting for more
    expect(writes.at(-1)).toMatchObject({ kind: 'edit', final: true, text: 'Hello there.' });
    expect(result).toMatchObject({ text: 'Hello there.', aborted: false, sentMessages: 1, edits: writes.length - 1 });
    expect(result.error).toBeUndefined();
  });

  it('a reply shorter than a word is sent once, final, when the stream ends (no edit, no wait)', async () => {
    const { clock, surface, relay } = setup();
    await relay.pipe(timedDeltas(clock, ['Hi'], 5), surface);
    surface.assertClean();
    expect(surface.messages[0]!.writes.map((w) => [w.kind, w.text, w.final, w.at])).toEqual([['send', 'Hi', true, 5]]);
  });

  it('a stream that ends inside a code block gets the block closed in its final text', async () => {
    const { clock, surface, relay } = setup();
    const result = await relay.pipe(timedDeltas(clock, ['Try:\n```js\n', 'let a = 1;'], 5), surface);
    surface.assertClean();
    expect(surface.finalTexts).toEqual(['Try:\n```js\nlet a = 1;\n```']);
    expect(result.text).toBe('Try:\n```js\nlet a = 1;');
  });

  it('a long first token is shown at once, without waiting for whitespace', async () => {
    const { clock, surface, relay } = setup();
    const url = 'https://example.com/a/very/long/path';
    await relay.pipe(timedDeltas(clock, [url, ' done'], (i) => (i === 0 ? 5 : 500)), surface);
    expect(surface.messages[0]!.writes[0]).toMatchObject({ kind: 'send', text: url, at: 5 });
  });

  it('slow stream: edits are paced and coalesced, never repeating the same text', async () => {
    const { clock, surface, relay } = setup({ minEditIntervalMs: 1000 });
    const words = Array.from({ length: 60 }, (_, i) => `w${i} `);
    // 90 ms apart: no delta lands on the same instant as a paced edit (1090, 2090, ...).
    const result = await relay.pipe(timedDeltas(clock, words, 90), surface); // 5.4 s of stream
    surface.assertClean();
    const writes = surface.messages[0]!.writes;
    // 5.4 s at one edit per second: a handful of writes, not one per delta.
    expect(writes.length).toBeGreaterThanOrEqual(5);
    expect(writes.length).toBeLessThanOrEqual(8);
    expect(result.edits).toBe(writes.length - 1);
    expect(surface.finalTexts).toEqual([words.join('').trim()]);
    // Each intermediate write shows the text that had arrived by then (latest wins, no stale queue).
    for (const w of writes.slice(1, -1)) {
      const arrived = Math.floor(w.at / 90);
      expect(w.text).toBe(words.slice(0, arrived).join('').trim());
    }
  });

  it('pacing is per message: a second reply on another surface is not slowed by the first', async () => {
    const clock = new FakeClock();
    const relay = new StreamRelay({ clock });
    const a = new FakeSurface({ clock, channel: 'a' });
    const b = new FakeSurface({ clock, channel: 'b' });
    await Promise.all([
      relay.pipe(timedDeltas(clock, ['one ', 'two ', 'three'], 10), a),
      relay.pipe(timedDeltas(clock, ['four ', 'five ', 'six'], 10), b),
    ]);
    a.assertClean();
    b.assertClean();
    expect(a.messages[0]!.writes[0]!.at).toBe(10);
    expect(b.messages[0]!.writes[0]!.at).toBe(10);
  });

  it('5,000-character answer with code fences: split in order, fences balanced and reopened', async () => {
    const { clock, surface, relay } = setup({ maxChars: 2000, minEditIntervalMs: 1000 });
    const answer = sampleAnswer(12);
    expect(answer.length).toBeGreaterThan(5000);
    const result = await relay.pipe(timedDeltas(clock, piecesOf(answer, 7), 20), surface);
    surface.assertClean();
    expect(surface.messages.length).toBeGreaterThanOrEqual(3);
    // Exactly the deterministic split of the complete text, each chunk delivered once, in order.
    expect(surface.finalTexts).toEqual(splitText(answer, 2000));
    for (const text of surface.finalTexts) expect(fenceLines(text) % 2).toBe(0);
    expect(normalizeForComparison(surface.finalTexts.join('\n'))).toBe(normalizeForComparison(answer));
    expect(result.text).toBe(answer);
    expect(result.sentMessages).toBe(surface.messages.length);
  });

  it('a code block cut in two reopens with its language tag', async () => {
    const { clock, surface, relay } = setup({ maxChars: 300 });
    const code = Array.from({ length: 30 }, (_, i) => `print(${i})`).join('\n');
    const answer = `Here:\n\n\`\`\`python\n${code}\n\`\`\`\n\nDone.`;
    await relay.pipe(timedDeltas(clock, piecesOf(answer, 5), 10), surface);
    surface.assertClean();
    const texts = surface.finalTexts;
    expect(texts.length).toBeGreaterThan(1);
    expect(texts[0]!.endsWith('\n```')).toBe(true);
    expect(texts[1]!.startsWith('```python\n')).toBe(true);
    expect(normalizeForComparison(texts.join('\n'))).toBe(normalizeForComparison(answer));
  });

  it('the whole answer in one delta is split like splitText', async () => {
    const { clock, surface, relay } = setup({ maxChars: 500 });
    const answer = sampleAnswer(6);
    await relay.pipe(timedDeltas(clock, [answer], 1), surface);
    surface.assertClean();
    expect(surface.finalTexts).toEqual(splitText(answer, 500));
  });

  it('CJK text without spaces: shown at once, split between characters, within the limit', async () => {
    const { clock, surface, relay } = setup({ maxChars: 100 });
    const sentence = '我们今天讨论的问题是如何把一段很长的中文回答分成几条消息，而且不能丢失任何一个字。';
    const answer = sentence.repeat(8);
    await relay.pipe(timedDeltas(clock, Array.from(answer), 10), surface);
    surface.assertClean();
    expect(surface.messages[0]!.writes[0]!.text).toBe('我'); // the first character is a word
    expect(surface.finalTexts.join('')).toBe(answer);
    // Sentences end with "。": the cut prefers them.
    for (const text of surface.finalTexts.slice(0, -1)) expect(text.endsWith('。')).toBe(true);
  });

  it('emoji and surrogate pairs at a split point are never cut in half', async () => {
    const { clock, surface, relay } = setup({ maxChars: 15 });
    const answer = '😀'.repeat(40) + '👩‍💻'.repeat(10);
    await relay.pipe(timedDeltas(clock, Array.from(answer), 5), surface);
    surface.assertClean(); // includes the lone-surrogate check
    expect(surface.finalTexts.join('')).toBe(answer);
    for (const t of surface.finalTexts) expect(Array.from(t).length).toBeLessThanOrEqual(15);
  });

  it('Telegram-like measure (UTF-16 units): emoji count double and the limit holds', async () => {
    const measure = (s: string) => s.length;
    const { clock, surface, relay } = setup({ maxChars: 50, measure });
    const answer = Array.from({ length: 30 }, (_, i) => `ok😀${i}`).join(' ');
    await relay.pipe(timedDeltas(clock, piecesOf(answer, 3), 10), surface);
    surface.assertClean();
    for (const t of surface.finalTexts) expect(t.length).toBeLessThanOrEqual(50);
    expect(surface.finalTexts).toEqual(splitText(answer, 50, measure));
    expect(surface.finalTexts.join(' ')).toBe(answer);
  });

  it('error mid-stream: the partial text stays and one short notice is appended', async () => {
    const { clock, surface, relay } = setup();
    async function* failing() {
      yield* timedDeltas(clock, ['Partial ', 'answer ', 'here'], 10);
      throw new Error('upstream 500');
    }
    const result = await relay.pipe(failing(), surface, { errorNotice: () => '⚠️ cut off' });
    surface.assertClean();
    expect(surface.finalTexts).toEqual(['Partial answer here\n\n⚠️ cut off']);
    expect(result.text).toBe('Partial answer here');
    expect((result.error as Error).message).toBe('upstream 500');
    expect(result.aborted).toBe(false);
  });

  it('error before any text: the default notice alone', async () => {
    const { surface, relay } = setup();
    // eslint-disable-next-line require-yield
    async function* failing(): AsyncGenerator<string> {
      throw new Error('boom');
    }
    const result = await relay.pipe(failing(), surface);
    surface.assertClean();
    expect(surface.finalTexts).toEqual([DEFAULT_ERROR_NOTICE]);
    expect(result.text).toBe('');
  });

  it('error inside a code block closes the block before the notice', async () => {
    const { clock, surface, relay } = setup();
    async function* failing() {
      yield* timedDeltas(clock, ['Code:\n```js\n', 'let a = 1;\n'], 10);
      throw new Error('reset');
    }
    await relay.pipe(failing(), surface, { errorNotice: () => '(error)' });
    expect(surface.finalTexts).toEqual(['Code:\n```js\nlet a = 1;\n```\n\n(error)']);
  });

  it('abort mid-stream: stops reading at once, keeps the text, ends with the stopped notice', async () => {
    const { clock, surface, relay } = setup();
    const controller = new AbortController();
    let pulled = 0;
    async function* stalling() {
      for (const d of ['Some ', 'words ', 'then ']) {
        await clock.sleep(10);
        pulled++;
        yield d;
      }
      await new Promise(() => {}); // the upstream stalls forever
    }
    void clock.sleep(100).then(() => controller.abort());
    const result = await relay.pipe(stalling(), surface, { signal: controller.signal, stoppedNotice: '(stopped)' });
    surface.assertClean();
    expect(pulled).toBe(3);
    expect(result.aborted).toBe(true);
    expect(result.error).toBeUndefined();
    expect(result.text).toBe('Some words then ');
    expect(surface.finalTexts).toEqual(['Some words then\n\n(stopped)']);
    // Promptly: the final edit waits only for the edit interval, not for the stream.
    expect(clock.now()).toBeLessThanOrEqual(100 + 1000);
  });

  it('abort before the first delta: only the stopped notice', async () => {
    const { surface, relay } = setup();
    const controller = new AbortController();
    controller.abort();
    const result = await relay.pipe((async function* () { yield 'never'; })(), surface, { signal: controller.signal });
    expect(result).toMatchObject({ aborted: true, text: '' });
    expect(surface.finalTexts).toEqual(['(stopped)']);
  });

  it('a failing final edit is retried once, then the chunk is sent as a new message', async () => {
    const { clock, surface, relay } = setup({}, { failEdit: (_m, _t, opts) => opts?.final === true });
    const result = await relay.pipe(timedDeltas(clock, ['Final ', 'text ', 'matters.'], 10), surface);
    expect(surface.violations).toEqual([]);
    const finalAttempts = surface.editAttempts - (surface.messages[0]!.writes.length - 1);
    expect(finalAttempts).toBe(2);
    expect(surface.messages).toHaveLength(2);
    expect(surface.messages[1]!.text).toBe('Final text matters.');
    expect(result.text).toBe('Final text matters.');
  });

  it('a failing intermediate edit is skipped; the next edit carries the text', async () => {
    let failed = 0;
    const { clock, surface, relay } = setup({}, { failEdit: (_m, _t, opts, attempt) => !opts?.final && attempt === 1 && ++failed > 0 });
    const words = Array.from({ length: 30 }, (_, i) => `w${i} `);
    await relay.pipe(timedDeltas(clock, words, 100), surface);
    surface.assertClean();
    expect(failed).toBe(1);
    expect(surface.finalTexts).toEqual([words.join('').trim()]);
  });

  it('a failing first send is retried with the next text', async () => {
    const { clock, surface, relay } = setup({}, { failSend: (_t, attempt) => attempt === 1 });
    await relay.pipe(timedDeltas(clock, ['one ', 'two ', 'three'], 10), surface);
    surface.assertClean();
    expect(surface.finalTexts).toEqual(['one two three']);
  });

  it('says "typing" once, however late the first text: renewing it is the reply session\'s', async () => {
    const { clock, surface, relay } = setup();
    await relay.pipe(timedDeltas(clock, ['late ', 'answer'], (i) => (i === 0 ? 10_500 : 10)), surface);
    // The renewal itself is pinned in reply-session.test.ts ('one owner for typing').
    expect(surface.typingCalls).toBe(1);
  });

  it('without edits: chunks are sent whole when complete, nothing is edited', async () => {
    const { clock, surface, relay } = setup({ canEdit: false, maxChars: 400 });
    const answer = sampleAnswer(4);
    const result = await relay.pipe(timedDeltas(clock, piecesOf(answer, 9), 10), surface);
    surface.assertClean();
    expect(result.edits).toBe(0);
    expect(surface.messages.every((m) => m.writes.length === 1)).toBe(true);
    expect(surface.finalTexts).toEqual(splitText(answer, 400));
  });
});

describe('StreamRelay.deliver', () => {
  it('splits a complete text the same way and sends each message once, final', async () => {
    const { surface, relay } = setup({ maxChars: 300 });
    const text = sampleAnswer(3);
    const result = await relay.deliver(text, surface);
    surface.assertClean();
    expect(surface.finalTexts).toEqual(splitText(text, 300));
    expect(result).toMatchObject({ text, sentMessages: surface.messages.length, edits: 0 });
    expect(surface.messages.every((m) => m.writes.length === 1 && m.writes[0]!.final)).toBe(true);
  });

  it('final: false sends plain messages without edits', async () => {
    const { surface, relay } = setup({ maxChars: 300 });
    const result = await relay.deliver(sampleAnswer(3), surface, { final: false });
    surface.assertClean({ requireFinalEdits: false });
    expect(result.edits).toBe(0);
  });
});
