// Random markdown (seeded, so a failure names its seed) through the format layer: a split never
// breaks a fence or an entity, rendered chunks stay within the platform's limit, the plain and
// HTML renderers agree on which lines are code, and a stream parses as the whole text does.
import { describe, expect, it } from 'vitest';
import { BlockStream, parseBlocks } from '../../src/format/blocks.js';
import { fenceAfter, type Fence } from '../../src/format/fence.js';
import { inlineSpans } from '../../src/format/inline.js';
import { markdownToPlain } from '../../src/format/markdown.js';
import { nextSplit, skipLeadingWhitespace, splitText, SPLIT_LOOKAHEAD, type Measure } from '../../src/format/split.js';
import { markdownToTelegramHtml } from '../../src/format/telegram-html.js';
import { parseTelegramHtml } from '../fakes/telegram/html-entities.js';
import { prng, randomPieces } from '../relay/helpers.js';

const CASES = 100;
const WORDS = ['the', 'model', 'writes', 'x', 'a.b', 'snake_case', '2*3', 'a<b', '&amp', '中文', '回答。', '😀', '👩‍💻', 'e\u0301', '[', '`', '*', '||'];
const ENTITIES = ['**bold words**', '_it_', '*it too*', '~~gone~~', '||hidden bit||', '`code span`', '[a link](https://e.x/a_b)', '<https://y.io>', 'https://z.io/p_q', '**b _nested_ b**'];
const FENCES = ['```', '```ts', '~~~', '````', '  ```py', '~~~~ sh'];
const PREFIXES = ['', '', '', '# ', '- ', '* ', '1. ', '> ', '**>', '| '];

function pick<T>(rand: () => number, list: readonly T[]): T {
  return list[Math.floor(rand() * list.length)]!;
}

function proseLine(rand: () => number, tag: string): string {
  const parts: string[] = [pick(rand, PREFIXES), `**${tag}**`];
  const n = Math.floor(rand() * 40);
  for (let i = 0; i < n; i++) parts.push(rand() < 0.2 ? pick(rand, ENTITIES) : pick(rand, WORDS));
  return parts.join(' ');
}

