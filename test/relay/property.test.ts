// Random texts x random chunkings (seeded, so a failure names its seed): the invariants hold.
import { describe, expect, it } from 'vitest';
import { StreamRelay, splitText, markdownToPlain, toSurfaceLines, codePointLength } from '../../src/relay/index.js';
import { FakeClock } from './fake-clock.js';
import { FakeSurface, normalizeForComparison } from './fake-surface.js';
import { prng, randomPieces, timedDeltas } from './helpers.js';

const EDIT_CASES = 60;
const LINE_CASES = 40;

const LATIN = ['the', 'relay', 'splits', 'answers', 'carefully', 'at', 'boundaries', 'supercalifragilisticexpialidocious', 'x', 'I', 'a.b.c', '**bold**', '_it_', '[link](https://e.x/a_b)', '`code`'];
const CJK = ['中文', '回答', '很长的句子', '。', '，', 'テスト', '한국어'];
const EMOJI = ['😀', '👩‍💻', '🇫🇷', '❤️', 'e\u0301'];
const SEPARATORS = [' ', ' ', ' ', ' ', '. ', '! ', '\n', '\n\n', '\n- ', '\n# '];
const LANGS = ['', 'ts', 'python', 'sh'];

function pick<T>(rand: () => number, list: readonly T[]): T {
  return list[Math.floor(rand() * list.length)]!;
}

function randomText(rand: () => number): string {
  const out: string[] = [];
  const tokens = 20 + Math.floor(rand() * 400);
  for (let i = 0; i < tokens; i++) {
    const r = rand();
    if (r < 0.04) {
      const lines = Array.from({ length: 1 + Math.floor(rand() * 12) }, () => '  '.repeat(Math.floor(rand() * 3)) + pick(rand, LATIN) + '(' + pick(rand, LATIN) + ');');
      out.push(`\n\n\`\`\`${pick(rand, LANGS)}\n${lines.join('\n')}\n\`\`\`\n\n`);
      continue;
    }
    out.push(r < 0.6 ? pick(rand, LATIN) : r < 0.85 ? pick(rand, CJK) : pick(rand, EMOJI));
    out.push(pick(rand, SEPARATORS));
  }
  return out.join('');
}

const fenceCount = (text: string) => text.split('\n').filter((l) => /^ {0,3}```/.test(l)).length;

describe('property: edit and send modes', () => {
  for (let seed = 1; seed <= EDIT_CASES; seed++) {
    it(`seed ${seed}`, async () => {
      const rand = prng(seed);
      const text = randomText(rand);
      const maxChars = pick(rand, [24, 40, 100, 300, 2000]);
      const measure = rand() < 0.5 ? undefined : (s: string) => s.length;
      const canEdit = rand() < 0.8;
      const clock = new FakeClock();
      const surface = new FakeSurface({ clock, limits: { maxChars, measure, canEdit, minEditIntervalMs: pick(rand, [0, 300, 1000]) } });
      const pieces = randomPieces(text, rand, pick(rand, [1, 5, 40, 400]));
      const gaps = pieces.map(() => Math.floor(rand() * pick(rand, [5, 200, 1500])));
      const result = await new StreamRelay({ clock }).pipe(timedDeltas(clock, pieces, (i) => gaps[i]!), surface);

      surface.assertClean();
      const expected = splitText(text, maxChars, measure);
      expect(surface.finalTexts).toEqual(expected);
      for (const chunk of expected) expect((measure ?? codePointLength)(chunk)).toBeLessThanOrEqual(maxChars);
      for (const chunk of expected) expect(fenceCount(chunk) % 2).toBe(0);
      expect(normalizeForComparison(surface.finalTexts.join('\n'))).toBe(normalizeForComparison(text));
      expect(result.text).toBe(text);
    });
  }
});

describe('property: line mode', () => {
  for (let seed = 1; seed <= LINE_CASES; seed++) {
    it(`seed ${seed}`, async () => {
      const rand = prng(1000 + seed);
      const text = randomText(rand);
      const width = pick(rand, [8, 20, 40, 76]);
      const byteBudget = rand() < 0.5 ? undefined : width + 10;
      const fits = byteBudget === undefined ? undefined : (line: string) => Buffer.byteLength(line) <= byteBudget;
      const clock = new FakeClock();
      const surface = new FakeSurface({ clock, platform: 'mud', limits: { canEdit: false, lineMode: { width, pacingMs: 50, fits } } });
      const pieces = randomPieces(text, rand, pick(rand, [1, 7, 100]));
      const gaps = pieces.map(() => Math.floor(rand() * 80));
      await new StreamRelay({ clock }).pipe(timedDeltas(clock, pieces, (i) => gaps[i]!), surface);

      surface.assertClean(); // width, fits, pacing, control characters
      const lines = surface.lines.map((l) => l.text);
      // Streaming lines are exactly the lines of the complete text: nothing lost, doubled or reordered.
      expect(lines).toEqual(toSurfaceLines(text, surface));
      expect(lines.join('').replace(/\s/g, '')).toBe(markdownToPlain(text).replace(/\s/g, ''));
    });
  }
});
