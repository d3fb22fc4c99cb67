// The one block + inline parser both renderers walk: what it recognises, and that plain text and
// Telegram HTML read the same markdown the same way.
import { describe, expect, it } from 'vitest';
import { parseBlocks } from '../../src/format/blocks.js';
import { parseInline } from '../../src/format/inline.js';
import { markdownToPlain } from '../../src/format/markdown.js';
import { markdownToTelegramHtml } from '../../src/format/telegram-html.js';

describe('inline parser', () => {
  it('parses code, links, urls and nested styles into one tree', () => {
    expect(parseInline('**a _b_** `c*` [d](https://e.x) <https://f.x> ||g|| ~~h~~')).toEqual([
      { kind: 'style', style: 'bold', children: [{ kind: 'text', text: 'a ' }, { kind: 'style', style: 'italic', children: [{ kind: 'text', text: 'b' }] }] },
      { kind: 'text', text: ' ' },
      { kind: 'code', text: 'c*' },
      { kind: 'text', text: ' ' },
      { kind: 'link', url: 'https://e.x', children: [{ kind: 'text', text: 'd' }], source: '[d](https://e.x)' },
      { kind: 'text', text: ' ' },
      { kind: 'url', url: 'https://f.x', bracketed: true },
      { kind: 'text', text: ' ' },
      { kind: 'style', style: 'spoiler', children: [{ kind: 'text', text: 'g' }] },
      { kind: 'text', text: ' ' },
      { kind: 'style', style: 'strike', children: [{ kind: 'text', text: 'h' }] },
    ]);
  });

  it('keeps a bare URL whole (no emphasis inside it) and backslash escapes literal', () => {
    expect(parseInline('at https://a.io/*x*_y_ \\*no\\*')).toEqual([
      { kind: 'text', text: 'at ' },
      { kind: 'url', url: 'https://a.io/*x*_y_', bracketed: false },
      { kind: 'text', text: ' *no*' },
    ]);
  });

  it('closes a code span only on a run of the same length', () => {
    expect(parseInline('``a`b`` `x')).toEqual([
      { kind: 'code', text: 'a`b' },
      { kind: 'text', text: ' `x' },
    ]);
  });
});

describe('block parser', () => {
  it('classifies each line, fences by the one fence grammar', () => {
    const kinds = parseBlocks('# T\n- [x] a\n> q\n```ts\n  x\n```\n---\n| a | b |\n|---|---|\n\ntext').map((b) => b.kind);
    expect(kinds).toEqual(['heading', 'item', 'quote', 'fence-open', 'code', 'fence-close', 'rule', 'table-row', 'table-divider', 'blank', 'paragraph']);
  });

  it('tracks an expandable quote to its `||` and starts a plain quote after it', () => {
    const quotes = parseBlocks('**>a\n>b||\n>c').map((b) => (b.kind === 'quote' ? [b.text, b.expandable, b.start] : b.kind));
    expect(quotes).toEqual([
      ['a', true, true],
      ['b', true, false],
      ['c', false, false],
    ]);
    expect(markdownToTelegramHtml('**>a\n>b||\n>c')).toBe('<blockquote expandable>a\nb</blockquote>\n<blockquote>c</blockquote>');
  });
});

describe('renderers agree', () => {
  it('spoilers: hidden on Telegram, plain text elsewhere', () => {
    expect(markdownToTelegramHtml('a ||secret|| b')).toBe('a <tg-spoiler>secret</tg-spoiler> b');
    expect(markdownToPlain('a ||secret|| b')).toBe('a secret b');
  });

  it('a bare URL with underscores and stars is the same URL in both', () => {
    const md = 'go to https://a.io/*x*_y_ now';
    expect(markdownToPlain(md)).toBe(md);
    expect(markdownToTelegramHtml(md)).toBe(md);
  });

  it('escapes: the backslash goes in both', () => {
    expect(markdownToPlain('\\*not italic\\*')).toBe('*not italic*');
    expect(markdownToTelegramHtml('\\*not italic\\*')).toBe('*not italic*');
  });
});
