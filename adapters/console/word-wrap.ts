// Streamed text -> lines no wider than the terminal, broken between words. Terminals wrap
// mid-word on their own; this breaks at spaces instead, and between CJK characters (which
// carry no spaces). A word that arrives in two chunks is held until it is complete, unless it
// is longer than a line (a long token): where it starts is decided then, so it prints as it comes.
// Text is read by index and printed in slices, so a 1 MB answer in one frame costs milliseconds:
// printable ASCII a line of words per slice, Latin and CJK a character at a time, and only text
// whose graphemes can join (emoji, combining marks) through the grapheme cursor.
import { isSimpleText } from '../../src/format/width.js';
import { Graphemes, wideRunEnd } from './graphemes.js';

const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const NON_ASCII_RUN = /[^\x20-\x7e]+/g;

export class WordWrapper {
  private column = 0;
  private word = '';
  private wordWidth = 0;
  /** Spaces since the last word (a tab counts as one). */
  private spaces = 0;
  /** The current word is longer than a line and printed as it arrives (`word` holds nothing then). */
  private streamingWord = false;

  /** `width()` is read at every write so a resized terminal wraps at its new width; undefined = no wrapping. */
  constructor(private readonly width: () => number | undefined) {}

  /** Returns what can be printed now; an incomplete last word waits for more text or `flush`. */
  write(text: string): string {
    const cols = this.width();
    if (!cols || cols < 2) return text;
    // Line ends are taken here, so that each line goes the cheapest way it can: a line end is a
    // control character, and one in the text would send all of it through the grapheme cursor
    // (microseconds a character near it) even where it is plain prose or CJK.
    let out = '';
    for (let from = 0; ; ) {
      const lf = text.indexOf('\n', from);
      if (lf < 0) return out + this.writeLine(from === 0 ? text : text.slice(from), cols);
      // CR LF is one line end, printed as LF.
      const lineEnd = lf > from && text.charCodeAt(lf - 1) === CR ? lf - 1 : lf;
      out += this.writeLine(text.slice(from, lineEnd), cols);
      out += `${this.endWord(cols)}\n`;
      this.column = 0;
      this.spaces = 0;
      from = lf + 1;
    }
  }

  /** Text with no line end in it. */
  private writeLine(text: string, cols: number): string {
    if (PRINTABLE_ASCII.test(text)) return this.writeAscii(text, cols);
    if (!isSimpleText(text)) return this.writeGraphemes(text, cols, false);
    // Simple text never joins two characters into one grapheme, so it can be cut anywhere: the
    // ASCII between curly quotes, dashes or CJK takes the ASCII path.
    let out = '';
    let from = 0;
    NON_ASCII_RUN.lastIndex = 0;
    for (let run = NON_ASCII_RUN.exec(text); run; run = NON_ASCII_RUN.exec(text)) {
      if (run.index > from) out += this.writeAscii(text.slice(from, run.index), cols);
      out += this.writeGraphemes(run[0], cols, true);
      from = NON_ASCII_RUN.lastIndex;
    }
    return from < text.length ? out + this.writeAscii(text.slice(from), cols) : out;
  }

  /** Text with no line end in it, a grapheme at a time. */
  private writeGraphemes(text: string, cols: number, simple: boolean): string {
    let out = '';
    // The current word's part in `text` (-1: none), added to `word` when the word or the text ends.
    let partStart = -1;
    let partWidth = 0;
    const graphemes = new Graphemes(text, simple);
    for (let start = 0, end = graphemes.next(); end >= 0; start = end, end = graphemes.next()) {
      const c = text.charCodeAt(start);
      const space = end === start + 1 && (c === SPACE || c === TAB);
      const w = space ? 0 : graphemes.width(start, end);
      if (!space && w < 2) {
        if (partStart < 0) partStart = start;
        partWidth += w;
        continue;
      }
      if (partStart >= 0) out += this.growWord(text.slice(partStart, start), partWidth, cols);
      partStart = -1;
      partWidth = 0;
      out += this.endWord(cols);
      if (space) {
        this.spaces++;
      } else {
        // CJK: every character is a place to break.
        this.word = text.slice(start, end);
        this.wordWidth = w;
        out += this.placeWord(cols);
        if (graphemes.simple) {
          // The wide characters right after it go a line at a time, not a string each.
          const runEnd = wideRunEnd(text, end);
          out += this.placeWide(text, end, runEnd, cols);
          end = graphemes.skipTo(runEnd);
        }
      }
    }
    if (partStart >= 0) out += this.growWord(text.slice(partStart), partWidth, cols);
    return out;
  }

