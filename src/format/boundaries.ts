// Where a chunk may end: the boundaries a split prefers (paragraph > line > sentence end >
// word) in the window it scans, and the inline entities a cut must not break.
import { fenceStep, type Fence } from './fence.js';
import { inlineSpans } from './inline.js';
import { noBreakBetween } from './line-break.js';
import { isWideCodePoint } from './width.js';
export enum Boundary {
  Paragraph,
  Line,
  Sentence,
  Word,
}
export const BOUNDARY_PREFERENCE = [Boundary.Paragraph, Boundary.Line, Boundary.Sentence, Boundary.Word];

const SENTENCE_END = new Set(['.', '!', '?', '…']);
const WIDE_SENTENCE_END = new Set(['。', '！', '？', '…']);
const CLOSING_QUOTE = new Set(['"', "'", ')', '”', '’', '»', '」', '』']);

/** Per BMP code unit: which sentence-end roles it plays (a table: this is asked per character). */
const SENTENCE_END_FLAG = 1;
const WIDE_SENTENCE_END_FLAG = 2;
const CLOSING_QUOTE_FLAG = 4;
const PUNCTUATION_FLAGS = new Uint8Array(0x10000);
for (const [chars, flag] of [
  [SENTENCE_END, SENTENCE_END_FLAG],
  [WIDE_SENTENCE_END, WIDE_SENTENCE_END_FLAG],
  [CLOSING_QUOTE, CLOSING_QUOTE_FLAG],
] as const) {
  for (const ch of chars) PUNCTUATION_FLAGS[ch.charCodeAt(0)]! |= flag;
}
const LF = 0x0a;
const CR = 0x0d;
const isSpaceCode = (c: number): boolean => c === 0x20 || c === 0x09 || c === CR || c === LF;

/** True when a sentence ends just before `i` (after an `end` mark, or after a closing quote after one). */
function sentenceEndsBefore(rest: string, i: number, end: number): boolean {
  const prev = PUNCTUATION_FLAGS[rest.charCodeAt(i - 1)]!;
  if (prev & end) return true;
  return (prev & CLOSING_QUOTE_FLAG) !== 0 && i >= 2 && (PUNCTUATION_FLAGS[rest.charCodeAt(i - 2)]! & end) !== 0;
}

/**
 * The kind of boundary a chunk ending at `i` would end on, or -1 when `i` is none.
 * Reads code units, not one-character strings: a window of CJK text would allocate one per character.
 */
function boundaryAt(rest: string, i: number): Boundary | -1 {
  const code = rest.charCodeAt(i);
  const prevCode = rest.charCodeAt(i - 1);
  if (code === LF || (code === CR && rest.charCodeAt(i + 1) === LF)) {
    if (prevCode === CR) return -1;
    const next = code === CR ? i + 2 : i + 1;
    const blankFollows = rest.charCodeAt(next) === LF || (rest.charCodeAt(next) === CR && rest.charCodeAt(next + 1) === LF);
    return blankFollows ? Boundary.Paragraph : Boundary.Line;
  }
  if (code === 0x20 || code === 0x09) {
    if (isSpaceCode(prevCode)) return -1;
    return sentenceEndsBefore(rest, i, SENTENCE_END_FLAG) ? Boundary.Sentence : Boundary.Word;
  }
  // Between two ASCII characters only a space or a newline is a boundary (the rules below need
  // a wide character), unless a closing quote follows a wide sentence end ("。\"x").
  if (code < 0x80 && prevCode < 0x80 && !(PUNCTUATION_FLAGS[prevCode]! & CLOSING_QUOTE_FLAG)) return -1;
  // CJK text has no spaces: a break is allowed between wide characters.
  if (code >= 0xdc00 && code <= 0xdfff) return -1; // inside a surrogate pair
  if (noBreakBetween(prevCode, code)) return -1; // 「 never ends a chunk, ，。」 never start one
  if (sentenceEndsBefore(rest, i, WIDE_SENTENCE_END_FLAG)) return Boundary.Sentence;
  if ((isWideCodePoint(prevCode) || isWideCodePoint(code)) && !isSpaceCode(prevCode)) return Boundary.Word;
  return -1;
}

/** Boundaries in rest[from..room] by kind (index = where the chunk would end), in text order. */
export function findBoundaries(rest: string, from: number, room: number): number[][] {
  const byKind: number[][] = [[], [], [], []];
  const last = Math.min(room, rest.length - 1);
  for (let i = Math.max(1, from); i <= last; i++) {
    const kind = boundaryAt(rest, i);
    if (kind >= 0) byKind[kind]!.push(i);
  }
  return byKind;
}

/** Any code unit outside ASCII: only then can a boundary fall between two characters without a space. */
const NON_ASCII = /[^\x00-\x7f]/;

type LastOf = [number, number, number, number];

