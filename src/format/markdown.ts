// Markdown to plain text lines for surfaces that show raw text (MUDs): the reader sees words,
// not asterisks. Works line by line so a streamed reply can be flattened as its lines complete.
import { stripVTControlCharacters } from 'node:util';
import { closesFence, parseFenceOpening, stripFenceIndent, type FenceOpening } from './fence.js';

/** Private-use markers that keep code spans and URLs away from the emphasis rules. */
const HOLD_OPEN = '\uE000';
const HOLD_CLOSE = '\uE001';
const TAB_AS_SPACES = '    ';

const HEADING = /^ {0,3}#{1,6}(?:\s+(.*?))?(?:\s+#+)?\s*$/;
const RULE = /^ {0,3}(?:(?:\*\s*){3,}|(?:-\s*){3,}|(?:_\s*){3,})$/;
const BULLET = /^(\s*)[*+-]\s+(?:\[( |x|X)\]\s+)?/;
const QUOTE = /^ {0,3}>\s?/;
const TABLE_DIVIDER = /^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$/;
/** Control characters (C0, DEL, C1) and line/paragraph separators never reach a line. */
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]/g;

/** Replaces what must not be inside one line: tabs become spaces, control characters go. */
export function toSingleLine(text: string): string {
  // Whole ANSI/VT sequences go first, or removing ESC alone would leave "[31m" in the line.
  return stripVTControlCharacters(text).replace(/\t/g, TAB_AS_SPACES).replace(CONTROL, '');
}

/** Inline markdown to text: links become `text (url)`, emphasis markers and backticks go. */
export function inlineToPlain(text: string): string {
  const held: string[] = [];
  const hold = (s: string): string => `${HOLD_OPEN}${held.push(s) - 1}${HOLD_CLOSE}`;
  let out = text
    // code spans keep their text exactly
    .replace(/(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)/g, (_m, _ticks: string, code: string) => hold(code.trim() === '' ? code : code.replace(/^ (.*) $/, '$1')))
    // images and links: the reader cannot click, so the URL is spelled out
    .replace(/!?\[([^\]]*)\]\(\s*<?([^\s)>]+)>?(?:\s+"[^"]*")?\s*\)/g, (_m, label: string, url: string) => {
      const name = label.trim();
      return name && name !== url ? `${name} (${hold(url)})` : hold(url);
    })
    .replace(/<((?:https?|mailto):[^>\s]+)>/g, (_m, url: string) => hold(url))
    .replace(/\bhttps?:\/\/[^\s<>()]+/g, (url) => hold(url));
  out = out
    .replace(/(\*\*|__)(?=\S)([\s\S]*?\S)\1/g, '$2')
    .replace(/~~(?=\S)([\s\S]*?\S)~~/g, '$1')
    .replace(/(^|[^\w*])\*(?=[^\s*])([^*]*?[^\s*])?\*(?![\w*])/g, (_m, lead: string, body?: string) => lead + (body ?? ''))
    .replace(/(^|[^\w])_(?=[^\s_])([^_]*?[^\s_])?_(?!\w)/g, (_m, lead: string, body?: string) => lead + (body ?? ''))
    .replace(/\\([\\`*_{}[\]()#+\-.!|~>])/g, '$1');
  return out.replace(new RegExp(`${HOLD_OPEN}(\\d+)${HOLD_CLOSE}`, 'g'), (_m, i: string) => held[Number(i)] ?? '');
}

/**
 * Turns markdown lines into plain lines as they arrive. Keeps code text (fences dropped),
 * flattens headings, lists, quotes and tables, and collapses blank lines: at most one in a row,
 * none at the start or the end. No line it returns holds a newline or a control character.
 */
export class PlainLines {
  private inFence: FenceOpening | null = null;
  private blankPending = false;
  private emittedAny = false;

  /** True inside a fenced code block. */
  get inCode(): boolean {
    return this.inFence !== null;
  }

  /** One raw markdown line in; zero or more plain lines out ('' marks a paragraph break). */
  push(rawLine: string): string[] {
    const line = rawLine.replace(/\r$/, '');
    if (this.inFence) {
      if (closesFence(this.inFence.marker, line)) {
        this.inFence = null;
        return [];
      }
      return this.emit(toSingleLine(stripFenceIndent(line, this.inFence.indent)).trimEnd());
    }
    const opening = parseFenceOpening(line);
    if (opening) {
      this.inFence = opening;
      return [];
    }
    const plain = this.blockToPlain(line);
    return plain === null ? [] : this.emit(plain);
  }

  /** The text ended: nothing is held back except a trailing blank line, which is dropped. */
  end(): string[] {
    this.blankPending = false;
    return [];
  }

  /** The plain line ('' = a paragraph break), or null for a line that only carried layout. */
  private blockToPlain(line: string): string | null {
    if (line.trim() === '' || RULE.test(line)) return '';
    const heading = HEADING.exec(line);
    if (heading) return toSingleLine(inlineToPlain(heading[1] ?? '')).trim();
    if (TABLE_DIVIDER.test(line) && line.includes('-') && line.includes('|')) return null;
    let text = line.replace(QUOTE, '');
    const bullet = BULLET.exec(text);
    if (bullet) {
      const checkbox = bullet[2] === undefined ? '' : bullet[2] === ' ' ? '[ ] ' : '[x] ';
      text = `${bullet[1]}- ${checkbox}${text.slice(bullet[0].length)}`;
    }
    if (/^\s*\|.*\|\s*$/.test(text)) {
      const cells = text.trim().slice(1, -1).split('|').map((c) => inlineToPlain(c.trim()));
      return toSingleLine(cells.join(' | ')).trimEnd();
    }
    return toSingleLine(inlineToPlain(text)).trimEnd();
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

/** Flattens markdown to plain text: see PlainLines. Lines are joined with '\n'. */
export function markdownToPlain(md: string): string {
  const lines = new PlainLines();
  const out: string[] = [];
  for (const raw of md.split('\n')) out.push(...lines.push(raw));
  out.push(...lines.end());
  return out.join('\n');
}
