// Wrapping one plain line to a display width (and an optional byte budget): Latin text breaks at
// spaces, CJK text between any two characters except where line-breaking rules forbid it
// (closing punctuation never starts a line, opening punctuation never ends one); a grapheme
// (surrogate pair, emoji) is never cut. Time is linear in the text: a huge token or paragraph
// is walked once, grapheme by grapheme, and only lines are measured.
import { noBreakBetween } from './line-break.js';
import { clusterWidth, GraphemeCursor, isSimpleText } from './width.js';
import { wrapSimple } from './wrap-simple.js';

/** A word, a wide character, or either glued to punctuation, with the spaces before it. */
interface Unit {
  gap: string;
  text: string;
  /** Display columns of `text`. */
  width: number;
}

/** True when no line may break between two units with no space between them. */
const glued = (before: string, after: string): boolean => noBreakBetween(before.charCodeAt(before.length - 1), after.charCodeAt(0));

/** Calls `take` with the units of `text` in order: words, single wide graphemes, kinsoku joins. */
function forEachUnit(text: string, take: (unit: Unit) => void): void {
  let held: Unit | undefined;
  let gap = '';
  let wordStart = -1;
  let wordWidth = 0;
  const add = (unit: Unit): void => {
    if (held && unit.gap === '' && glued(held.text, unit.text)) {
      held.text += unit.text;
      held.width += unit.width;
      return;
    }
    if (held) take(held);
    held = unit;
  };
  const endWord = (at: number): void => {
    if (wordStart < 0) return;
    add({ gap, text: text.slice(wordStart, at), width: wordWidth });
    gap = '';
    wordStart = -1;
    wordWidth = 0;
  };
  const cursor = new GraphemeCursor(text);
  for (let start = 0, end = cursor.next(); end >= 0; start = end, end = cursor.next()) {
    const c = text.charCodeAt(start);
    if (end === start + 1 && (c === 0x20 || c === 0x09)) {
      endWord(start);
      gap += ' ';
      continue;
    }
    const width = clusterWidth(text, start, end);
    if (width >= 2) {
      endWord(start);
      add({ gap, text: text.slice(start, end), width });
      gap = '';
      continue;
    }
    if (wordStart < 0) wordStart = start;
    wordWidth += width;
  }
  endWord(text.length);
  if (held) take(held);
}

/**
 * Cuts a unit wider than a line between graphemes, pushing full lines to `out`; returns the
 * last, unfinished line. Widths are summed as it goes, and `fits` (a byte budget, shorter is
 * never worse) is asked once per line, or a few times when it refuses a line.
 */
