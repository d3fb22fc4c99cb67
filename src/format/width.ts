// Display width in terminal columns, as MUD clients render text:
// East-Asian wide / full-width characters and emoji take 2 columns, combining marks 0.

const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}\p{Cc}]$/u;
const EMOJI_PRESENTATION = /^\p{Emoji_Presentation}$/u;
const PICTOGRAPHIC = /^\p{Extended_Pictographic}$/u;
const EMOJI_VARIATION_SELECTOR = '\uFE0F';

/** East Asian Wide (W) and Fullwidth (F) ranges, the ones that occur in chat text. */
const WIDE_RANGES: ReadonlyArray<readonly [number, number]> = [
  [0x1100, 0x115f], // Hangul Jamo initial consonants
  [0x231a, 0x231b],
  [0x2329, 0x232a],
  [0x23e9, 0x23ec],
  [0x23f0, 0x23f0],
  [0x23f3, 0x23f3],
  [0x2e80, 0x303e], // CJK radicals, Kangxi, CJK symbols and punctuation
  [0x3041, 0x33ff], // Hiragana, Katakana, Bopomofo, Hangul compatibility, CJK compatibility
  [0x3400, 0x4dbf], // CJK extension A
  [0x4e00, 0x9fff], // CJK unified ideographs
  [0xa000, 0xa4cf], // Yi
  [0xa960, 0xa97f],
  [0xac00, 0xd7a3], // Hangul syllables
  [0xf900, 0xfaff], // CJK compatibility ideographs
  [0xfe10, 0xfe19], // vertical forms
  [0xfe30, 0xfe6f], // CJK compatibility forms, small form variants
  [0xff00, 0xff60], // full-width forms
  [0xffe0, 0xffe6],
  [0x1b000, 0x1b2ff], // Kana supplement / extended
  [0x1f200, 0x1f2ff], // enclosed ideographic supplement
  [0x20000, 0x2fffd], // CJK extensions B..F
  [0x30000, 0x3fffd], // CJK extension G..
];

/** Per BMP code point: 1 when wide (a table: the splitter asks this per character of CJK text). */
const WIDE_BMP = new Uint8Array(0x10000);
for (const [lo, hi] of WIDE_RANGES) WIDE_BMP.fill(1, lo, Math.min(hi, 0xffff) + 1);

/** True for a code point in an East-Asian wide / full-width range. */
export function isWideCodePoint(cp: number): boolean {
  if (cp < 0x10000) return WIDE_BMP[cp] === 1;
  for (const [lo, hi] of WIDE_RANGES) {
    if (cp < lo) return false;
    if (cp <= hi) return true;
  }
  return false;
}

/** Columns one code point takes on its own. */
export function codePointWidth(cp: number): number {
  const ch = String.fromCodePoint(cp);
  if (ZERO_WIDTH.test(ch) || (cp >= 0xfe00 && cp <= 0xfe0f)) return 0;
  if (isWideCodePoint(cp) || EMOJI_PRESENTATION.test(ch)) return 2;
  return 1;
}

// Made on first use: building it loads ICU's break data (~30 ms), which start-up need not pay.
let graphemes: Intl.Segmenter | undefined;
/**
 * Intl.Segmenter grows super-linearly with the string it is given on Node 20 (100k chars take
 * seconds), so it only ever sees a window this long; the window's last cluster may run on past
 * the window, so it is segmented again as the start of the next window.
 */
const SEGMENT_WINDOW = 256;

/**
 * Code units that UAX #29 never joins to a neighbour of the same kind (no Extend, SpacingMark,
 * Prepend, ZWJ, regional indicator, Hangul jamo or control among them): printable ASCII,
 * Latin-1 to IPA, Greek, basic Cyrillic, general punctuation, CJK punctuation, kana, CJK
 * ideographs and full-width forms. Two of them in a row always have a break between them.
 */
const SIMPLE_RANGES: ReadonlyArray<readonly [number, number]> = [
  [0x20, 0x7e],
  [0xa0, 0xac],
  [0xae, 0x2ff],
  [0x370, 0x3ff],
  [0x400, 0x482],
  [0x2010, 0x2027],
  [0x2030, 0x205e],
  [0x3000, 0x3029],
  [0x3030, 0x303f],
  [0x3041, 0x3096],
  [0x309b, 0x30ff],
  [0x4e00, 0x9fff],
  [0xff01, 0xff9d],
];

const isHighSurrogate = (c: number): boolean => c >= 0xd800 && c <= 0xdbff;

/** Per BMP code unit: SIMPLE and WIDE flags, looked up once per character on the hot path. */
const SIMPLE = 1;
const WIDE = 2;
const BMP_FLAGS = new Uint8Array(0x10000);
for (const [lo, hi] of SIMPLE_RANGES) for (let c = lo; c <= hi; c++) BMP_FLAGS[c] = SIMPLE | (isWideCodePoint(c) ? WIDE : 0);

