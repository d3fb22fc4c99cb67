import { describe, expect, it } from 'vitest';
import { splitText, codePointLength } from '../../src/relay/index.js';
import { nextSplit, SPLIT_LOOKAHEAD } from '../../src/format/split.js';
import { normalizeForComparison } from './fake-surface.js';

describe('splitText', () => {
  it('keeps a text that fits as one chunk (trailing blanks dropped)', () => {
    expect(splitText('hello world\n\n', 20)).toEqual(['hello world']);
    expect(splitText('', 20)).toEqual([]);
    expect(splitText('  \n ', 20)).toEqual([]);
  });

  it('closes a code fence the text leaves open (an answer cut by max_tokens), within the limit', () => {
    expect(splitText('Here:\n```py\nprint(1)', 100)).toEqual(['Here:\n```py\nprint(1)\n```']);
    // Exactly at the limit without the closing line: the closing line must still fit.
    const text = 'x'.repeat(10) + '\n```\n' + 'y'.repeat(10);
    const chunks = splitText(text, text.length + 2);
    for (const c of chunks) expect(c.length).toBeLessThanOrEqual(text.length + 2);
    expect(chunks.at(-1)!.endsWith('\n```')).toBe(true);
    expect(normalizeForComparison(chunks.join('\n'))).toBe(normalizeForComparison(text));
  });

  it('prefers a paragraph boundary over a later line, sentence or word boundary', () => {
    const text = 'a'.repeat(30) + '\n\n' + 'b'.repeat(10) + '\nccc. ddd eee fff';
    expect(splitText(text, 50)).toEqual(['a'.repeat(30), 'b'.repeat(10) + '\nccc. ddd eee fff']);
  });

  it('then a line, then a sentence end, then a word', () => {
    expect(splitText('aaaa aaaa\nbbbb bbbb cccc', 15)).toEqual(['aaaa aaaa', 'bbbb bbbb cccc']);
    expect(splitText('One two three. Four five six seven', 22)).toEqual(['One two three.', 'Four five six seven']);
    expect(splitText('one two three four five six', 12)).toEqual(['one two', 'three four', 'five six']);
  });

  it('a boundary in the first half is passed over for a later weaker one', () => {
    const text = 'ab\n\n' + 'word '.repeat(10);
    const chunks = splitText(text, 30);
    expect(chunks[0]!.length).toBeGreaterThan(15);
  });

  it('hard-cuts a word longer than the limit', () => {
    expect(splitText('x'.repeat(25), 10)).toEqual(['x'.repeat(10), 'x'.repeat(10), 'x'.repeat(5)]);
  });

  it('closes a fence at the cut and reopens it with the language tag', () => {
    const code = Array.from({ length: 10 }, (_, i) => `line${i}()`).join('\n');
    const text = `Intro\n\`\`\`rust\n${code}\n\`\`\`\nOutro`;
    const chunks = splitText(text, 60);
    expect(chunks.length).toBeGreaterThanOrEqual(2);
    for (const c of chunks) {
      expect(codePointLength(c)).toBeLessThanOrEqual(60);
      expect(c.split('\n').filter((l) => l.startsWith('```')).length % 2).toBe(0);
    }
    expect(chunks[1]!.startsWith('```rust\n')).toBe(true);
    expect(normalizeForComparison(chunks.join('\n'))).toBe(normalizeForComparison(text));
  });

  it('keeps code indentation in a reopened chunk', () => {
    const code = Array.from({ length: 8 }, (_, i) => `    indented${i}`).join('\n');
    const chunks = splitText('```\n' + code + '\n```', 50);
    expect(chunks[1]).toMatch(/^```\n {4}indented/);
  });

  it('tilde fences and longer backtick fences close with their own marker', () => {
    const chunks = splitText('~~~py\n' + 'x = 1\n'.repeat(10) + '~~~', 30);
    expect(chunks[0]!.endsWith('\n~~~')).toBe(true);
    expect(chunks[1]!.startsWith('~~~py\n')).toBe(true);
  });

  it('never cuts a surrogate pair or a ZWJ emoji sequence', () => {
    const text = 'a' + '👨‍👩‍👧'.repeat(5);
    const chunks = splitText(text, 9);
    expect(chunks.join('')).toBe(text);
    for (const c of chunks) expect(c.startsWith('\u200d')).toBe(false);
    for (const c of chunks) expect(/[\uD800-\uDBFF]$/.test(c)).toBe(false);
  });

  it('measures with the given function (Telegram counts UTF-16 units)', () => {
    const text = '😀'.repeat(10);
    expect(splitText(text, 10, (s) => s.length)).toEqual(['😀'.repeat(5), '😀'.repeat(5)]);
    expect(splitText(text, 10)).toEqual([text]);
  });

  it('is deterministic', () => {
    const text = 'Lorem ipsum dolor sit amet. '.repeat(50);
    expect(splitText(text, 100)).toEqual(splitText(text, 100));
  });
});

describe('nextSplit (the streaming step)', () => {
  it('waits for lookahead before deciding a split on a live stream', () => {
    const rest = 'word '.repeat(4) + 'wor'; // 23 chars, limit 20
    expect(nextSplit(rest, null, 20, codePointLength, false)).toBeUndefined();
    // Decided once SPLIT_LOOKAHEAD characters past the room (20) arrived.
    const seen = (rest + 'd more'.padEnd(SPLIT_LOOKAHEAD, ' and')).slice(0, 20 + SPLIT_LOOKAHEAD);
    expect(nextSplit(seen.slice(0, -1), null, 20, codePointLength, false)).toBeUndefined();
    expect(nextSplit(seen, null, 20, codePointLength, false)).toBeDefined();
  });

  it('never splits while the text (without trailing blanks) still fits', () => {
    expect(nextSplit('short text          ', null, 12, codePointLength, false)).toBeUndefined();
  });
});
