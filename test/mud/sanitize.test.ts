import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { encodedLength, sanitizeLine } from '../../adapters/mud/sanitize.js';

const utf8 = { encoding: 'utf8', commandSeparators: [';'] };

describe('sanitizeLine', () => {
  it('turns newlines and carriage returns into spaces: "\\nquit" cannot become a command', () => {
    expect(sanitizeLine('hello\nquit', utf8)).toBe('hello quit');
    expect(sanitizeLine('a\r\ndrop all\rb', utf8)).toBe('a drop all b');
    expect(sanitizeLine('x\u2028y\u2029z', utf8)).toBe('x y z');
  });

  it('removes command separators', () => {
    expect(sanitizeLine('ok;drop all;quit', utf8)).toBe('ok drop all quit');
    expect(sanitizeLine('a|b&&c', { encoding: 'utf8', commandSeparators: ['|', '&&'] })).toBe('a b c');
  });

  it('removes ANSI escapes, NUL and other control characters', () => {
    expect(sanitizeLine('\x1b[31mred\x1b[0m \x1b]0;title\x07x\0y\x7f\x9bz', utf8)).toBe('red x y z');
    expect(sanitizeLine('\x1b', utf8)).toBe('');
  });

  it('never lets a 0xFF (IAC) byte through in any encoding', () => {
    for (const encoding of ['latin1', 'utf8', 'gbk', 'big5']) {
      const out = sanitizeLine('ÿes ÿ 你好 \u00ff', { encoding, commandSeparators: [] });
      expect([...iconv.encode(out, encoding)], encoding).not.toContain(0xff);
    }
    expect(sanitizeLine('ÿes', { encoding: 'latin1', commandSeparators: [] })).toBe('es');
    // In UTF-8 'ÿ' is 0xC3 0xBF: harmless, kept.
    expect(sanitizeLine('ÿes', utf8)).toBe('ÿes');
  });

  it('keeps Chinese text and collapses spaces', () => {
    expect(sanitizeLine('  你好，  世界  ', { encoding: 'gbk', commandSeparators: [';'] })).toBe('你好， 世界');
  });

  it('measures encoded bytes', () => {
    expect(encodedLength('你好', 'gbk')).toBe(4);
    expect(encodedLength('你好', 'utf8')).toBe(6);
  });
});
