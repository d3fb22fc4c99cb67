import { describe, expect, it } from 'vitest';
import { escapeHtml, markdownToTelegramHtml as render } from '../../src/format/telegram-html.js';
import { parseTelegramHtml } from '../fakes/telegram/html-entities.js';

describe('markdownToTelegramHtml', () => {
  it.each([
    ['**bold** and __bold__', '<b>bold</b> and <b>bold</b>'],
    ['*it* and _it_', '<i>it</i> and <i>it</i>'],
    ['~~gone~~', '<s>gone</s>'],
    ['**bold *inner* bold**', '<b>bold <i>inner</i> bold</b>'],
    ['use `a < b && c`', 'use <code>a &lt; b &amp;&amp; c</code>'],
    ['see [the docs](https://x.io/a?b=1&c="2")', 'see <a href="https://x.io/a?b=1&amp;c=&quot;2&quot;">the docs</a>'],
    ['# Title', '<b>Title</b>'],
    ['> quoted\n> more', '<blockquote>quoted\nmore</blockquote>'],
  ])('renders %j', (md, html) => {
    expect(render(md)).toBe(html);
  });

  it('renders a fenced block with its language and escapes inside it', () => {
    expect(render('```ts\nif (a < b && c > d) {}\n```')).toBe('<pre><code class="language-ts">if (a &lt; b &amp;&amp; c &gt; d) {}</code></pre>');
    expect(render('```\nplain\n```')).toBe('<pre>plain</pre>');
  });

  it('keeps markdown inside code blocks literal', () => {
    expect(render('```\n**not bold**\n```')).toBe('<pre>**not bold**</pre>');
  });

  it('renders an unclosed fence (a cut-off answer) as code to the end', () => {
    expect(render('text\n```py\nx = 1')).toBe('text\n<pre><code class="language-py">x = 1</code></pre>');
  });

  it.each([
    ['2 * 3 = 6', '2 * 3 = 6'],
    ['an *unbalanced marker', 'an *unbalanced marker'],
    ['**half bold', '**half bold'],
    ['snake_case_name and __init__', 'snake_case_name and <b>init</b>'],
    ['* list item', '* list item'],
    ['a ` lone backtick', 'a ` lone backtick'],
  ])('leaves unbalanced or non-emphasis markers literal: %j', (md, html) => {
    expect(render(md)).toBe(html);
  });

  it('does not link unsafe schemes', () => {
    expect(render('[x](javascript:alert(1))')).not.toContain('<a');
  });

  it('escapes < > & in plain text', () => {
    expect(render('a < b & c > d')).toBe('a &lt; b &amp; c &gt; d');
    expect(escapeHtml('<&>')).toBe('&lt;&amp;&gt;');
  });

  it('keeps the visible text of ordinary prose identical to the source', () => {
    const md = 'Hello, world. 1 < 2 & 3 > 2; emails like a_b@c.d stay.';
    const parsed = parseTelegramHtml(render(md));
    expect(parsed.ok && parsed.text).toBe(md);
  });

  // The fake's parser is written independently from Telegram's rules: every input, however
  // broken, must render to HTML it accepts, never longer (visibly) than the markdown.
  it('always produces HTML Telegram accepts, for random markdown soup', () => {
    const alphabet = ['*', '**', '_', '__', '`', '```', '~~', '[', ']', '(', ')', 'https://a.b', '<', '>', '&', '#', '> ', '\n', ' ', 'x', 'yz', '😀', '\\'];
    let seed = 12345;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let k = 0; k < 2000; k++) {
      let md = '';
      const len = 1 + rand(40);
      for (let j = 0; j < len; j++) md += alphabet[rand(alphabet.length)];
      const parsed = parseTelegramHtml(render(md));
      if (!parsed.ok) throw new Error(`rejected ${JSON.stringify(md)} -> ${render(md)}: ${parsed.error}`);
      expect(parsed.text.length).toBeLessThanOrEqual(md.length);
    }
  });
});
