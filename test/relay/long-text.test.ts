// Long unbroken tokens and huge paragraphs: split, wrap and width stay linear in the input
// (the old code segmented whole strings with Intl.Segmenter and measured whole rests, and took
// minutes on these inputs; vitest's default timeout is what fails it). The timing goal itself
// is in `npm run bench -- long-token`. The property cases pin that normal results did not change.
import { describe, expect, it } from 'vitest';
import { codePointLength, displayWidth, splitText, wrapLine } from '../../src/relay/index.js';
import { fitLength } from '../../src/format/split.js';
import { graphemeWidth, splitGraphemes } from '../../src/format/width.js';
import { prng } from './helpers.js';

const LONG = 200_000;
const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const segment = (text: string): string[] => Array.from(segmenter.segment(text), (s) => s.segment);

describe('long inputs finish (linear time)', () => {
  it('wraps a 200k-char paragraph to 76 columns', () => {
    const text = 'word '.repeat(LONG / 5);
    const lines = wrapLine(text, 76);
    expect(lines).toHaveLength(Math.ceil(LONG / 5 / 15));
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(76);
    expect(lines.join(' ')).toBe(text.trimEnd());
  });

  it('wraps a 200k-char single token, under a byte budget too', () => {
    const token = 'x'.repeat(LONG);
    expect(wrapLine(token, 76)).toEqual(Array.from({ length: Math.ceil(LONG / 76) }, (_, i) => token.slice(i * 76, i * 76 + 76)));
    const cjk = '中文'.repeat(LONG / 2);
    const lines = wrapLine(cjk, 76, (l) => Buffer.byteLength(l) <= 60);
    for (const line of lines) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(60);
    expect(lines.join('')).toBe(cjk);
  });

  it('measures and segments 200k chars of CJK and emoji', () => {
    const text = '中文😀é'.repeat(LONG / 5);
    expect(displayWidth(text)).toBe((LONG / 5) * 7);
    expect(splitGraphemes(text)).toHaveLength((LONG / 5) * 4);
  });

  it('splits a 200k-char single token and a 200k-char paragraph', () => {
    const token = 'x'.repeat(LONG);
    const chunks = splitText(token, 100);
    expect(chunks).toHaveLength(LONG / 100);
    expect(chunks.join('')).toBe(token);
    const prose = 'word '.repeat(LONG / 5);
    const parts = splitText(prose, 100, (s) => s.length);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(100);
    expect(parts.join(' ')).toBe(prose.trimEnd());
  });
});

const PIECES = ['a', 'word', ' ', '  ', '\t', '中', '文', 'ｶ', 'ﾞ', '가', 'ᄀ', 'ᅡ', '😀', '👩‍💻', '🇫', '🇷', 'e\u0301', '\u0301', '\u200d', '\ufe0f', '\r', '\n', 'x'.repeat(30)];

function randomText(rand: () => number, pieces: readonly string[], n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) out += pieces[Math.floor(rand() * pieces.length)]!;
  return out;
}

/** The wrapper before windowed segmentation, as a reference for texts without kinsoku characters. */
function referenceWrap(text: string, width: number, fits?: (line: string) => boolean): string[] {
  const ok = (line: string): boolean => displayWidth(line) <= width && (!fits || fits(line));
  const units: Array<{ gap: string; text: string }> = [];
  let gap = '';
  let word = '';
  const flush = (): void => {
    if (word) units.push({ gap, text: word });
    if (word) gap = '';
    word = '';
  };
  for (const g of segment(text)) {
    if (g === ' ' || g === '\t') {
      flush();
      gap += ' ';
    } else if (graphemeWidth(g) >= 2) {
      flush();
      units.push({ gap, text: g });
      gap = '';
    } else word += g;
  }
  flush();
  const out: string[] = [];
  let line = '';
  for (const unit of units) {
    const lead = out.length === 0 ? unit.gap : '';
    const joined = line ? line + unit.gap + unit.text : lead + unit.text;
    if (ok(joined)) {
      line = joined;
      continue;
    }
    if (line) out.push(line);
    line = '';
    if (ok(unit.text)) {
      line = unit.text;
      continue;
    }
    for (const g of segment(unit.text)) {
      if (line && !ok(line + g)) {
        out.push(line);
        line = '';
      }
      line += g;
    }
  }
  if (line) out.push(line);
  return out;
}

describe('property: results on ordinary input are unchanged', () => {
  for (let seed = 1; seed <= 30; seed++) {
    it(`seed ${seed}`, () => {
      const rand = prng(7000 + seed);
      // Long enough to span several segmenter windows.
      const text = randomText(rand, PIECES, 50 + Math.floor(rand() * 400));
      expect(splitGraphemes(text)).toEqual(segment(text));
      expect(displayWidth(text)).toBe(segment(text).reduce((w, g) => w + graphemeWidth(g), 0));

      // (A tab before a combining mark is a gap in both, but the old code measured it as a space the mark joined.)
      const line = text.replace(/[\r\n]/g, '').replace(/\t/g, ' ');
      const width = [4, 8, 20, 76][Math.floor(rand() * 4)]!;
      const budget = rand() < 0.5 ? undefined : width + Math.floor(rand() * 10);
      const fits = budget === undefined ? undefined : (l: string) => Buffer.byteLength(l) <= budget;
      expect(wrapLine(line, width, fits)).toEqual(referenceWrap(line, width, fits));

      const head = rand() < 0.5 ? '' : '```ts\n';
      const measure = rand() < 0.5 ? codePointLength : (s: string) => s.length;
      for (const room of [1, 10, 100, 5000]) {
        let lo = 0;
        let hi = text.length;
        while (lo < hi) {
          const mid = Math.ceil((lo + hi) / 2);
          if (measure(head + text.slice(0, mid)) <= room) lo = mid;
          else hi = mid - 1;
        }
        const inPair = lo > 0 && lo < text.length && /[\udc00-\udfff]/.test(text[lo]!);
        expect(fitLength(head, text, room, measure)).toBe(inPair ? lo - 1 : lo);
      }
    });
  }
});