function cutBetweenGraphemes(
  text: string,
  width: number,
  fits: ((line: string) => boolean) | undefined,
  out: string[],
): { text: string; width: number } {
  let start = 0;
  /** Ends of the graphemes on the open line, and the line's width after each. */
  let ends: number[] = [];
  let widths: number[] = [];
  const openWidth = (): number => widths[widths.length - 1] ?? 0;
  /** Sends the longest prefix of the open line that `fits` accepts (at least one grapheme). */
  const sendPrefix = (): void => {
    let k = ends.length;
    if (fits && !fits(text.slice(start, ends[k - 1]))) {
      let lo = 1;
      let hi = k - 1;
      while (lo < hi) {
        const mid = Math.ceil((lo + hi) / 2);
        if (fits(text.slice(start, ends[mid - 1]))) lo = mid;
        else hi = mid - 1;
      }
      k = lo;
    }
    out.push(text.slice(start, ends[k - 1]));
    start = ends[k - 1]!;
    const sent = widths[k - 1]!;
    ends = ends.slice(k);
    widths = widths.slice(k).map((w) => w - sent);
  };
  const cursor = new GraphemeCursor(text);
  for (let from = 0, end = cursor.next(); end >= 0; from = end, end = cursor.next()) {
    const w = clusterWidth(text, from, end);
    // A grapheme that fits nowhere still goes out alone rather than vanish.
    while (ends.length > 0 && openWidth() + w > width) sendPrefix();
    ends.push(end);
    widths.push(openWidth() + w);
  }
  while (ends.length > 1 && fits && !fits(text.slice(start))) sendPrefix();
  return { text: text.slice(start), width: openWidth() };
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/**
 * wrapLine for printable ASCII by width alone: one column per character, so a line is one slice
 * of the text and its end is found by a search back from `width` columns on, not word by word.
 */
function wrapAscii(text: string, width: number): string[] {
  const out: string[] = [];
  const n = text.length;
  let start = nextWord(text, 0);
  if (start === n) return out;
  let end = wordEnd(text, start);
  // Indentation of the first line stays (code) when its first word fits with it.
  let lineStart = end <= width ? 0 : start;
  let lineEnd = end;
  for (;;) {
    if (end - lineStart > width) lineStart = cutWord(text, lineStart, end, width, out);
    lineEnd = lastWordEnd(text, lineEnd, lineStart + width);
    start = nextWord(text, lineEnd);
    if (start === n) break;
    // The next word does not fit: the line ends, and a wrapped line starts at its first word.
    out.push(text.slice(lineStart, lineEnd));
    lineStart = start;
    end = wordEnd(text, start);
    lineEnd = end;
  }
  out.push(text.slice(lineStart, lineEnd));
  return out;
}

/** The first non-space at or after `from` (the text's length when none). */
function nextWord(text: string, from: number): number {
  let i = from;
  while (i < text.length && text.charCodeAt(i) === 0x20) i++;
  return i;
}

function wordEnd(text: string, start: number): number {
  const space = text.indexOf(' ', start);
  return space < 0 ? text.length : space;
}

/** A word longer than a line is cut into full lines; returns where its last piece (still open) starts. */
function cutWord(text: string, start: number, end: number, width: number, out: string[]): number {
  let from = start;
  while (end - from > width) {
    out.push(text.slice(from, from + width));
    from += width;
  }
  return from;
}

/** The end of the last word that ends at or before `limit`, or `lineEnd` (a word end) when no later one does. */
function lastWordEnd(text: string, lineEnd: number, limit: number): number {
  let p = limit >= text.length ? text.length : text.lastIndexOf(' ', limit);
  while (p > lineEnd && text.charCodeAt(p - 1) === 0x20) p--;
  return p > lineEnd ? p : lineEnd;
}

/** The lines of the width-only fast paths, or undefined when the text needs the grapheme walk. */
function wrapByWidth(text: string, width: number): string[] | undefined {
  if (width < 1) return undefined;
  if (PRINTABLE_ASCII.test(text)) return wrapAscii(text, width);
  return isSimpleText(text) ? wrapSimple(text, width) : undefined;
}

/**
 * Wraps `text` (one line, no newlines) into lines of at most `width` display columns that also
 * pass `fits` when given. A word longer than a line is cut between graphemes.
 */
export function wrapLine(text: string, width: number, fits?: (line: string) => boolean): string[] {
  const lines = wrapByWidth(text, width);
  // `fits` is a budget that a shorter line never fails: when every full line passes, so did
  // every prefix the general walk would have tried, and it would have wrapped the same way.
  if (lines && (!fits || lines.every(fits))) return lines;
  return wrapByGraphemes(text, width, fits);
}

/** wrapLine by the general walk, grapheme by grapheme (exported so tests can hold the fast paths to it). */
export function wrapByGraphemes(text: string, width: number, fits?: (line: string) => boolean): string[] {
  const ok = (line: string, columns: number): boolean => columns <= width && (!fits || fits(line));
  const out: string[] = [];
  let line = '';
  let lineWidth = 0;
  forEachUnit(text, (unit) => {
    // Indentation of the first line stays (code); a wrapped line starts at its first word.
    const lead = out.length === 0 ? unit.gap : '';
    const joined = line ? line + unit.gap + unit.text : lead + unit.text;
    const joinedWidth = line ? lineWidth + unit.gap.length + unit.width : lead.length + unit.width;
    if (ok(joined, joinedWidth)) {
      line = joined;
      lineWidth = joinedWidth;
      return;
    }
    if (line) out.push(line);
    if (ok(unit.text, unit.width)) {
      line = unit.text;
      lineWidth = unit.width;
      return;
    }
    const rest = cutBetweenGraphemes(unit.text, width, fits, out);
    line = rest.text;
    lineWidth = rest.width;
  });
  if (line) out.push(line);
  return out;
}
