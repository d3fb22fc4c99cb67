// Where an unfinished raw line can be cut so that its prefix flattens exactly as it would inside
// the whole line: at the last space with no emphasis, code span or link left open before it.
// Kept as the line grows: each character is scanned once, where rescanning every candidate's
// prefix per delta cost cubic time on a long line with one marker left open.

/** True for what String#trim removes (ECMAScript WhiteSpace and LineTerminator, as /\s/). */
function isTrimmed(code: number): boolean {
  if (code < 0x80) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  return /\s/.test(String.fromCharCode(code));
}

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
  private ticks = 0;
  private stars = 0;
  private unders = 0;
  private tildePairs = 0;
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
    this.cut = 0;
    this.length = 0;
    this.ticks = this.stars = this.unders = this.tildePairs = 0;
    this.square = this.round = this.angle = 0;
    this.tildeOpen = false;
    this.first = this.firstAfterCut = -1;
  }

  /** Characters appended to the line: `chunk` from `from` on (no newline among them). */
  feed(chunk: string, from = 0): void {
    for (let i = from; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      const at = this.length + i - from;
      if (this.firstAfterCut < 0 && !isTrimmed(c)) {
        this.firstAfterCut = c;
        if (this.first < 0) this.first = c;
      }
      if (this.tildeOpen) {
        this.tildeOpen = false;
        if (c === 0x7e) {
          this.tildePairs++;
          continue;
        }
      }
      switch (c) {
        case 0x20: // ' '
          if (at > 0 && this.first >= 0 && this.first !== 0x23 && this.first !== 0x7c && this.balanced()) {
            this.cut = at;
            this.firstAfterCut = -1;
          }
          break;
        case 0x60: this.ticks++; break; // `
        case 0x2a: this.stars++; break; // *
        case 0x5f: this.unders++; break; // _
        case 0x7e: this.tildeOpen = true; break; // ~
        case 0x5b: this.square++; break; // [
        case 0x5d: this.square--; break; // ]
        case 0x28: this.round++; break; // (
        case 0x29: this.round--; break; // )
        case 0x3c: this.angle++; break; // <
        case 0x3e: this.angle--; break; // >
      }
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

  private balanced(): boolean {
    return ((this.ticks | this.stars | this.unders | this.tildePairs) & 1) === 0 && this.square === 0 && this.round === 0 && this.angle === 0;
  }
}
