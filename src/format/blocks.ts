// Block structure of markdown as models write it, one line at a time: fences (the one grammar in
// fence.ts), blank lines, rules, headings, quotes (Telegram's `**>` expandable quote too), list
// items, table rows and paragraphs. Every renderer (plain lines, Telegram HTML) walks these
// blocks, so they agree on which lines are code. Incremental: a stream fed in any pieces yields
// the blocks of the whole text, each as soon as its line is complete.
import { fenceStep, stripFenceIndent, type Fence } from './fence.js';

export type Block =
  | { kind: 'fence-open'; fence: Fence; info: string }
  | { kind: 'fence-close' }
  /** A line inside a fence, without the opening fence's indentation. */
  | { kind: 'code'; text: string }
  | { kind: 'blank' }
  | { kind: 'rule'; source: string }
  | { kind: 'heading'; text: string }
  /** `start` opens a new quote (an expandable one starts each time); lines that follow join it. */
  | { kind: 'quote'; text: string; expandable: boolean; start: boolean }
  | { kind: 'item'; prefix: string; indent: string; marker: string; checked: boolean | undefined; text: string }
  | { kind: 'table-divider'; source: string }
  | { kind: 'table-row'; cells: string[]; source: string }
  | { kind: 'paragraph'; text: string };

const BLANK = /^\s*$/;
const HEADING = /^ {0,3}#{1,6}(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const RULE = /^ {0,3}(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$/;
const ITEM = /^([ \t]*)([*+-]|\d{1,9}[.)])[ \t]+(?:\[( |x|X)\][ \t]+)?/;
const QUOTE = /^ {0,3}>[ \t]?/;
const EXPANDABLE_QUOTE = /^\*\*>[ \t]?/;
const TABLE_DIVIDER = /^[ \t]*\|?[ \t]*:?-{2,}:?[ \t]*(?:\|[ \t]*:?-{2,}:?[ \t]*)*\|?[ \t]*$/;
const TABLE_ROW = /^[ \t]*\|.*\|[ \t]*$/;
/** Telegram's spelling of the end of an expandable quote. */
const EXPANDABLE_END = '||';

/** The block of a line outside any fence and quote (also the content of a quote line). */
export function classifyLine(line: string): Block {
  if (BLANK.test(line)) return { kind: 'blank' }; // not trim(): that copies a long line
  if (RULE.test(line)) return { kind: 'rule', source: line };
  const heading = HEADING.exec(line);
  if (heading) return { kind: 'heading', text: heading[1] ?? '' };
  if (TABLE_DIVIDER.test(line) && line.includes('-') && line.includes('|')) return { kind: 'table-divider', source: line };
  if (TABLE_ROW.test(line)) return { kind: 'table-row', cells: line.trim().slice(1, -1).split('|').map((c) => c.trim()), source: line };
  const item = ITEM.exec(line);
  if (item) {
    const checked = item[3] === undefined ? undefined : item[3] !== ' ';
    return { kind: 'item', prefix: item[0], indent: item[1]!, marker: item[2]!, checked, text: line.slice(item[0].length) };
  }
  return { kind: 'paragraph', text: line };
}

/** Blocks of complete lines; keeps the fence and expandable-quote state between lines. */
export class BlockParser {
  private fence: Fence | null = null;
  private inExpandable = false;

  /** True inside a fenced code block. */
  get inCode(): boolean {
    return this.fence !== null;
  }

  /** One complete line (no '\n'; a trailing '\r' is dropped). */
  push(rawLine: string): Block {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    const open = this.fence;
    const step = fenceStep(open, line);
    this.fence = step.fence;
    if (open) return step.fence ? { kind: 'code', text: stripFenceIndent(line, step.indent) } : { kind: 'fence-close' };
    if (step.fence) {
      this.inExpandable = false;
      return { kind: 'fence-open', fence: step.fence, info: step.info };
    }
    return this.quoteOrLine(line);
  }

  private quoteOrLine(line: string): Block {
    const expandable = EXPANDABLE_QUOTE.exec(line);
    const quote = expandable ?? (this.inExpandable || QUOTE.test(line) ? QUOTE.exec(line) : null);
    if (!quote) {
      this.inExpandable = false;
      return classifyLine(line);
    }
    const start = expandable !== null;
    if (start) this.inExpandable = true;
    const isExpandable = this.inExpandable;
    let text = line.slice(quote[0].length);
    if (isExpandable && text.endsWith(EXPANDABLE_END)) {
      text = text.slice(0, -EXPANDABLE_END.length);
      this.inExpandable = false;
    }
    return { kind: 'quote', text, expandable: isExpandable, start };
  }
}

/** Blocks of a text fed in pieces of any size: a line's block comes out once its newline arrived. */
export class BlockStream {
  private readonly parser = new BlockParser();
  private partial = '';

  get inCode(): boolean {
    return this.parser.inCode;
  }

  push(piece: string): Block[] {
    const text = this.partial + piece;
    const last = text.lastIndexOf('\n');
    if (last < 0) {
      this.partial = text;
      return [];
    }
    this.partial = text.slice(last + 1);
    return text.slice(0, last).split('\n').map((line) => this.parser.push(line));
  }

  /** The text ended: its last line (even without a newline) is a block too. */
  end(): Block[] {
    const line = this.partial;
    this.partial = '';
    return [this.parser.push(line)];
  }
}

/** The blocks of a whole text. */
export function parseBlocks(text: string): Block[] {
  const stream = new BlockStream();
  return [...stream.push(text), ...stream.end()];
}
