// The ASCII fast path of wrapLine wraps exactly as the general grapheme walk does.
import { describe, expect, it } from 'vitest';
import { wrapLine } from '../../src/format/wrap.js';
import { prng } from '../relay/helpers.js';

const WORDS = ['a', 'word', 'x', 'longerword', 'supercalifragilisticexpialidocious', 'y'.repeat(90), '(a)', 'end.'];

describe('wrapLine ASCII fast path', () => {
  it('matches the general walk on random ASCII lines (é stands in for x there: same width, not ASCII)', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const rand = prng(seed);
      const parts: string[] = [];
      const n = Math.floor(rand() * 40);
      for (let i = 0; i < n; i++) parts.push(' '.repeat(Math.floor(rand() * 3)), WORDS[Math.floor(rand() * WORDS.length)]!);
      const text = parts.join('').replace(/x/g, rand() < 0.5 ? 'x' : 'xx');
      const width = 1 + Math.floor(rand() * 80);
      const general = wrapLine(text.replace(/x/g, 'é'), width).map((l) => l.replace(/é/g, 'x'));
      expect(wrapLine(text, width), `seed ${seed}`).toEqual(general);
    }
  });

  it('falls back to the general walk when a budget refuses a line', () => {
    const fits = (line: string) => line.length <= 5;
    expect(wrapLine('abc defgh ij', 20, fits)).toEqual(['abc', 'defgh', 'ij']);
  });
});