/** Markdown whose prose lines carry `**P<n>**` and code lines `**C<n>**`, so a renderer's view of each line shows. */
function randomMarkdown(rand: () => number): string {
  const lines: string[] = [];
  const blocks = 1 + Math.floor(rand() * 30);
  let n = 0;
  for (let b = 0; b < blocks; b++) {
    if (rand() < 0.25) {
      const fence = pick(rand, FENCES);
      lines.push(fence);
      const codeLines = Math.floor(rand() * 8);
      for (let i = 0; i < codeLines; i++) lines.push(`${'  '.repeat(Math.floor(rand() * 3))}**C${n++}** ${pick(rand, WORDS)} ${rand() < 0.1 ? '```python' : ''}`);
      if (rand() < 0.9) lines.push(fence.trim().split(' ')[0]!.replace(/[a-z]+$/, ''));
      else break; // a reply cut inside a code block
    } else {
      const paragraph = 1 + Math.floor(rand() * 4);
      for (let i = 0; i < paragraph; i++) lines.push(proseLine(rand, `P${n++}`));
    }
    lines.push(rand() < 0.7 ? '' : '---');
  }
  return lines.join(rand() < 0.1 ? '\r\n' : '\n');
}

const utf16: Measure = (s) => s.length;

/** Where splitText cuts `text` (offsets into it), by the same steps. */
function cutPositions(text: string, maxChars: number, measure: Measure): number[] {
  const cuts: number[] = [];
  let fence: Fence | null = null;
  let start = 0;
  for (;;) {
    if (!fence) start = skipLeadingWhitespace(text, start);
    const rest = text.slice(start);
    if (rest.trim() === '') return cuts;
    const step = nextSplit(rest, fence, maxChars, measure, true);
    if (!step) return cuts;
    start += step.consumed;
    cuts.push(start);
    fence = step.fence;
  }
}

/** Inline entities of the lines outside fences, no longer than SPLIT_LOOKAHEAD, as [start, end). */
function shortEntities(text: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let fence: Fence | null = null;
  let offset = 0;
  for (const line of text.split('\n')) {
    const before = fence;
    fence = fenceAfter(fence, line);
    if (!before && !fence) {
      const spans = inlineSpans(line);
      for (let k = 0; k < spans.length; k += 2) {
        if (spans[k + 1]! - spans[k]! <= SPLIT_LOOKAHEAD) out.push([offset + spans[k]!, offset + spans[k + 1]!]);
      }
    }
    offset += line.length + 1;
  }
  return out;
}

const codeText = (md: string): string =>
  parseBlocks(md)
    .map((b) => (b.kind === 'code' ? b.text : ''))
    .join('')
    .replace(/\s/g, '');

describe('property: splitting', () => {
  for (let seed = 1; seed <= CASES; seed++) {
    it(`seed ${seed}: no broken fence or entity; every chunk within the limit once rendered`, () => {
      const rand = prng(seed);
      const text = randomMarkdown(rand);
      const telegram = rand() < 0.5;
      const maxChars = telegram ? pick(rand, [300, 1000, 4096]) : pick(rand, [300, 800, 2000]);
      const measure = utf16; // both platforms count UTF-16 units
      const chunks = splitText(text, maxChars, measure);

      for (const chunk of chunks) {
        expect(fenceAfter(null, chunk), 'a chunk leaves a fence open').toBeNull();
        if (telegram) {
          const parsed = parseTelegramHtml(markdownToTelegramHtml(chunk));
          if (!parsed.ok) throw new Error(`rejected: ${parsed.error}`);
          expect(parsed.text.length).toBeLessThanOrEqual(maxChars);
        } else {
          expect(chunk.length).toBeLessThanOrEqual(maxChars);
        }
      }
      // Code stays code and nothing else becomes code, across every cut.
      expect(chunks.map(codeText).join('')).toBe(codeText(text));
      const cuts = cutPositions(text, maxChars, measure);
      for (const [start, end] of shortEntities(text)) {
        for (const cut of cuts) expect(start < cut && cut < end, `cut ${cut} inside ${JSON.stringify(text.slice(start, end))}`).toBe(false);
      }
    });
  }
});

describe('property: renderers agree on code', () => {
  for (let seed = 1; seed <= CASES; seed++) {
    it(`seed ${seed}`, () => {
      const rand = prng(1000 + seed);
      const text = randomMarkdown(rand);
      const html = markdownToTelegramHtml(text);
      const plain = markdownToPlain(text);
      const pre = [...html.matchAll(/<pre>(?:<code[^>]*>)?([\s\S]*?)(?:<\/code>)?<\/pre>/g)].map((m) => m[1]!).join('\n');
      for (const [, kind, n] of text.matchAll(/\*\*([CP])(\d+)\*\*/g)) {
        const tag = `**${kind}${n}**`;
        // Code keeps its markup in both; prose loses it in both (bold on Telegram, plain words in lines).
        const codeInHtml = pre.includes(tag);
        const codeInPlain = plain.includes(tag);
        expect(codeInHtml, `${tag} in HTML`).toBe(kind === 'C');
        expect(codeInPlain, `${tag} in plain`).toBe(codeInHtml);
      }
    });
  }
});

describe('property: incremental parse', () => {
  for (let seed = 1; seed <= CASES; seed++) {
    it(`seed ${seed}: a stream fed in pieces parses as the whole`, () => {
      const rand = prng(2000 + seed);
      const text = randomMarkdown(rand);
      const stream = new BlockStream();
      const blocks = randomPieces(text, rand, pick(rand, [1, 3, 17, 200])).flatMap((piece) => stream.push(piece));
      blocks.push(...stream.end());
      expect(blocks).toEqual(parseBlocks(text));
    });
  }
});
