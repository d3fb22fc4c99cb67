// Markdown to plain text lines for surfaces that show raw text (MUDs): the reader sees words,
// not asterisks. Works line by line so a streamed reply can be flattened as its lines complete.
import { stripVTControlCharacters } from 'node:util';
import { BlockParser, classifyLine, type Block } from './blocks.js';
import { parseInline, type InlineNode } from './inline.js';

const TAB_AS_SPACES = '    ';
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
/** Control characters (C0, DEL, C1) and line/paragraph separators never reach a line. */
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]/g;
/** Anything toSingleLine replaces: a tab, a control character (ESC and CSI among them), a separator. */
const TO_REPLACE = /[\x00-\x1f\x7f-\x9f\u2028\u2029]/;

/** Replaces what must not be inside one line: tabs become spaces, control characters go. */
export function toSingleLine(text: string): string {
  // Most lines have nothing to replace: one scan says so (a long line skips the VT-sequence regex).
  if (PRINTABLE_ASCII.test(text) || !TO_REPLACE.test(text)) return text;
  // Whole ANSI/VT sequences go first, or removing ESC alone would leave "[31m" in the line.
  return stripVTControlCharacters(text).replace(/\t/g, TAB_AS_SPACES).replace(CONTROL, '');
}

/** The reader cannot click: a link's URL is spelled out after its text. */
function nodesToPlain(nodes: InlineNode[]): string {
  let out = '';
  for (const node of nodes) {
    switch (node.kind) {
      case 'text':
      case 'code':
        out += node.text;
        break;
      case 'url':
        out += node.url;
        break;
      case 'link': {
        const name = nodesToPlain(node.children).trim();
        out += name && name !== node.url ? `${name} (${node.url})` : node.url;
        break;
      }
      case 'style':
        out += nodesToPlain(node.children);
        break;
      default:
        node satisfies never;
    }
  }
  return out;
}

/** Inline markdown to text: links become `text (url)`, emphasis markers and backticks go. */
export function inlineToPlain(text: string): string {
  return nodesToPlain(parseInline(text));
}

/**
 * Turns markdown lines into plain lines as they arrive. Keeps code text (fences dropped),
 * flattens headings, lists, quotes and tables, and collapses blank lines: at most one in a row,
 * none at the start or the end. No line it returns holds a newline or a control character.
 */
export class PlainLines {
  private readonly blocks = new BlockParser();
  private blankPending = false;
  private emittedAny = false;

  /** True inside a fenced code block. */
  get inCode(): boolean {
    return this.blocks.inCode;
  }

  /** One raw markdown line in; zero or more plain lines out ('' marks a paragraph break). */
  push(rawLine: string): string[] {
    const plain = blockToPlain(this.blocks.push(rawLine));
    return plain === null ? [] : this.emit(plain);
  }

  /** The text ended: nothing is held back except a trailing blank line, which is dropped. */
  end(): string[] {
    this.blankPending = false;
    return [];
  }

  private emit(plain: string): string[] {
    if (plain.trim() === '') {
      if (this.emittedAny) this.blankPending = true;
      return [];
    }
    const out = this.blankPending ? ['', plain] : [plain];
    this.blankPending = false;
    this.emittedAny = true;
    return out;
  }
}

/** The plain line of a block ('' = a paragraph break), or null for a block that only carried layout. */
function blockToPlain(block: Block): string | null {
  switch (block.kind) {
    case 'fence-open':
    case 'fence-close':
    case 'table-divider':
      return null;
    case 'code':
      return toSingleLine(block.text).trimEnd();
    case 'blank':
    case 'rule':
      return '';
    case 'heading':
      return toSingleLine(inlineToPlain(block.text)).trim();
    case 'quote':
      // A quote shows its content: a list item or table row quoted reads as one.
      return blockToPlain(classifyLine(block.text));
    case 'item': {
      const checkbox = block.checked === undefined ? '' : block.checked ? '[x] ' : '[ ] ';
      const marker = /\d/.test(block.marker) ? block.marker : '-';
      return toSingleLine(`${block.indent}${marker} ${checkbox}${inlineToPlain(block.text)}`).trimEnd();
    }
    case 'table-row':
      return toSingleLine(block.cells.map((c) => inlineToPlain(c)).join(' | ')).trimEnd();
    case 'paragraph':
      return toSingleLine(inlineToPlain(block.text)).trimEnd();
    default:
      return block satisfies never;
  }
}

/** Flattens markdown to plain text: see PlainLines. Lines are joined with '\n'. */
export function markdownToPlain(md: string): string {
  const lines = new PlainLines();
  const out: string[] = [];
  for (const raw of md.split('\n')) out.push(...lines.push(raw));
  out.push(...lines.end());
  return out.join('\n');
}
