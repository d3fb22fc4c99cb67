import iconv from 'iconv-lite';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LineDecoder, cleanLine, type LineKind } from '../../adapters/mud/lines.js';

function collect(encoding: string, promptFlushMs = 0) {
  const got: [string, LineKind][] = [];
  const d = new LineDecoder({ encoding, promptFlushMs, onLine: (text, kind) => got.push([text, kind]) });
  return { d, got };
}

const SAMPLES: Record<string, string> = {
  utf8: '你好，世界！ héllo ✓\n第二行\n',
  gbk: '【闲聊】爱丽丝(alice): 你好，今天天气怎么样？\n',
  big5: '繁體中文測試：說話\n',
};

describe('LineDecoder', () => {
  afterEach(() => vi.useRealTimers());

  for (const [encoding, text] of Object.entries(SAMPLES)) {
    it(`${encoding}: multi-byte characters survive a split at every byte`, () => {
      const bytes = iconv.encode(text, encoding);
      const expected = text.split('\n').filter(Boolean).map((l) => [l, 'line']);
      for (let i = 0; i <= bytes.length; i++) {
        const { d, got } = collect(encoding);
        d.push(bytes.subarray(0, i));
        d.push(bytes.subarray(i));
        expect(got, `split at ${i}`).toEqual(expected);
      }
      const { d, got } = collect(encoding);
      for (const x of bytes) d.push(Buffer.from([x]));
      expect(got).toEqual(expected);
    });
  }

  it('handles \\r\\n, Diku \\n\\r and telnet \\r\\0 line ends', () => {
    const { d, got } = collect('utf8');
    d.push(Buffer.from('one\r\ntwo\n\rthree\r\0\nfour\n'));
    expect(got.map(([t]) => t)).toEqual(['one', 'two', 'three', 'four']);
  });

  it('strips ANSI colour, even when the escape is split across packets', () => {
    const { d, got } = collect('utf8');
    const wire = Buffer.from("\x1b[1;35mAlice tells you 'hi'\x1b[0m\n");
    for (let i = 0; i < wire.length; i += 3) d.push(wire.subarray(i, i + 3));
    expect(got).toEqual([["Alice tells you 'hi'", 'line']]);
  });

  it('a prompt ended by GA/EOR is delivered at once, without a newline', () => {
    const { d, got } = collect('utf8');
    d.push(Buffer.from('By what name do you wish to be known? '));
    expect(got).toEqual([]);
    d.markPromptEnd();
    expect(got).toEqual([['By what name do you wish to be known? ', 'prompt']]);
    d.markPromptEnd(); // nothing pending: nothing emitted
    expect(got).toHaveLength(1);
  });

  it('a prompt with no newline and no GA is flushed after the quiet time', () => {
    vi.useFakeTimers();
    const { d, got } = collect('gbk', 200);
    d.push(iconv.encode('您的英文', 'gbk'));
    vi.advanceTimersByTime(150);
    d.push(iconv.encode('名字：', 'gbk')); // more data re-arms the timer
    vi.advanceTimersByTime(150);
    expect(got).toEqual([]);
    vi.advanceTimersByTime(60);
    expect(got).toEqual([['您的英文名字：', 'prompt']]);
    d.dispose();
  });

  it('reset forgets partial text and decoder state', () => {
    const { d, got } = collect('gbk');
    d.push(iconv.encode('半', 'gbk').subarray(0, 1));
    d.push(Buffer.from('partial'));
    d.reset();
    d.push(Buffer.from('fresh\n'));
    expect(got).toEqual([['fresh', 'line']]);
  });

  it('cleanLine removes leftover control characters but keeps text', () => {
    expect(cleanLine('a\x07b\x08c\tᴅ\x1b[31mred\x1b[0m')).toBe('abc ᴅred');
  });
});
