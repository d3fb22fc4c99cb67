// Line breaking in CJK text: closing punctuation never starts a line or a message, opening
// punctuation never ends one (UAX #14 / kinsoku basics), in the wrapper and the splitter.
import { describe, expect, it } from 'vitest';
import { splitText, wrapLine } from '../../src/relay/index.js';
import { prng } from './helpers.js';

const CLOSING = [...'，。、：；！？）」』】》〉”’ー'];
const OPENING = [...'（「『【《〈“‘'];
const IDEOGRAPHS = [...'一二三四五六七八九十中文回答很长的句子テスト한국어'];

const startsBadly = (text: string) => CLOSING.includes(text[0]!);
const endsBadly = (text: string) => OPENING.includes(text[text.length - 1]!);

/** CJK text with punctuation around single characters, so no unbreakable run is wider than 6 columns. */
function cjkText(rand: () => number, n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) {
    const open = rand() < 0.15;
    if (open) out += OPENING[Math.floor(rand() * OPENING.length)];
    out += IDEOGRAPHS[Math.floor(rand() * IDEOGRAPHS.length)];
    if (!open && rand() < 0.3) out += CLOSING[Math.floor(rand() * CLOSING.length)];
  }
  return out;
}

describe('wrapLine: kinsoku', () => {
  it('never starts a line with a comma or a full stop (issue: 一二三四，五六。 at 8 columns)', () => {
    expect(wrapLine('一二三四，五六。', 8)).toEqual(['一二三', '四，五', '六。']);
  });

  it('never ends a line with an opening bracket, nor starts one with a closing bracket', () => {
    expect(wrapLine('他说「你好」。', 6)).toEqual(['他说', '「你', '好」。']);
    expect(wrapLine('中文(注)', 6)).toEqual(['中文', '(注)']);
  });

  it('still breaks at spaces and between plain ideographs', () => {
    expect(wrapLine('一二三四五六七', 6)).toEqual(['一二三', '四五六', '七']);
    expect(wrapLine('hello, world', 6)).toEqual(['hello,', 'world']);
  });

  for (let seed = 1; seed <= 20; seed++) {
    it(`property: seed ${seed}`, () => {
      const rand = prng(500 + seed);
      const text = cjkText(rand, 20 + Math.floor(rand() * 200));
      const width = 8 + Math.floor(rand() * 40);
      const lines = wrapLine(text, width);
      expect(lines.join('')).toBe(text);
      for (const line of lines.slice(1)) expect(startsBadly(line), line).toBe(false);
      for (const line of lines.slice(0, -1)) expect(endsBadly(line), line).toBe(false);
    });
  }
});

describe('splitText: kinsoku at the cut', () => {
  it('moves the cut before the character a comma follows', () => {
    expect(splitText('一二三四，五六七八', 4)).toEqual(['一二三', '四，五六', '七八']);
  });

  it('keeps an opening bracket with what it opens', () => {
    expect(splitText('一二三「四五六」', 4)).toEqual(['一二三', '「四五', '六」']);
  });

  for (let seed = 1; seed <= 20; seed++) {
    it(`property: seed ${seed}`, () => {
      const rand = prng(900 + seed);
      const text = cjkText(rand, 20 + Math.floor(rand() * 300));
      const chunks = splitText(text, 8 + Math.floor(rand() * 60));
      expect(chunks.join('')).toBe(text);
      for (const chunk of chunks.slice(1)) expect(startsBadly(chunk), chunk).toBe(false);
      for (const chunk of chunks.slice(0, -1)) expect(endsBadly(chunk), chunk).toBe(false);
    });
  }
});
