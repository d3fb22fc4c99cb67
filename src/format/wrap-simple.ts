// Wrapping simple text (every code unit a grapheme of its own: Latin, CJK, kana) by width alone,
// with the same units and line-breaking rules as the grapheme walk in wrap.ts, which tests hold
// it to. A 1 MB line of CJK is walked once by index, with no string built per character.
import { noBreakBetween } from './line-break.js';
import { simpleColumns } from './width.js';

/**
 * wrapLine for simple text (every code unit a grapheme of one or two columns: Latin, CJK, kana)
 * by width alone: the units and kinsoku joins of the general walk, found by index, so a line is
 * one slice of the text and nothing is built or measured per character.
 */
export function wrapSimple(text: string, width: number): string[] {
  const lines = new SimpleLines(text, width);
  let gap = 0;
  let wordStart = -1;
  // One past the end reads as a space: it ends the last word.
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 0x20;
    const columns = c === 0x20 ? 0 : simpleColumns(c);
    if (columns === 1) {
      if (wordStart < 0) wordStart = i;
      continue;
    }
    // A space or a wide character ends the word before it.
    if (wordStart >= 0) {
      lines.add(wordStart, i, i - wordStart, gap);
      gap = 0;
      wordStart = -1;
    }
    if (c === 0x20) {
      gap++;
    } else {
      lines.add(i, i + 1, 2, gap);
      gap = 0;
    }
  }
  return lines.end();
}

/** The lines of wrapSimple, built from units given as ranges of the text (the general walk's rules). */
class SimpleLines {
  private readonly out: string[] = [];
  private open = false;
  private lineStart = 0;
  private lineEnd = 0;
  private lineWidth = 0;
  /** The unit held back while the next one may still be glued to it (no space between, kinsoku). */
  private heldStart = -1;
  private heldEnd = 0;
  private heldColumns = 0;
  private heldGap = 0;

  constructor(
    private readonly text: string,
    private readonly width: number,
  ) {}

  /** The unit text[start, end) of `columns`, after `gap` spaces. */
  add(start: number, end: number, columns: number, gap: number): void {
    const { text } = this;
    if (this.heldStart >= 0 && gap === 0 && noBreakBetween(text.charCodeAt(this.heldEnd - 1), text.charCodeAt(start))) {
      this.heldEnd = end;
      this.heldColumns += columns;
      return;
    }
    if (this.heldStart >= 0) this.take(this.heldStart, this.heldEnd, this.heldColumns, this.heldGap);
    this.heldStart = start;
    this.heldEnd = end;
    this.heldColumns = columns;
    this.heldGap = gap;
  }

  end(): string[] {
    if (this.heldStart >= 0) this.take(this.heldStart, this.heldEnd, this.heldColumns, this.heldGap);
    if (this.open) this.out.push(this.text.slice(this.lineStart, this.lineEnd));
    return this.out;
  }

  /** A unit onto the open line, or onto a new one. */
  private take(start: number, end: number, columns: number, gap: number): void {
    const { out, width } = this;
    if (this.open && this.lineWidth + gap + columns <= width) {
      this.lineEnd = end;
      this.lineWidth += gap + columns;
      return;
    }
    // Indentation of the first line stays (code); a wrapped line starts at its first word.
    const lead = !this.open && out.length === 0 && gap + columns <= width ? gap : 0;
    if (this.open) out.push(this.text.slice(this.lineStart, this.lineEnd));
    this.open = true;
    this.lineStart = start - lead;
    this.lineEnd = end;
    this.lineWidth = lead + columns;
    if (columns > width) this.cut(start, end);
  }

  /** A unit longer than a line is cut between characters; its last piece stays open. */
  private cut(start: number, end: number): void {
    this.lineWidth = 0;
    for (let i = start; i < end; i++) {
      const w = simpleColumns(this.text.charCodeAt(i));
      if (i > this.lineStart && this.lineWidth + w > this.width) {
        this.out.push(this.text.slice(this.lineStart, i));
        this.lineStart = i;
        this.lineWidth = 0;
      }
      this.lineWidth += w;
    }
  }
}