/**
 * The last boundary of each kind in rest[from..room] (-1: none), allocating nothing per
 * character: the split nearly always ends on the last boundary of the best kind there, and
 * needs every boundary (findBoundaries) only when that one cuts an entity or does not fit.
 * Kinds worse than the best one present may be left at -1.
 */
export function lastBoundaries(rest: string, from: number, room: number): LastOf {
  const lastOf: LastOf = [-1, -1, -1, -1];
  const lo = Math.max(1, from);
  const hi = Math.min(room, rest.length - 1);
  if (hi < lo) return lastOf;
  // A boundary depends on the two characters before it: in ASCII text only a newline, a space
  // or a tab is one, and native searches find those without a look at every character.
  if (NON_ASCII.test(rest.slice(Math.max(0, lo - 2), hi + 1))) return scanBackward(rest, lo, hi, lastOf);
  lastAfter(rest, '\n', lo, hi, lastOf, Boundary.Paragraph);
  if (lastOf[Boundary.Paragraph] >= 0) return lastOf;
  lastSentenceEnd(rest, lo, hi, lastOf);
  lastAfter(rest, ' ', lo, hi, lastOf, Boundary.Word);
  lastAfter(rest, '\t', lo, hi, lastOf, Boundary.Word);
  return lastOf;
}

/**
 * Records the boundary at each occurrence of `ch` in rest[lo..hi] (a newline's is at the CR of a
 * CRLF), last to first, keeping later ones, until one of kind `stop` (or a paragraph).
 */
function lastAfter(rest: string, ch: string, lo: number, hi: number, lastOf: LastOf, stop: Boundary): void {
  // lastIndexOf has no lower bound (it would search on to the text's start): a forward search
  // from `lo` says first whether the window holds the character at all.
  const first = rest.indexOf(ch, lo);
  if (first < 0 || first > hi + 1) return;
  for (let j = rest.lastIndexOf(ch, ch === '\n' ? hi + 1 : hi); j >= first; j = rest.lastIndexOf(ch, j - 1)) {
    const i = ch === '\n' && rest.charCodeAt(j - 1) === CR ? j - 1 : j;
    if (i < lo || i > hi) continue;
    const kind = boundaryAt(rest, i);
    if (kind === -1) continue;
    if (lastOf[kind] < i) lastOf[kind] = i;
    if (kind === stop || kind === Boundary.Paragraph) return;
  }
}

/** A sentence end (or one inside a closing quote) before a space or a tab, in ASCII text. */
const SENTENCE_BEFORE_BLANK = /[.!?]["')]?[ \t]/g;

/** The last sentence end in rest[lo..hi] of ASCII text, by one native scan of that window. */
function lastSentenceEnd(rest: string, lo: number, hi: number, lastOf: LastOf): void {
  // Two characters before `lo` decide whether a blank at `lo` ends a sentence.
  const start = Math.max(0, lo - 2);
  const window = rest.slice(start, hi + 1);
  SENTENCE_BEFORE_BLANK.lastIndex = 0;
  while (SENTENCE_BEFORE_BLANK.exec(window)) {
    const at = start + SENTENCE_BEFORE_BLANK.lastIndex - 1; // the blank
    if (at >= lo) lastOf[Boundary.Sentence] = at;
  }
}

/** lastBoundaries by looking at every character, backward (text with wide characters). */
function scanBackward(rest: string, lo: number, hi: number, lastOf: LastOf): LastOf {
  let missing = 4;
  for (let i = hi; i >= lo && lastOf[Boundary.Paragraph] < 0; i--) {
    const kind = boundaryAt(rest, i);
    if (kind === -1 || lastOf[kind] >= 0) continue;
    lastOf[kind] = i;
    if (--missing === 0) break;
  }
  return lastOf;
}

/**
 * The inline entities (code spans, links, emphasis) of the lines outside fences in rest[0, end),
 * as flat [start, end) pairs. Only this window is parsed, so a stream decides as the whole text would.
 */
export function entitySpans(rest: string, fence: Fence | null, end: number): number[] {
  const seen = rest.slice(0, end);
  const spans: number[] = [];
  let open = fence;
  for (let from = 0; from <= seen.length; ) {
    let to = seen.indexOf('\n', from);
    if (to < 0) to = seen.length;
    const line = seen.slice(from, to);
    const before = open;
    open = fenceStep(open, line).fence;
    if (!before && !open) for (const at of inlineSpans(line)) spans.push(from + at);
    from = to + 1;
  }
  return spans;
}

/** The entity a chunk ending at `at` would cut in two, as its start; -1 when none. */
export function entityAround(spans: number[], at: number): number {
  for (let k = 0; k < spans.length; k += 2) if (spans[k]! < at && at < spans[k + 1]!) return spans[k]!;
  return -1;
}
