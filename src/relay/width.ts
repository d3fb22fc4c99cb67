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

/** True for a code point in an East-Asian wide / full-width range. */
export function isWideCodePoint(cp: number): boolean {
  if (cp < 0x1100) return false;
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

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Splits text into user-perceived characters: a surrogate pair, a ZWJ emoji or a letter with its accents stays whole. */
export function splitGraphemes(text: string): string[] {
  return Array.from(graphemes.segment(text), (s) => s.segment);
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
  for (const cluster of splitGraphemes(text)) width += graphemeWidth(cluster);
  return width;
}
