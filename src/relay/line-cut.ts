// Where an unfinished raw line can be cut so that its prefix flattens exactly as it would inside
// the whole line: at the last space with no emphasis, code span or link left open before it.
// Kept as the line grows, so a delta costs its own length: rescanning every candidate's prefix
// per delta cost cubic time on a long line with one marker left open.

/** True for what String#trim removes (ECMAScript WhiteSpace and LineTerminator, as /\s/). */
function isTrimmed(code: number): boolean {
  if (code < 0x80) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  return /\s/.test(String.fromCharCode(code));
}

/** The markers counted; between two of them the balance cannot change, so only spaces matter there. */
const MARKER = /[`*_~[\]()<>]/g;

/**
 * The stable cut of one open raw line, fed its characters in order. A cut is the index of a
 * space, after at least one non-blank character, where no backtick, `*`, `_` or `~~` count is
 * odd and no bracket, parenthesis or angle bracket is open. A line that starts (after blanks)
 * with `#` or `|` is a heading or table row: it waits for its newline and has no cut.
 */
export class StableCut {
  /** The last cut found (0: none), as an index into the line since its start or last rebase. */
  cut = 0;
  private length = 0;
  /** Parities of backticks, `*`, `_` and `~~` pairs, one bit each; 0 = all even. */
  private odd = 0;
  /** Open brackets minus closed ones: [ ], ( ), < >. */
  private square = 0;
  private round = 0;
  private angle = 0;
  /** The character before was a `~` not yet paired (`~~` pairs do not overlap, left to right). */
  private tildeOpen = false;
  /** The first non-blank character of the line: -1 while there is none yet. */
  private first = -1;
  /** The first non-blank character after `cut` (-1: none yet), the line's first after a rebase. */
  private firstAfterCut = -1;

  /** A new line starts. */
  reset(): void {
    this.cut = this.length = this.odd = 0;
    this.square = this.round = this.angle = 0;
    this.tildeOpen = false;
    this.first = this.firstAfterCut = -1;
  }

  /** Characters appended to the line: `chunk` from `from` on (no newline among them). */
  feed(chunk: string, from = 0): void {
    const shift = this.length - from;
    let i = from;
    while (i < chunk.length) {
      if (this.tildeOpen) {
        this.tildeOpen = false;
        if (chunk.charCodeAt(i) === 0x7e) {
          this.odd ^= 8;
          i++;
          continue;
        }
      }
      MARKER.lastIndex = i;
      const marker = MARKER.exec(chunk)?.index ?? chunk.length;
      if (marker > i) this.between(chunk, i, marker, shift);
      if (marker === chunk.length) break;
      this.mark(chunk.charCodeAt(marker));
      i = marker + 1;
    }
    this.length += chunk.length - from;
  }

  /**
   * The line now starts at `cut` (its prefix was taken). Counts carry over unchanged: at a cut
   * every parity is even and every bracket closed, so the rest balances as it did.
   */
  rebase(): void {
    this.length -= this.cut;
    this.cut = 0;
    this.first = this.firstAfterCut;
  }

  /** chunk[start, end) holds no marker: its last space is the cut, if the line balances there. */
  private between(chunk: string, start: number, end: number, shift: number): void {
    let i = start;
    if (this.first < 0) {
      i = this.firstNonBlank(chunk, i, end);
      if (i === end) return;
      this.first = this.firstAfterCut = chunk.charCodeAt(i);
    }
    const heading = this.first === 0x23 || this.first === 0x7c; // # or |
    const space = heading || !this.balanced() ? -1 : chunk.lastIndexOf(' ', end - 1);
    if (space >= i) {
      this.cut = space + shift;
      this.firstAfterCut = -1;
      i = space + 1;
    }
    if (this.firstAfterCut >= 0) return;
    i = this.firstNonBlank(chunk, i, end);
    if (i < end) this.firstAfterCut = chunk.charCodeAt(i);
  }

  private mark(c: number): void {
    if (this.firstAfterCut < 0) {
      this.firstAfterCut = c;
      if (this.first < 0) this.first = c;
    }
    switch (c) {
      case 0x60: this.odd ^= 1; break; // `
      case 0x2a: this.odd ^= 2; break; // *
      case 0x5f: this.odd ^= 4; break; // _
      case 0x7e: this.tildeOpen = true; break; // ~
      case 0x5b: this.square++; break; // [
      case 0x5d: this.square--; break; // ]
      case 0x28: this.round++; break; // (
      case 0x29: this.round--; break; // )
      case 0x3c: this.angle++; break; // <
      case 0x3e: this.angle--; break; // >
    }
  }

  private firstNonBlank(chunk: string, from: number, end: number): number {
    let i = from;
    while (i < end && isTrimmed(chunk.charCodeAt(i))) i++;
    return i;
  }

  private balanced(): boolean {
    return this.odd === 0 && this.square === 0 && this.round === 0 && this.angle === 0;
  }
}