  /** write() for printable ASCII: one column a character, words between spaces, found with indexOf. */
  private writeAscii(text: string, cols: number): string {
    let out = '';
    for (let i = 0; i < text.length; ) {
      if (text.charCodeAt(i) === SPACE) {
        out += this.endWord(cols);
        this.spaces++;
        i++;
        continue;
      }
      const fits = this.wordsThatFit(text, i, cols);
      if (fits > i) {
        out += (this.spaces === 1 ? ' ' : ' '.repeat(this.spaces)) + text.slice(i, fits);
        this.column += this.spaces + fits - i;
        this.spaces = 0;
        i = fits;
        continue;
      }
      let end = text.indexOf(' ', i);
      if (end < 0) end = text.length;
      out += this.growWord(text.slice(i, end), end - i, cols);
      i = end;
    }
    return out;
  }

  /**
   * Where the run of complete words from text[i] that fits on the current line ends (i: none).
   * Placed one by one, each of them would go on this line as it is, with the spaces between:
   * so a line of prose is one slice, not a string per word (1 MB of prose in one frame is
   * 200k words). The word that does not fit, or that the text ends in, goes word by word.
   */
  private wordsThatFit(text: string, i: number, cols: number): number {
    if (this.word || this.streamingWord) return i;
    const room = cols - this.column - this.spaces;
    if (room <= 0) return i;
    // A space at i + room ends a word that fills the line to its last column.
    let end = text.lastIndexOf(' ', Math.min(i + room, text.length - 1));
    if (end <= i) return i;
    while (text.charCodeAt(end - 1) === SPACE) end--;
    return end;
  }

  /** Prints the held word (the message is complete); the next text starts a fresh line. */
  flush(): string {
    const cols = this.width();
    const out = cols && cols >= 2 ? this.endWord(cols) : '';
    this.spaces = 0;
    return out;
  }

  /** The cursor is at column 0 again (something else printed a full line). */
  reset(): void {
    this.column = 0;
    this.word = '';
    this.wordWidth = 0;
    this.spaces = 0;
    this.streamingWord = false;
  }

  /** More of the current word: held while it may still move to the next line, printed once it is longer than one. */
  private growWord(part: string, width: number, cols: number): string {
    if (this.streamingWord) return this.cutWord(part, cols);
    this.word += part;
    this.wordWidth += width;
    if (this.wordWidth <= cols) return '';
    // Longer than a line: it starts on a line of its own (or where the line is empty) whatever follows.
    const out = this.placeWord(cols);
    this.streamingWord = true;
    return out;
  }

  private endWord(cols: number): string {
    this.streamingWord = false;
    return this.placeWord(cols);
  }

  private placeWord(cols: number): string {
    if (!this.word) return '';
    let out = '';
    // Filling the last column exactly is fine; a terminal moves on only with the next character.
    if (this.column > 0 && this.column + this.spaces + this.wordWidth > cols) {
      out += '\n';
      this.column = 0;
    } else {
      out += this.spaces === 1 ? ' ' : ' '.repeat(this.spaces);
      this.column += this.spaces;
    }
    if (this.wordWidth > cols - this.column) {
      out += this.cutWord(this.word, cols);
    } else {
      out += this.word;
      this.column += this.wordWidth;
    }
    this.word = '';
    this.wordWidth = 0;
    this.spaces = 0;
    return out;
  }

  /** Wide characters text[from, to) after a placed one (no spaces between): as many on a line as fit. */
  private placeWide(text: string, from: number, to: number, cols: number): string {
    let out = '';
    while (from < to) {
      if (this.column > 0 && this.column + 2 > cols) {
        out += '\n';
        this.column = 0;
      }
      const n = Math.min(to - from, Math.floor((cols - this.column) / 2));
      out += text.slice(from, from + n);
      this.column += 2 * n;
      from += n;
    }
    return out;
  }

  /** cutWord for printable ASCII: each line takes as many characters as it has columns left. */
  private cutAscii(word: string, cols: number): string {
    let out = '';
    for (let from = 0; ; ) {
      const room = Math.max(0, cols - this.column);
      if (word.length - from <= room) {
        this.column += word.length - from;
        return out + word.slice(from);
      }
      out += `${word.slice(from, from + room)}\n`;
      from += room;
      this.column = 0;
    }
  }

  /** A word longer than the rest of the line (a URL, a long token) is cut where each line ends. */
  private cutWord(word: string, cols: number): string {
    if (PRINTABLE_ASCII.test(word)) return this.cutAscii(word, cols);
    let out = '';
    let from = 0;
    const graphemes = new Graphemes(word, isSimpleText(word));
    for (let start = 0, end = graphemes.next(); end >= 0; start = end, end = graphemes.next()) {
      const w = graphemes.width(start, end);
      if (this.column > 0 && this.column + w > cols) {
        out += `${word.slice(from, start)}\n`;
        from = start;
        this.column = 0;
      }
      this.column += w;
    }
    return out + word.slice(from);
  }
}