const isSimple = (c: number): boolean => (BMP_FLAGS[c]! & SIMPLE) !== 0;

const hex = (c: number): string => `\\u${c.toString(16).padStart(4, '0')}`;
/** Text made only of simple code units (one regex scan, native, instead of a lookup per unit). */
const ALL_SIMPLE = new RegExp(`^[${SIMPLE_RANGES.map(([lo, hi]) => `${hex(lo)}-${hex(hi)}`).join('')}]*$`);

/** True when every code unit of `text` is simple: each is a grapheme of its own, of `simpleColumns` columns. */
export const isSimpleText = (text: string): boolean => ALL_SIMPLE.test(text);

/** Columns of a simple code unit (1 or 2); 0 for any other. */
export const simpleColumns = (c: number): number => {
  const flags = BMP_FLAGS[c]!;
  return flags & SIMPLE ? (flags & WIDE ? 2 : 1) : 0;
};

/**
 * The nearest position at or before `at` that is surely a cluster boundary (0 when none is
 * found within `lookBack`): a cursor can start there instead of at the text's start.
 */
export function boundaryAtOrBefore(text: string, at: number, lookBack: number): number {
  for (let p = Math.min(at, text.length - 1); p > 0 && p >= at - lookBack; p--) {
    if (isSimple(text.charCodeAt(p - 1)) && isSimple(text.charCodeAt(p))) return p;
  }
  return 0;
}

/**
 * Walks the grapheme cluster boundaries of a text in time linear in its length. A simple code
 * unit followed by another is a cluster of its own, so plain Latin and CJK text skip the
 * segmenter. A cluster longer than a window (hundreds of stacked marks) is cut at the window's
 * end, never inside a surrogate pair.
 */
export class GraphemeCursor {
  /** Cluster ends the last segmented window found, not yet returned. */
  private ends: number[] = [];
  private nextEnd = 0;

  constructor(
    private readonly text: string,
    /** Where the next cluster starts (a cluster boundary). */
    public pos = 0,
  ) {}

  /** The end of the cluster at `pos`, which moves there; -1 at the end of the text. */
  next(): number {
    const { text } = this;
    if (this.pos >= text.length) return -1;
    if (this.nextEnd < this.ends.length) return (this.pos = this.ends[this.nextEnd++]!);
    const i = this.pos;
    if (isSimple(text.charCodeAt(i)) && (i + 1 === text.length || isSimple(text.charCodeAt(i + 1)))) return (this.pos = i + 1);
    let end = Math.min(text.length, i + SEGMENT_WINDOW);
    if (end < text.length && isHighSurrogate(text.charCodeAt(end - 1))) end--; // a window never ends inside a pair
    const ends: number[] = [];
    for (const { index, segment } of (graphemes ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' })).segment(text.slice(i, end))) ends.push(i + index + segment.length);
    // The window's last cluster may go on past the window: it starts the next window, unless
    // it is the text's end or the whole window.
    if (end < text.length && ends.length > 1) ends.pop();
    this.ends = ends;
    this.nextEnd = 1;
    return (this.pos = ends[0]!);
  }
}

/** Splits text into user-perceived characters: a surrogate pair, a ZWJ emoji or a letter with its accents stays whole. */
export function splitGraphemes(text: string): string[] {
  const out: string[] = [];
  const cursor = new GraphemeCursor(text);
  for (let start = 0, end = cursor.next(); end >= 0; start = end, end = cursor.next()) out.push(text.slice(start, end));
  return out;
}

/** Columns of the cluster text[start, end): simple code units skip the property lookups. */
export function clusterWidth(text: string, start: number, end: number): number {
  if (end === start + 1) {
    const c = text.charCodeAt(start);
    const flags = BMP_FLAGS[c]!;
    if (flags & SIMPLE) return flags & WIDE ? 2 : 1;
  }
  return graphemeWidth(text.slice(start, end));
}

/** Columns one grapheme cluster takes: its widest code point; a pictograph with VS16 is an emoji (2). */
export function graphemeWidth(cluster: string): number {
  let width = 0;
  let pictographic = false;
  for (const ch of cluster) {
    const cp = ch.codePointAt(0) ?? 0;
    if (PICTOGRAPHIC.test(ch)) pictographic = true;
    width = Math.max(width, codePointWidth(cp));
  }
  if (pictographic && cluster.includes(EMOJI_VARIATION_SELECTOR)) return 2;
  return width;
}

/** Display columns of a string (CJK full-width = 2, emoji = 2, combining marks = 0). */
export function displayWidth(text: string): number {
  // Fast path: printable ASCII is one column per character.
  if (/^[\x20-\x7e]*$/.test(text)) return text.length;
  let width = 0;
  const cursor = new GraphemeCursor(text);
  for (let start = 0, end = cursor.next(); end >= 0; start = end, end = cursor.next()) width += clusterWidth(text, start, end);
  return width;
}
