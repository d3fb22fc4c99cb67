// Streamed text -> lines no wider than the terminal, broken between words. Terminals wrap
// mid-word on their own; this breaks at spaces instead, and between CJK characters (which
// carry no spaces). A word that arrives in two chunks is held until it is complete.
import { graphemeWidth, splitGraphemes } from '../../src/format/width.js';

export class WordWrapper {
  private column = 0;
  private word = '';
  private wordWidth = 0;
  private spaces = '';

  /** `width()` is read at every word so a resized terminal wraps at its new width; undefined = no wrapping. */
  constructor(private readonly width: () => number | undefined) {}

  /** Returns what can be printed now; an incomplete last word waits for more text or `flush`. */
  write(text: string): string {
    const cols = this.width();
    if (!cols || cols < 2) return text;
    let out = '';
    for (const g of splitGraphemes(text)) {
      if (g === '\n' || g === '\r\n') {
        out += this.placeWord(cols) + '\n';
        this.column = 0;
        this.spaces = '';
      } else if (g === ' ' || g === '\t') {
        out += this.placeWord(cols);
        this.spaces += ' ';
      } else if (graphemeWidth(g) === 2) {
        // CJK: every character is a place to break.
        out += this.placeWord(cols);
        this.word = g;
        this.wordWidth = 2;
        out += this.placeWord(cols);
      } else {
        this.word += g;
        this.wordWidth += graphemeWidth(g);
      }
    }
    return out;
  }

  /** Prints the held word (the message is complete); the next text starts a fresh line. */
  flush(): string {
    const cols = this.width();
    const out = cols && cols >= 2 ? this.placeWord(cols) : '';
    this.spaces = '';
    return out;
  }

  /** The cursor is at column 0 again (something else printed a full line). */
  reset(): void {
    this.column = 0;
    this.word = '';
    this.wordWidth = 0;
    this.spaces = '';
  }

  private placeWord(cols: number): string {
    if (!this.word) return '';
    let out = '';
    // Filling the last column exactly is fine; a terminal moves on only with the next character.
    if (this.column > 0 && this.column + this.spaces.length + this.wordWidth > cols) {
      out += '\n';
      this.column = 0;
    } else {
      out += this.spaces;
      this.column += this.spaces.length;
    }
    // A word longer than a whole line (a URL, a long token) is cut where the line ends.
    for (const g of this.wordWidth > cols - this.column ? splitGraphemes(this.word) : [this.word]) {
      const w = g === this.word ? this.wordWidth : graphemeWidth(g);
      if (this.column > 0 && this.column + w > cols) {
        out += '\n';
        this.column = 0;
      }
      out += g;
      this.column += w;
    }
    this.word = '';
    this.wordWidth = 0;
    this.spaces = '';
    return out;
  }
}
