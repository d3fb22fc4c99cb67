// Reply caps in the relay, on the virtual clock: a deadline that keep-alives cannot extend, a
// character cap, and a message cap that keeps room for the notice in the last allowed message.
import { describe, expect, it } from 'vitest';
import { cutAtWord, StreamRelay, type ReplyCap } from '../../src/relay/relay.js';
import { FakeClock } from './fake-clock.js';
import { FakeSurface } from './fake-surface.js';
import { piecesOf, prng, sampleAnswer, timedDeltas } from './helpers.js';

const NOTICE = '(cut off here)';

/** A model that never stops: a word every `gapMs`, forever. */
async function* endless(clock: FakeClock, gapMs: number): AsyncGenerator<string> {
  for (let i = 0; ; i++) {
    await clock.sleep(gapMs);
    yield `w${i} `;
  }
}

function relayWith(clock: FakeClock) {
  const caps: ReplyCap[] = [];
  const relay = new StreamRelay({ clock });
  const opts = { capNotice: () => NOTICE, onCap: (cap: ReplyCap) => caps.push(cap) };
  return { relay, opts, caps };
}

describe('reply caps in the relay', () => {
  it('deadline on a line-mode surface: what was paced out stays, then the notice', async () => {
    const clock = new FakeClock();
    const surface = new FakeSurface({ clock, limits: { canEdit: false, maxChars: 400, lineMode: { width: 40, pacingMs: 100 } } });
    const { relay, opts, caps } = relayWith(clock);
    const result = await relay.pipe(endless(clock, 1_000), surface, { ...opts, caps: { deadlineMs: 10_500 } });
    expect(result.capped).toBe('deadline');
    expect(caps).toEqual(['deadline']);
    expect(result.aborted).toBe(false);
    expect(result.text.trimEnd()).toBe('w0 w1 w2 w3 w4 w5 w6 w7 w8 w9');
    expect(surface.lines.map((l) => l.text).join(' ')).toContain('w9');
    expect(surface.lines.at(-1)!.text).toBe(NOTICE);
    expect(surface.violations).toEqual([]);
  });

  it('characters: cut at a word at or below the cap', async () => {
    const clock = new FakeClock();
    const surface = new FakeSurface({ clock });
    const { relay, opts, caps } = relayWith(clock);
    const result = await relay.pipe(endless(clock, 10), surface, { ...opts, caps: { maxChars: 50 } });
    expect(result.capped).toBe('chars');
    expect(caps).toEqual(['chars']);
    expect(result.text.length).toBeLessThanOrEqual(50);
    expect(result.text).toMatch(/^(w\d+ )+w\d+$/);
    expect(surface.finalTexts).toEqual([`${result.text}\n\n${NOTICE}`]);
    surface.assertClean();
  });

  it('a user stop is still a stop, not a cap', async () => {
    const clock = new FakeClock();
    const surface = new FakeSurface({ clock });
    const { relay, opts, caps } = relayWith(clock);
    const stop = new AbortController();
    void clock.sleep(5_000).then(() => stop.abort());
    const result = await relay.pipe(endless(clock, 100), surface, { ...opts, signal: stop.signal, caps: { deadlineMs: 60_000, maxChars: 10_000 } });
    expect(result.aborted).toBe(true);
    expect(result.capped).toBeUndefined();
    expect(caps).toEqual([]);
    expect(surface.finalTexts.at(-1)!.endsWith('(stopped)')).toBe(true);
  });

  it.each([1, 2, 3, 5])('messages: a long answer with code blocks takes at most %i message(s), the notice in the last', async (maxMessages) => {
    for (const canEdit of [true, false]) {
      const clock = new FakeClock();
      const surface = new FakeSurface({ clock, limits: { maxChars: 300, canEdit, minEditIntervalMs: 50 } });
      const { relay, opts, caps } = relayWith(clock);
      const rand = prng(maxMessages);
      const answer = sampleAnswer(30);
      const result = await relay.pipe(timedDeltas(clock, piecesOf(answer, 7), () => Math.floor(rand() * 20)), surface, {
        ...opts,
        caps: { maxMessages },
      });
      expect(result.capped).toBe('messages');
      expect(caps).toEqual(['messages']);
      expect(surface.messages).toHaveLength(maxMessages);
      expect(surface.finalTexts.at(-1)!.endsWith(`\n\n${NOTICE}`)).toBe(true);
      expect(answer.startsWith(result.text)).toBe(true);
      surface.assertClean();
    }
  });

  it('an answer that fits is not capped', async () => {
    const clock = new FakeClock();
    const surface = new FakeSurface({ clock, limits: { maxChars: 300 } });
    const { relay, opts, caps } = relayWith(clock);
    const answer = sampleAnswer(2).slice(0, 550);
    const result = await relay.pipe(timedDeltas(clock, piecesOf(answer, 9), 5), surface, { ...opts, caps: { maxMessages: 2, maxChars: 600, deadlineMs: 60_000 } });
    expect(result.capped).toBeUndefined();
    expect(caps).toEqual([]);
    expect(result.text).toBe(answer);
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('cutAtWord', () => {
  it('ends on a word, never inside a surrogate pair', () => {
    expect(cutAtWord('alpha beta gamma', 12)).toBe('alpha beta');
    expect(cutAtWord('alpha beta gamma', 10)).toBe('alpha beta');
    expect(cutAtWord('short', 10)).toBe('short');
    expect(cutAtWord('😀😀😀', 3)).toBe('😀');
    expect(cutAtWord('一二三四五', 3)).toBe('一二三');
  });
});
