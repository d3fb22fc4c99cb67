// The split's fast path (the last boundary of the best kind, found by one backward scan) must
// choose exactly the cut the full search over every boundary chooses: random texts full of
// boundaries, entities a cut must not break, fences, and measures under which a cut may not fit.
import { describe, expect, it } from 'vitest';
import { Boundary, BOUNDARY_PREFERENCE, entityAround, entitySpans, findBoundaries, lastBoundaries } from '../../src/format/boundaries.js';
import { closeFence, fenceAfter, reopenFence, type Fence } from '../../src/format/fence.js';
import { inlineSpans } from '../../src/format/inline.js';
import { nextSplit, SPLIT_LOOKAHEAD, type Measure } from '../../src/format/split.js';
import { prng } from '../relay/helpers.js';

const PIECES = [
  'word', 'x', ' ', ' ', '  ', '\t', '\n', '\n\n', '\r\n', '. ', '! ', '?" ', '…', '中文', '。', '」', '「', '，',
  '😀', '**bold text**', '`a b`', '[a link](https://e.x/a)', '_it_', 'https://z.io/p', '```\n', '```ts\n', '&amp;',
];

/** ASCII only: the boundaries are then found by native searches for newlines, spaces and tabs. */
const ASCII_PIECES = PIECES.filter((p) => /^[\x00-\x7f]*$/.test(p)).concat(['\t', ' \t', '\r', '\r\n\r\n', '\n\n\n', '." ', ".' ", '?) ']);

function randomText(rand: () => number, length: number, pieces = rand() < 0.5 ? ASCII_PIECES : PIECES): string {
  let text = '';
  while (text.length < length) text += pieces[Math.floor(rand() * pieces.length)]!;
  return text;
}

/** Measures: UTF-16 units, and one where `&` and `<` cost several units (as HTML escaping does), so a boundary may not fit. */
const MEASURES: Record<string, Measure> = {
  utf16: (s) => s.length,
  escaped: (s) => s.length + 4 * (s.match(/[&<]/g)?.length ?? 0),
};

/** The chunk a cut at `at` gives, as nextSplit builds it (the full search the fast path must agree with). */
function cutAt(rest: string, fence: Fence | null, at: number, maxChars: number, measure: Measure, spans: number[]) {
  if (entityAround(spans, at) >= 0) return undefined;
  const piece = rest.slice(0, at);
  const body = piece.trimEnd();
  if (body.trim() === '') return undefined;
  const open = fenceAfter(fence, piece);
  const chunk = reopenFence(fence) + body + closeFence(open);
  if (measure(chunk) > maxChars) return undefined;
  return at;
}

/** Where the full search over every boundary ends the chunk (-1: it falls back to a hard cut). */
function fullSearchCut(rest: string, fence: Fence | null, room: number, maxChars: number, measure: Measure): number {
  const spans = entitySpans(rest, fence, room + SPLIT_LOOKAHEAD);
  const boundaries = findBoundaries(rest, Math.ceil(room / 2), room);
  for (const kind of BOUNDARY_PREFERENCE) {
    const ofKind = boundaries[kind]!;
    for (let k = ofKind.length - 1; k >= 0; k--) if (cutAt(rest, fence, ofKind[k]!, maxChars, measure, spans) !== undefined) return ofKind[k]!;
  }
  return -1;
}

describe('split boundaries', () => {
  it('lastBoundaries gives the last boundary of every kind up to the best one present', () => {
    for (let seed = 1; seed <= 1000; seed++) {
      const rand = prng(seed);
      const text = randomText(rand, 50 + Math.floor(rand() * 400));
      const room = Math.floor(rand() * text.length);
      const from = Math.floor(rand() * room);
      const all = findBoundaries(text, from, room);
      const last = lastBoundaries(text, from, room);
      const best = BOUNDARY_PREFERENCE.findIndex((kind) => all[kind]!.length > 0);
      for (const kind of BOUNDARY_PREFERENCE) {
        if (best >= 0 && kind > best) continue; // past the best kind the scan may stop early
        expect(last[kind], `seed ${seed} kind ${kind}`).toBe(all[kind]!.at(-1) ?? -1);
      }
    }
  });

  it('a sentence end before a tab counts even when spaces and a later tab gave the other kinds', () => {
    // Spaces: a sentence end early, a word late; tabs: a sentence end between them, a word last.
    const text = `One. two ${'x'.repeat(20)}.\tthree ${'y'.repeat(20)} four\tfive`;
    const all = findBoundaries(text, 1, text.length - 1);
    const last = lastBoundaries(text, 1, text.length - 1);
    expect(last[Boundary.Sentence]).toBe(all[Boundary.Sentence]!.at(-1));
    expect(last[Boundary.Sentence]).toBe(text.indexOf('\t'));
    expect(last[Boundary.Word]).toBe(text.lastIndexOf('\t'));
  });

  it('nextSplit cuts where the full search over every boundary cuts', () => {
    let fastPathMissed = 0;
    for (let seed = 1; seed <= 400; seed++) {
      const rand = prng(seed);
      const maxChars = 20 + Math.floor(rand() * 300);
      const text = randomText(rand, maxChars * 3);
      const fence = rand() < 0.2 ? fenceAfter(null, '```py\n') : null;
      for (const [name, measure] of Object.entries(MEASURES)) {
        const step = nextSplit(text, fence, maxChars, measure, true);
        expect(step, `seed ${seed}`).toBeDefined();
        const room = roomOf(text, fence, maxChars, measure);
        const expected = fullSearchCut(text, fence, room, maxChars, measure);
        if (expected < 0) continue; // a hard cut: no boundary fits (the hard cut has tests of its own)
        // Inside a fence the separator after the cut goes with the chunk.
        const separator = text.startsWith('\r\n', expected) ? 2 : /\s/.test(text[expected] ?? '') ? 1 : 0;
        expect(step!.consumed, `seed ${seed} measure ${name}`).toBe(step!.fence ? expected + separator : expected);
        const best = lastBoundaries(text, Math.ceil(room / 2), room).find((at) => at >= 0);
        if (best !== expected) fastPathMissed++;
      }
    }
    // The random texts must exercise the fallback too (a best boundary inside an entity or too long).
    expect(fastPathMissed).toBeGreaterThan(10);
  });

  it('a line without markup characters has no entities', () => {
    expect(inlineSpans('plain words, no markup at all')).toEqual([]);
    expect(inlineSpans('a **bold** word')).toEqual([2, 10]);
  });
});

/** The room nextSplit computes: the longest prefix whose chunk (with the fence reopened) measures within maxChars. */
function roomOf(text: string, fence: Fence | null, maxChars: number, measure: Measure): number {
  const head = reopenFence(fence);
  let n = 0;
  while (n < text.length && measure(head + text.slice(0, n + 1)) <= maxChars) n++;
  const c = text.charCodeAt(n);
  return n > 0 && n < text.length && c >= 0xdc00 && c <= 0xdfff ? n - 1 : n;
}
