import { describe, expect, it } from 'vitest';
import { displayWidth, markdownToPlain, wrapLine } from '../../src/relay/index.js';

describe('displayWidth', () => {
  it('counts ASCII 1, CJK and full-width 2, combining marks 0, emoji 2', () => {
    expect(displayWidth('hello')).toBe(5);
    expect(displayWidth('中文')).toBe(4);
    expect(displayWidth('ｆｕｌｌ')).toBe(8);
    expect(displayWidth('한국어')).toBe(6);
    expect(displayWidth('e\u0301')).toBe(1);
    expect(displayWidth('😀')).toBe(2);
    expect(displayWidth('👩‍💻')).toBe(2);
    expect(displayWidth('🇫🇷')).toBe(2);
    expect(displayWidth('❤️')).toBe(2);
    expect(displayWidth('、。')).toBe(4);
  });
});

describe('wrapLine', () => {
  it('breaks Latin text at spaces', () => {
    expect(wrapLine('the quick brown fox jumps', 10)).toEqual(['the quick', 'brown fox', 'jumps']);
  });

  it('breaks CJK text between any two characters, by columns', () => {
    expect(wrapLine('一二三四五六七', 6)).toEqual(['一二三', '四五六', '七']);
    expect(wrapLine('ab一二三', 5)).toEqual(['ab一', '二三']);
  });

  it('cuts an over-long word between graphemes, never inside a surrogate pair', () => {
    expect(wrapLine('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
    const lines = wrapLine('😀😀😀😀😀', 5);
    expect(lines).toEqual(['😀😀', '😀😀', '😀']);
  });

  it('honours fits() on top of the width', () => {
    const fits = (l: string) => Buffer.byteLength(l) <= 6;
    expect(wrapLine('中文中文', 80, fits)).toEqual(['中文', '中文']);
  });

  it('keeps the first line indentation (code) and drops spaces at wraps', () => {
    expect(wrapLine('    if x: y z', 9)).toEqual(['    if x:', 'y z']);
  });

  it('a grapheme wider than the line still goes out alone', () => {
    expect(wrapLine('中', 1)).toEqual(['中']);
  });
});

describe('markdownToPlain', () => {
  it('drops emphasis and heading markers, spells out links', () => {
    expect(markdownToPlain('## Hello **big** _world_ and *you*')).toBe('Hello big world and you');
    expect(markdownToPlain('See [the docs](https://x.io/a_b) or <https://y.io>.')).toBe('See the docs (https://x.io/a_b) or https://y.io.');
    expect(markdownToPlain('![cat](https://c.at/1.png)')).toBe('cat (https://c.at/1.png)');
  });

  it('keeps snake_case words and URL underscores', () => {
    expect(markdownToPlain('call my_func_name at https://a.io/x_y_z')).toBe('call my_func_name at https://a.io/x_y_z');
  });

  it('turns list markers into "- " and keeps numbers', () => {
    expect(markdownToPlain('* a\n+ b\n  - nested\n1. first')).toBe('- a\n- b\n  - nested\n1. first');
  });

  it('keeps code text, drops fences, no markup inside code', () => {
    expect(markdownToPlain('Run `npm **test**`:\n```sh\nnpm   run *x*\n```')).toBe('Run npm **test**:\nnpm   run *x*');
  });

  it('collapses blank lines and drops rules, quotes markers and table dividers', () => {
    expect(markdownToPlain('\n\na\n\n\n\nb\n---\n> quoted\n\n| x | y |\n|---|---|\n| 1 | 2 |\n\n')).toBe('a\n\nb\n\nquoted\n\nx | y\n1 | 2');
  });

  it('never leaves control characters inside a line', () => {
    const plain = markdownToPlain('a\tb\x1b[1mc\r\nd\u2028e\x00');
    for (const line of plain.split('\n')) expect(line).not.toMatch(/[\x00-\x1f\x7f-\x9f\u2028\u2029]/);
    expect(plain).toBe('a    bc\nde');
  });
});
