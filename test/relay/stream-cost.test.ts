// Streaming a long reply costs each delta its own length, not the reply's so far (issue 9.1:
// 1 MB streamed cost seconds of CPU). Work is counted, not timed: characters the surface's
// measure is asked about, against the reply's length.
import { describe, expect, it, vi } from 'vitest';
import { StreamRelay } from '../../src/relay/index.js';
import { codePointLength, splitText } from '../../src/format/split.js';
import { GraphemeCursor } from '../../src/format/width.js';
import { FakeClock } from './fake-clock.js';
import { FakeSurface } from './fake-surface.js';
import { timedDeltas } from './helpers.js';
import type { Clock } from '../../src/relay/clock.js';

const DELTA = 256;

async function* deltasOf(text: string): AsyncGenerator<string> {
  for (let i = 0; i < text.length; i += DELTA) yield text.slice(i, i + DELTA);
}

/** The fake checks every write against its limits with the same measure: that is the platform's work, not counted. */
class CheckingSurface extends FakeSurface {
  checking = false;
  override async send(...args: Parameters<FakeSurface['send']>) {
    this.checking = true;
    try {
      return await super.send(...args);
    } finally {
      this.checking = false;
    }
  }
  override async edit(...args: Parameters<FakeSurface['edit']>) {
    this.checking = true;
    try {
      return await super.edit(...args);
    } finally {
      this.checking = false;
    }
  }
}

/**
 * Streams (`pipe`) or delivers the finished `text` to a surface of `maxChars`; returns the
 * characters the relay measured (the surface's own checks left out) and its result.
 */
async function relayCounting(how: 'pipe' | 'deliver', text: string, maxChars: number) {
  let measured = 0;
  const measure = (s: string) => {
    if (!surface.checking) measured += s.length;
    return codePointLength(s);
  };
  const clock = new FakeClock();
  const surface: CheckingSurface = new CheckingSurface({ clock, limits: { maxChars, canEdit: true, minEditIntervalMs: 0, measure } });
  const relay = new StreamRelay({ clock });
  const result = how === 'pipe' ? await relay.pipe(deltasOf(text), surface) : await relay.deliver(text, surface);
  return { measured, result, surface };
}

describe('streaming cost per delta', () => {
  it.each([
    ['prose', 'word '.repeat(16_000)],
    ['one token', 'x'.repeat(80_000)],
  ])('a %s reply within one 100k-char console message is measured about once per delta, not once per delta per reply so far', async (_name, text) => {
    const { measured, result, surface } = await relayCounting('pipe', text, 100_000);
    expect(result.text).toBe(text);
    surface.assertClean();
    expect(surface.messages).toHaveLength(1);
    // The old writer measured the whole message on every delta: ~300 deltas x ~40k chars.
    expect(measured).toBeLessThan(4 * text.length);
  });

  it('a reply of several 100k-char messages: each message is measured a bounded number of times', async () => {
    const text = 'x'.repeat(300_000);
    const { measured, result, surface } = await relayCounting('pipe', text, 100_000);
    expect(result.text).toBe(text);
    surface.assertClean();
    expect(surface.messages).toHaveLength(3);
    // Splitting a message searches its cut (a few measures of it); the deltas in between add ~1x.
    expect(measured).toBeLessThan(20 * text.length);
  });
});

describe('cut search cost per message (issue 9.1: a 100k-char console message was measured ~17 times per split)', () => {
  it.each([
    ['one token', 'x'.repeat(300_000)],
    ['prose', 'word '.repeat(60_000)],
    ['CJK', '中文字'.repeat(100_000)],
  ])('splitting %s into 100k-char messages measures each message a few times, not log2(100k) times', (_name, text) => {
    let measured = 0;
    const measure = (s: string) => {
      measured += s.length;
      return codePointLength(s);
    };
    const chunks = splitText(text, 100_000, measure);
    expect(chunks.join('').replace(/\s/g, '')).toBe(text.replace(/\s/g, ''));
    expect(chunks.length).toBe(3);
    expect(Math.max(...chunks.map(codePointLength))).toBeLessThanOrEqual(100_000);
    // A bisection measured ~17 prefixes of the room per cut; a guided search takes a handful.
    expect(measured).toBeLessThan(6 * text.length);
  });
});

