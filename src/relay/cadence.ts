// When the next streamed frame of a message may be written. The one place that owns the cadence:
// the message writer asks it before every intermediate write, and surfaces that guard their own
// calls (Telegram) ask it too, so both agree.
//
// The first frame goes out at the first readable text (`readyToShowFirst`). The next
// `burst` frames go out as soon as the text has grown by a readable step at a word boundary,
// but never sooner than `minGapMs` after the previous write; after them, the steady interval.
import type { CadenceLimits } from '../types.js';
import { codePointLength } from '../format/split.js';
import { isWideCodePoint } from '../format/width.js';

export type { CadenceLimits };

/** A first delta at least this long is shown even before a word ends (a long token, a URL). */
const FIRST_TEXT_MIN_CODE_POINTS = 12;
/** Growth (code units) an early frame needs: the first early frame one word, later ones a few more. */
const EARLY_STEP_CHARS = [1, 8, 16];
/** Growth without any word boundary that still earns an early frame (a long token, a URL). */
const UNBROKEN_GROWTH_CHARS = 24;

/** What has been written to the message so far. */
export interface FrameHistory {
  /** Frames written to this message (the first send counts). */
  frames: number;
  lastWriteAt: number;
}

export interface FrameTiming {
  /** Milliseconds until the frame may be written (0: now). */
  waitMs: number;
  /** When the frame may be written (the same for every delta until the next write or earned frame). */
  dueAt: number;
  /**
   * False when the text has not grown by a readable step yet: the frame is only due after
   * `waitMs` (the steady interval), and more text arriving meanwhile may earn an earlier one.
   */
  earned: boolean;
}

/** True while the next frame is one of the early (burst) frames. */
function isEarly(history: FrameHistory, cadence: CadenceLimits | undefined): cadence is CadenceLimits {
  return cadence !== undefined && history.frames >= 1 && history.frames <= cadence.burst;
}

/** The least time between the previous write and the next frame (what a surface may enforce). */
export function minFrameGap(history: FrameHistory, intervalMs: number, cadence?: CadenceLimits): number {
  return isEarly(history, cadence) ? Math.min(cadence.minGapMs, intervalMs) : intervalMs;
}

/** The least time between the last frame and the final write of a message. */
export function finalFrameGap(intervalMs: number, cadence?: CadenceLimits): number {
  return cadence?.finalGapMs ?? intervalMs;
}

/**
 * When the next frame may go out, given what is shown (`shown`) and what could be shown now
 * (`next`, which normally starts with `shown`). Pure: the caller sleeps and writes.
 */
export function nextFrameTiming(
  history: FrameHistory,
  now: number,
  shown: string,
  next: string,
  atWordEnd: boolean,
  intervalMs: number,
  cadence?: CadenceLimits,
): FrameTiming {
  const steadyAt = history.lastWriteAt + intervalMs;
  // Literals, not a spread of a shared object: this runs once per delta.
  const steadyWait = Math.max(0, steadyAt - now);
  if (!isEarly(history, cadence)) return { waitMs: steadyWait, dueAt: steadyAt, earned: true };
  const step = EARLY_STEP_CHARS[Math.min(history.frames - 1, EARLY_STEP_CHARS.length - 1)]!;
  if (!grewReadably(shown, next, atWordEnd, step)) return { waitMs: steadyWait, dueAt: steadyAt, earned: false };
  const gapAt = history.lastWriteAt + Math.min(cadence.minGapMs, intervalMs);
  return { waitMs: Math.max(0, gapAt - now), dueAt: gapAt, earned: true };
}

/**
 * `next` adds at least `step` characters of complete words to `shown` (or CJK text, or a long
 * unbroken run). `atWordEnd`: whitespace follows `next` in the reply, so its last word is complete.
 */
export function grewReadably(shown: string, next: string, atWordEnd: boolean, step: number): boolean {
  if (!next.startsWith(shown)) return next.length > 0;
  const grown = next.slice(shown.length);
  if (grown.length >= UNBROKEN_GROWTH_CHARS) return true;
  const complete = atWordEnd ? grown : grown.slice(0, Math.max(0, grown.search(/\s\S*$/)));
  if (complete.trim().length >= step) return true;
  for (const ch of grown) if (isWideCodePoint(ch.codePointAt(0) ?? 0)) return true;
  return false;
}

/** The first text is shown once a word is complete, or at once for a long first token or CJK text. */
export function readyToShowFirst(text: string): boolean {
  if (/\S\s/.test(text)) return true;
  if (codePointLength(text) >= FIRST_TEXT_MIN_CODE_POINTS) return true;
  for (const ch of text) if (isWideCodePoint(ch.codePointAt(0) ?? 0)) return true;
  return false;
}
