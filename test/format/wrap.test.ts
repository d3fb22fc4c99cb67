// The fast paths of wrapLine (ASCII, and simple text: Latin, CJK, kana) wrap exactly as the
// general grapheme walk does.
import { describe, expect, it } from 'vitest';
import { wrapByGraphemes, wrapLine } from '../../src/format/wrap.js';
import { isSimpleText } from '../../src/format/width.js';
import { prng } from '../relay/helpers.js';

const WORDS = ['a', 'word', 'x', 'longerword', 'supercalifragilisticexpialidocious', 'y'.repeat(90), '(a)', 'end.'];

describe('wrapLine ASCII fast path', () => {
  it('matches the general walk on random ASCII lines', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const rand = prng(seed);
      const parts: string[] = [];
      const n = Math.floor(rand() * 40);
      for (let i = 0; i < n; i++) parts.push(' '.repeat(Math.floor(rand() * 3)), WORDS[Math.floor(rand() * WORDS.length)]!);
      const text = parts.join('').replace(/x/g, rand() < 0.5 ? 'x' : 'xx');
      const width = 1 + Math.floor(rand() * 80);
      const general = wrapByGraphemes(text, width);
      expect(wrapLine(text, width), `seed ${seed}`).toEqual(general);
    }
  });

  it('matches the general walk with long runs of spaces, leading and trailing (a line ends by searching back from its width)', () => {
    for (let seed = 1; seed <= 1000; seed++) {
      const rand = prng(seed);
      let text = ' '.repeat(Math.floor(rand() * 4));
      const n = Math.floor(rand() * 30);
      for (let i = 0; i < n; i++) text += WORDS[Math.floor(rand() * WORDS.length)]! + ' '.repeat(1 + Math.floor(rand() * (rand() < 0.2 ? 8 : 2)));
      if (rand() < 0.5) text = text.trimEnd();
      const width = 1 + Math.floor(rand() * (rand() < 0.5 ? 12 : 80));
      expect(wrapLine(text, width), `seed ${seed}: ${JSON.stringify(text)} at ${width}`).toEqual(wrapByGraphemes(text, width));
    }
  });

  it('falls back to the general walk when a budget refuses a line', () => {
    const fits = (line: string) => line.length <= 5;
    expect(wrapLine('abc defgh ij', 20, fits)).toEqual(['abc', 'defgh', 'ij']);
  });
});

/** Simple code units (each a grapheme of its own) mixed the way chat text mixes them: words, CJK runs, kinsoku punctuation. */
const SIMPLE_PIECES = ['a', 'word', 'é', 'naïve', '中', '中文字', '回答。', '「引用」', '（注）', 'x'.repeat(30), '文'.repeat(45), 'ー', '、', '(a)', '„x“', 'ab。', '1.5%'];

describe('wrapLine simple-text fast path', () => {
  it('matches the general walk on random lines of Latin, CJK and kinsoku punctuation', () => {
    for (let seed = 1; seed <= 500; seed++) {
      const rand = prng(seed);
      const parts: string[] = [];
      const n = Math.floor(rand() * 40);
      for (let i = 0; i < n; i++) parts.push(' '.repeat(Math.floor(rand() * 2.5)), SIMPLE_PIECES[Math.floor(rand() * SIMPLE_PIECES.length)]!);
      const text = parts.join('');
      expect(isSimpleText(text), `seed ${seed}`).toBe(true);
      const width = 1 + Math.floor(rand() * 40);
      const fits = rand() < 0.3 ? (line: string) => Buffer.byteLength(line) <= 60 : undefined;
      expect(wrapLine(text, width, fits), `seed ${seed}: ${JSON.stringify(text)} at ${width}`).toEqual(wrapByGraphemes(text, width, fits));
    }
  });

  it('cuts a long CJK run into full lines, two columns a character', () => {
    expect(wrapLine('中文字'.repeat(3), 4)).toEqual(['中文', '字中', '文字', '中文', '字']);
  });
});
