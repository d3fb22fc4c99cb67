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
 * Boundaries in rest[from..room] by kind (index = where the chunk would end), in text order.
 * Reads code units, not one-character strings: a window of CJK text would allocate one per character.
 */
export function findBoundaries(rest: string, from: number, room: number): number[][] {
  const byKind: number[][] = [[], [], [], []];
  const last = Math.min(room, rest.length - 1);
  for (let i = Math.max(1, from); i <= last; i++) {
    const code = rest.charCodeAt(i);
    const prevCode = rest.charCodeAt(i - 1);
    if (code === LF || (code === CR && rest.charCodeAt(i + 1) === LF)) {
      const next = code === CR ? i + 2 : i + 1;
      const blankFollows = rest.charCodeAt(next) === LF || (rest.charCodeAt(next) === CR && rest.charCodeAt(next + 1) === LF);
      if (prevCode !== CR) byKind[blankFollows ? Boundary.Paragraph : Boundary.Line]!.push(i);
      continue;
    }
    if (code === 0x20 || code === 0x09) {
      if (!isSpaceCode(prevCode)) byKind[sentenceEndsBefore(rest, i, SENTENCE_END_FLAG) ? Boundary.Sentence : Boundary.Word]!.push(i);
      continue;
    }
    // Between two ASCII characters only a space or a newline is a boundary (the rules below need
    // a wide character), unless a closing quote follows a wide sentence end ("。\"x").
    if (code < 0x80 && prevCode < 0x80 && !(PUNCTUATION_FLAGS[prevCode]! & CLOSING_QUOTE_FLAG)) continue;
    // CJK text has no spaces: a break is allowed between wide characters.
    if (code >= 0xdc00 && code <= 0xdfff) continue; // inside a surrogate pair
    if (noBreakBetween(prevCode, code)) continue; // 「 never ends a chunk, ，。」 never start one
    if (sentenceEndsBefore(rest, i, WIDE_SENTENCE_END_FLAG)) byKind[Boundary.Sentence]!.push(i);
    else if ((isWideCodePoint(prevCode) || isWideCodePoint(code)) && !isSpaceCode(prevCode)) byKind[Boundary.Word]!.push(i);
  }
  return byKind;
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
