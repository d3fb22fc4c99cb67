// The console's streaming word wrapper on its own: chunk boundaries inside words, CJK text,
// tokens longer than a line, indentation and explicit newlines.
import { describe, expect, it, vi } from 'vitest';
import { WordWrapper } from '../../adapters/console/word-wrap.js';
import { displayWidth } from '../../src/format/width.js';
import { prng } from '../relay/helpers.js';

function wrapInChunks(text: string, cols: number, chunk: number): string {
  const w = new WordWrapper(() => cols);
  let out = '';
  for (let i = 0; i < text.length; i += chunk) out += w.write(text.slice(i, i + chunk));
  return out + w.flush();
}

describe('WordWrapper', () => {
  it('breaks between words whatever the chunk boundaries', () => {
    const text = 'the quick brown fox jumps over the lazy dog and keeps running far away';
    const whole = wrapInChunks(text, 20, text.length);
    for (const chunk of [1, 3, 7]) expect(wrapInChunks(text, 20, chunk)).toBe(whole);
    const lines = whole.split('\n');
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(20);
    expect(lines.join(' ')).toBe(text);
  });

  it('holds a word until it is complete', () => {
    const w = new WordWrapper(() => 80);
    expect(w.write('hel')).toBe('');
    expect(w.write('lo wor')).toBe('hello');
    expect(w.flush()).toBe(' wor');
  });

  it('breaks CJK text between characters at two columns each', () => {
    const text = '这是一个很长的中文句子没有空格但是终端需要在宽度处换行';
    const lines = wrapInChunks(text, 10, 4).split('\n');
    for (const l of lines) expect(displayWidth(l)).toBeLessThanOrEqual(10);
    expect(lines.join('')).toBe(text);
  });

  it('cuts a token longer than a line, keeps newlines and indentation, and passes through with no width', () => {
    const url = `https://example.com/${'x'.repeat(30)}`;
    const lines = wrapInChunks(`see ${url} ok`, 16, 5).split('\n');
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(16);
    expect(lines.join('')).toContain(url);
    expect(wrapInChunks('a\n    indented', 40, 3)).toBe('a\n    indented');
    expect(new WordWrapper(() => undefined).write('no wrap at all here')).toBe('no wrap at all here');
  });

  it('prints a token longer than a line as it arrives, line by line, instead of holding all of it', () => {
    const w = new WordWrapper(() => 10);
    expect(w.write('ab ')).toBe('ab');
    // Longer than a line: it starts on the next line whatever follows, and full lines print now.
    expect(w.write('x'.repeat(25))).toBe(`\n${'x'.repeat(10)}\n${'x'.repeat(10)}\n${'x'.repeat(5)}`);
    expect(w.write('y'.repeat(7))).toBe(`${'y'.repeat(5)}\n${'y'.repeat(2)}`);
    expect(w.write(' ok')).toBe('');
    expect(w.flush()).toBe(' ok');
  });

  it('wraps streamed text exactly as the whole text, wherever the chunks end (random text, long tokens among it)', () => {
    const pieces = ['a', 'word', ' ', '  ', '\n', '\t', '中', '文字', '😀', 'e\u0301', 'x'.repeat(50), '。', '「', `https://e.x/${'y'.repeat(30)}`];
    for (let seed = 1; seed <= 300; seed++) {
      const rand = prng(seed);
      let text = '';
      for (let n = Math.floor(rand() * 30); n > 0; n--) text += pieces[Math.floor(rand() * pieces.length)]!;
      const cols = 2 + Math.floor(rand() * 30);
      // Chunks end between code points, as the relay's text does.
      const points = [...text];
      const whole = new WordWrapper(() => cols);
      const expected = whole.write(text) + whole.flush();
      const chunked = new WordWrapper(() => cols);
      let out = '';
      for (let i = 0; i < points.length; ) {
        const size = 1 + Math.floor(rand() * 12);
        out += chunked.write(points.slice(i, i + size).join(''));
        i += size;
      }
      expect(out + chunked.flush(), `seed ${seed}`).toBe(expected);
      for (const line of expected.split('\n')) if ([...line].length > 1) expect(displayWidth(line), `seed ${seed}`).toBeLessThanOrEqual(cols);
    }
  });
});


/**
 * The wrapping rule applied one word at a time to a whole text of printable ASCII: a word goes on
 * the current line with the spaces before it if it fits (or the line is empty), else on the next
 * line; a word longer than the rest of its line is cut where each line ends; trailing spaces are
 * never printed. The wrapper places whole lines of prose in one slice; this pins it to the rule.
 */
function wrapWordByWord(text: string, cols: number): string {
  let out = '';
  let column = 0;
  for (const [, gap, word] of text.matchAll(/( *)([^ ]+)/g)) {
    if (column > 0 && column + gap!.length + word!.length > cols) {
      out += '\n';
      column = 0;
    } else {
      out += gap;
      column += gap!.length;
    }
    for (let from = 0; ; ) {
      const room = Math.max(0, cols - column);
      if (word!.length - from <= room) {
        out += word!.slice(from);
        column += word!.length - from;
        break;
      }
      out += `${word!.slice(from, from + room)}\n`;
      from += room;
      column = 0;
    }
  }
  return out;
}

describe('WordWrapper on printable ASCII', () => {
  it('places streamed prose exactly as word-by-word wrapping would (random words, gaps, widths and chunks)', () => {
    const letters = 'abcdefghijklmnopqrstuvwxyz'.repeat(4);
    for (let seed = 1; seed <= 2000; seed++) {
      const rand = prng(seed);
      const cols = 2 + Math.floor(rand() * 40);
      let text = ' '.repeat(Math.floor(rand() * 3));
      for (let n = Math.floor(rand() * 60); n > 0; n--) {
        // Mostly short words and single spaces, some runs of spaces and words longer than a line.
        text += letters.slice(0, 1 + Math.floor(rand() * rand() * (2 * cols + 5)));
        text += ' '.repeat(1 + Math.floor(rand() * rand() * 4));
      }
      const w = new WordWrapper(() => cols);
      let out = '';
      for (let i = 0; i < text.length; ) {
        // Small chunks split words across writes; large ones give the line-at-a-time path room.
        const size = 1 + Math.floor(rand() * (rand() < 0.5 ? 8 : 300));
        out += w.write(text.slice(i, i + size));
        i += size;
      }
      expect(out + w.flush(), `seed ${seed} cols ${cols}`).toBe(wrapWordByWord(text, cols));
    }
  });
});

describe('WordWrapper on multi-line answers', () => {
  it('wraps each line on its own, prints CR LF as LF, and breaks around curly quotes and CJK as within ASCII', () => {
    const w = new WordWrapper(() => 12);
    const out = w.write('one two three four\r\n“quoted words” here\n中文字中文字中文字 and more\n\n  end') + w.flush();
    expect(out).toBe('one two\nthree four\n“quoted\nwords” here\n中文字中文字\n中文字 and\nmore\n\n  end');
  });

  it('never calls the grapheme segmenter for lines of plain prose, curly quotes or CJK', () => {
    // A line end is a control character: the cursor would segment a window around each one.
    const segment = vi.spyOn(Intl.Segmenter.prototype, 'segment');
    try {
      const w = new WordWrapper(() => 80);
      const line = `${'word '.repeat(30)}it’s — “fine”, 中文字。\r\n`;
      w.write(line.repeat(200));
      w.flush();
      expect(segment).not.toHaveBeenCalled();
      // An emoji still takes the cursor (its clusters can join several code points).
      w.write('ok 👍\n');
      expect(segment).toHaveBeenCalled();
    } finally {
      segment.mockRestore();
    }
  });
});
