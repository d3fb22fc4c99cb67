import { describe, expect, it } from 'vitest';
import { classifyFile, decodeText, fenceFor, formatTextFile, readTextFile, withTextFiles } from '../../src/conversation/attachments.js';

const utf8 = (s: string) => new TextEncoder().encode(s);

describe('text attachments', () => {
  it('knows text by extension even when the platform says octet-stream, and binary by mime', () => {
    expect(classifyFile('main.rs', 'application/octet-stream')).toBe('text');
    expect(classifyFile('notes.MD', null)).toBe('text');
    expect(classifyFile('data', 'application/json; charset=utf-8')).toBe('text');
    expect(classifyFile('report.pdf', 'application/pdf')).toBe('binary');
    expect(classifyFile('blob.bin', undefined)).toBe('unknown');
  });

  it('reads valid UTF-8 and refuses NUL bytes and invalid UTF-8', () => {
    expect(decodeText(utf8('你好, world'))).toBe('你好, world');
    expect(decodeText(new Uint8Array([0x68, 0x00, 0x69]))).toBeUndefined();
    expect(decodeText(new Uint8Array([0xff, 0xfe, 0x41]))).toBeUndefined();
  });

  it('reads a file of unknown type that turns out to be text; too large or binary says why', () => {
    expect(readTextFile('blob.bin', undefined, utf8('plain'), 100)).toEqual({ name: 'blob.bin', text: 'plain' });
    expect(readTextFile('a.txt', 'text/plain', utf8('x'.repeat(101)), 100)).toEqual({ name: 'a.txt', skipped: 'too_large' });
    expect(readTextFile('blob.bin', undefined, new Uint8Array([1, 0, 2]), 100)).toEqual({ name: 'blob.bin', skipped: 'binary' });
  });

  it('fences content with a fence longer than any backtick run inside it', () => {
    expect(fenceFor('no ticks')).toBe('```');
    const inner = 'before\n````js\ncode\n````\nafter';
    const block = formatTextFile('README.md', inner);
    const fence = fenceFor(inner);
    expect(fence.length).toBe(5);
    expect(block).toBe(`README.md:\n${fence}\n${inner}\n${fence}`);
  });

  it('puts the read files after the user text and returns the others for a note', () => {
    const { text, skipped } = withTextFiles('look at this', [
      { name: 'a.py', text: 'print(1)\n' },
      { name: 'big.log', skipped: 'too_large' },
    ]);
    expect(text).toBe('look at this\n\na.py:\n```\nprint(1)\n```');
    expect(skipped).toEqual([{ name: 'big.log', skipped: 'too_large' }]);
  });
});
