// The streaming cadence (issue 14): the first frame at the first readable text, early frames as
// soon as the text grew by a readable step (never under the surface's minGapMs), then the steady
// interval. Virtual clock: the times below are exact, not measured.
import { describe, expect, it } from 'vitest';
import { grewReadably, minFrameGap, nextFrameTiming } from '../../src/relay/cadence.js';
import { StreamRelay } from '../../src/relay/index.js';
import type { SurfaceLimits } from '../../src/types.js';
import { FakeClock } from './fake-clock.js';
import { FakeSurface } from './fake-surface.js';
import { prng, timedDeltas } from './helpers.js';

/** The bench answer: 121 characters, one word per token (trailing space), a token every 25 ms after 55 ms. */
const ANSWER =
  'The answer is that the relay shows the first readable phrase as soon as the platform allows it, then paces the rest well.';
const TOKENS = ANSWER.split(/(?<= )/);
const gaps = (i: number) => (i === 0 ? 55 : 25);

const TELEGRAM_DRAFTS: Partial<SurfaceLimits> = { maxChars: 4096, minEditIntervalMs: 300, cadence: { burst: 1, minGapMs: 50, finalGapMs: 0 } };

async function stream(limits: Partial<SurfaceLimits>, tokens = TOKENS, gapMs: number | ((i: number) => number) = gaps) {
  const clock = new FakeClock();
  const surface = new FakeSurface({ clock, limits });
  const result = await new StreamRelay({ clock }).pipe(timedDeltas(clock, tokens, gapMs), surface);
  surface.assertClean();
  return { writes: surface.messages.flatMap((m) => m.writes), messages: surface.messages, result, clock };
}

describe('cadence policy', () => {
  it('an early frame needs a complete word more than what is shown', () => {
    expect(grewReadably('The', 'The ans', false, 1)).toBe(false);
    expect(grewReadably('The', 'The answer', true, 1)).toBe(true);
    expect(grewReadably('The', 'The answer is', false, 1)).toBe(true);
    expect(grewReadably('The answer', 'The answer is', true, 8)).toBe(false);
    expect(grewReadably('The answer', 'The answer is that the', true, 8)).toBe(true);
    expect(grewReadably('你', '你好', false, 8)).toBe(true);
    expect(grewReadably('x', 'x'.repeat(40), false, 8)).toBe(true);
  });

  it('never allows a frame sooner than the gap for its kind (random histories)', () => {
    const rand = prng(14);
    for (let i = 0; i < 500; i++) {
      const cadence = { burst: Math.floor(rand() * 3), minGapMs: 20 + Math.floor(rand() * 200) };
      const interval = 100 + Math.floor(rand() * 3000);
      const history = { frames: 1 + Math.floor(rand() * 5), lastWriteAt: Math.floor(rand() * 1000) };
      const now = history.lastWriteAt + Math.floor(rand() * 4000);
      const timing = nextFrameTiming(history, now, 'The', 'The answer is here', rand() < 0.5, interval, cadence);
      expect(now + timing.waitMs - history.lastWriteAt).toBeGreaterThanOrEqual(minFrameGap(history, interval, cadence));
      const early = history.frames <= cadence.burst;
      if (!early) expect(timing.waitMs).toBe(Math.max(0, history.lastWriteAt + interval - now));
    }
  });
});

describe('cadence in the relay (Telegram-draft-like surface: 300 ms interval, one early frame 50 ms apart, final at once)', () => {
  it('the first two words show at the next token after the first frame, not a full interval later', async () => {
    const { writes, result } = await stream(TELEGRAM_DRAFTS);
    expect(result.text).toBe(ANSWER);
    expect(writes[0]).toMatchObject({ kind: 'send', text: 'The', at: 55 });
    // "answer " arrives at 80 ms; the early frame waits out the 50 ms gap: 105 ms.
    expect(writes[1]).toMatchObject({ kind: 'edit', at: 105 });
    expect(writes[1]!.text.startsWith('The answer')).toBe(true);
    // Then the steady interval from that frame.
    expect(writes[2]!.at).toBe(405);
  });

  it('a short answer takes at most 4 writes, the final one when the last token arrives', async () => {
    const { writes } = await stream(TELEGRAM_DRAFTS);
    expect(writes.length).toBeLessThanOrEqual(4);
    // Neither a pending frame nor the draft interval holds the final text back (finalGapMs 0).
    expect(writes.at(-1)).toMatchObject({ final: true, text: ANSWER, at: 55 + (TOKENS.length - 1) * 25 });
  });

  it('without limits.cadence the pacing is the steady interval from the first frame', async () => {
    const { writes } = await stream({ ...TELEGRAM_DRAFTS, cadence: undefined });
    expect(writes[1]!.at).toBe(355);
  });

  it('a long answer: after the burst every frame keeps the steady interval', async () => {
    const long = Array.from({ length: 400 }, (_, i) => `word${i} `);
    const { messages } = await stream(TELEGRAM_DRAFTS, long, 10);
    expect(messages).toHaveLength(1);
    const writes = messages[0]!.writes.filter((w) => !w.final); // the final one may follow at once here
    const intervals = writes.slice(2).map((w, i) => w.at - writes[i + 1]!.at);
    expect(intervals.length).toBeGreaterThan(10);
    for (const gap of intervals) expect(gap).toBeGreaterThanOrEqual(300);
  });

  it('text that has not earned an early frame still shows at the steady interval when the stream stalls', async () => {
    // "The" at 55, "ans" at 80 (no complete word), then nothing for 2 s.
    const { writes } = await stream(TELEGRAM_DRAFTS, ['The ', 'ans', 'wer'], (i) => [55, 25, 2000][i]!);
    expect(writes[1]).toMatchObject({ kind: 'edit', text: 'The ans', at: 355 });
  });
});
