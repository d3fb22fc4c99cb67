// The default platform measure counts code points; its regex pre-check must agree with a plain count.
import { describe, expect, it } from 'vitest';
import { codePointLength } from '../../src/format/split.js';
import { prng } from '../relay/helpers.js';

/** Code points, counted the obvious way (a lone surrogate counts as one). */
const reference = (text: string): number => {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff) n++;
  }
  return n;
};

const PIECES = ['a', ' ', 'é', '中', '😀', '👩‍💻', '\ud800', '\udc00', 'x'.repeat(300), '文'.repeat(50)];

describe('codePointLength', () => {
  it('counts code points, not UTF-16 units: a surrogate pair is one', () => {
    expect(codePointLength('')).toBe(0);
    expect(codePointLength('abc')).toBe(3);
    expect(codePointLength('中文')).toBe(2);
    expect(codePointLength('a😀b')).toBe(3);
  });

  it('agrees with a unit-by-unit count on random text, lone surrogates included', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const rand = prng(seed);
      const n = Math.floor(rand() * 30);
      let text = '';
      for (let i = 0; i < n; i++) text += PIECES[Math.floor(rand() * PIECES.length)]!;
      expect(codePointLength(text), `seed ${seed}`).toBe(reference(text));
    }
  });
});