describe('finished text cost per message (a 1 MB text delivered to the console)', () => {
  it.each([
    ['one token', 'x'.repeat(1_000_000)],
    ['prose', 'word '.repeat(200_000)],
  ])('delivering %s measures each message a few times, not the whole rest of the text per message', async (_name, text) => {
    const { measured, result, surface } = await relayCounting('deliver', text, 100_000);
    surface.assertClean();
    expect(result.text).toBe(text);
    expect(result.sentMessages).toBe(10);
    // The old window measured the whole rest on every cut: ~5x the text over ten messages, on top of the cut search.
    expect(measured).toBeLessThan(6 * text.length);
  });
});

describe('hard cut cost per message', () => {
  it.each([
    ['one Latin token', 'x'.repeat(200_000)],
    ['letters with emoji among them', 'ab😀cd'.repeat(40_000)],
  ])('a hard cut through %s walks the graphemes at the end of the room, not the whole room', (_name, text) => {
    const next = vi.spyOn(GraphemeCursor.prototype, 'next');
    try {
      const chunks = splitText(text, 2000);
      expect(chunks.join('')).toBe(text);
      expect(chunks.length).toBeGreaterThanOrEqual(100);
      // The old cut walked each chunk's whole room: a cursor step per grapheme of the text.
      expect(next.mock.calls.length).toBeLessThan(codePointLength(text) / 4);
    } finally {
      next.mockRestore();
    }
  });
});

describe('draft cost per delta (console: one 100k-char message edited per delta)', () => {
  it.each([
    ['one token', 'x'.repeat(80_000)],
    ['prose', 'word '.repeat(16_000).trimEnd()],
  ])('a %s draft that fits whole is not trimmed (copied) per delta', async (_name, text) => {
    let trimmed = 0;
    const clock = new FakeClock();
    // The fake's own checks trim what it is sent: the platform's work, not counted.
    const surface = new CheckingSurface({ clock, limits: { maxChars: 100_000, canEdit: true, minEditIntervalMs: 0 } });
    const counting = (original: () => string) =>
      function (this: string) {
        if (!surface.checking) trimmed += this.length;
        return original.call(this);
      };
    const { trim, trimEnd } = String.prototype;
    const spies = [
      vi.spyOn(String.prototype, 'trim').mockImplementation(counting(trim)),
      vi.spyOn(String.prototype, 'trimEnd').mockImplementation(counting(trimEnd)),
    ];
    try {
      const result = await new StreamRelay({ clock }).pipe(deltasOf(text), surface);
      expect(result.text).toBe(text);
      expect(surface.messages).toHaveLength(1);
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    // Each delta and the finished text are trimmed a few times (~5x the text in all); the old
    // draft trimmed the whole window on every delta: ~300 deltas x ~40k chars (70-100x).
    expect(trimmed).toBeLessThan(8 * text.length);
  });
});

describe('line mode wrapping cost', () => {
  it('ASCII prose streamed to a MUD wraps without a grapheme walk', async () => {
    const next = vi.spyOn(GraphemeCursor.prototype, 'next');
    try {
      const clock = new FakeClock();
      const surface = new FakeSurface({ clock, limits: { maxChars: 4000, canEdit: false, minEditIntervalMs: 0, lineMode: { width: 76, pacingMs: 0 } } });
      const text = 'word '.repeat(4_000);
      const result = await new StreamRelay({ clock }).pipe(deltasOf(text), surface);
      expect(result.text).toBe(text);
      expect(surface.lines.length).toBeGreaterThan(200);
      // The old wrapper stepped a grapheme cursor once per character.
      expect(next.mock.calls.length).toBe(0);
    } finally {
      next.mockRestore();
    }
  });
});

describe('frame wait cost per delta (issue 10: an AbortController and a timer per delta on 1 MB replies)', () => {
  it('deltas arriving while a frame is not due yet share one wait: timers follow the frames, not the deltas', async () => {
    const clock = new FakeClock();
    let relaySleeps = 0;
    // The deltas are timed on the same clock; only the relay's own waits are counted.
    const relayClock: Clock = {
      now: () => clock.now(),
      sleep: (ms, signal) => {
        relaySleeps++;
        return clock.sleep(ms, signal);
      },
    };
    const surface = new FakeSurface({ clock, limits: { maxChars: 100_000, canEdit: true, minEditIntervalMs: 1000 } });
    const words = Array.from({ length: 2000 }, (_, i) => `w${i} `);
    const result = await new StreamRelay({ clock: relayClock }).pipe(timedDeltas(clock, words, 10), surface);
    surface.assertClean();
    expect(result.text).toBe(words.join(''));
    // ~20 s of deltas at one frame a second: about 20 frames. The old wait took a timer per delta (~2000).
    expect(result.edits).toBeGreaterThan(15);
    expect(relaySleeps).toBeLessThan(3 * (result.edits + 2));
  });
});
