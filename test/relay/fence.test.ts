// One fence grammar (src/format/fence.ts, CommonMark): the splitter, markdown -> plain text and
// markdown -> Telegram HTML agree on which lines are code.
import { describe, expect, it } from 'vitest';
import { markdownToTelegramHtml } from '../../src/format/telegram-html.js';
import { markdownToPlain, splitText } from '../../src/relay/index.js';
import { fenceAfter } from '../../src/format/fence.js';
import { PlainLines } from '../../src/format/markdown.js';
import { prng } from './helpers.js';

const ISSUE = 'Example:\n```\nprint(1)\n```python\nx = 2\n```\nafter';

describe('fence grammar', () => {
  it('a fence line with an info string inside an open fence is content, not a close (issue example)', () => {
    expect(markdownToTelegramHtml(ISSUE)).toBe('Example:\n<pre>print(1)\n```python\nx = 2</pre>\nafter');
    expect(markdownToPlain(ISSUE)).toBe('Example:\nprint(1)\n```python\nx = 2\nafter');
    expect(fenceAfter(null, ISSUE)).toBeNull();
    expect(splitText(ISSUE, 30)).toEqual(['Example:\n```\nprint(1)\n```', '```\n```python\nx = 2\n```\nafter']);
  });

  it('closes only on the same character, at least as long, with nothing but blanks after it', () => {
    expect(markdownToTelegramHtml('~~~~\na\n~~~\n```\nb\n~~~~  \nc')).toBe('<pre>a\n~~~\n```\nb</pre>\nc');
    expect(markdownToPlain('~~~~\na\n~~~\n```\nb\n~~~~  \nc')).toBe('a\n~~~\n```\nb\nc');
  });

  it('takes the language from the first word of the info string, and opens with any info string', () => {
    expect(markdownToTelegramHtml('```python title="x.py"\nx = 1\n```')).toBe('<pre><code class="language-python">x = 1</code></pre>');
  });

  it('a backtick info string with a backtick is inline code, a fence indented 4 spaces is none', () => {
    expect(markdownToTelegramHtml('```a```\nb')).toBe('<code>a</code>\nb');
    expect(fenceAfter(null, '    ```\nb')).toBeNull();
    expect(markdownToPlain('    ```\nb')).toBe('    ```\nb');
  });

  it('content lines lose the opening fence indentation, no more', () => {
    expect(markdownToTelegramHtml('  ```\n    x\n y\n  ```')).toBe('<pre>  x\ny</pre>');
    expect(markdownToPlain('  ```\n    x\n y\n  ```')).toBe('  x\ny');
  });
});

const FENCES = ['```', '````', '~~~', '~~~~', '   ```', '    ```'];
const INFOS = ['', 'python', ' ts', 'py title=x', '  '];

/** Random markdown where every line carries a unique id word (fence lines in their info string). */
function randomDoc(rand: () => number): { lines: string[]; ids: string[] } {
  const lines: string[] = [];
  const ids: string[] = [];
  const n = 3 + Math.floor(rand() * 25);
  for (let i = 0; i < n; i++) {
    const id = `w${i}z`;
    const r = rand();
    if (r < 0.35) {
      const fence = FENCES[Math.floor(rand() * FENCES.length)]!;
      const info = INFOS[Math.floor(rand() * INFOS.length)]!;
      if (rand() < 0.5 || info.trim() === '') {
        lines.push(fence + info); // a possible closing fence: no id can ride on it
        ids.push('');
        continue;
      }
      lines.push(`${fence}${info} ${id}`);
    } else {
      lines.push(`${rand() < 0.2 ? '# ' : ''}text ${id}`);
    }
    ids.push(id);
  }
  return { lines, ids };
}

/** Per line id: code by the splitter's fence state, by PlainLines, by the Telegram HTML. */
function codeLinesPerRenderer(lines: string[], ids: string[]) {
  const splitter: string[] = [];
  let open = null as ReturnType<typeof fenceAfter>;
  for (let i = 0; i < lines.length; i++) {
    const after = fenceAfter(open, lines[i]!);
    if (open && after && ids[i]) splitter.push(ids[i]!);
    open = after;
  }
  const plain: string[] = [];
  const reader = new PlainLines();
  for (let i = 0; i < lines.length; i++) {
    const before = reader.inCode;
    reader.push(lines[i]!);
    if (before && reader.inCode && ids[i]) plain.push(ids[i]!);
  }
  const html = markdownToTelegramHtml(lines.join('\n'));
  const inPre = [...html.matchAll(/<pre>([\s\S]*?)<\/pre>/g)].map((m) => m[1]!).join('\n');
  const telegram = ids.filter((id) => id && inPre.includes(id));
  return { splitter, plain, telegram };
}

describe('property: all renderers agree on which lines are code', () => {
  for (let seed = 1; seed <= 60; seed++) {
    it(`seed ${seed}`, () => {
      const { lines, ids } = randomDoc(prng(300 + seed));
      const { splitter, plain, telegram } = codeLinesPerRenderer(lines, ids);
      expect(plain).toEqual(splitter);
      expect(telegram).toEqual(splitter);
    });
  }
});
