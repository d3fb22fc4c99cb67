// The word wrapper's view of text it cannot take by slices: grapheme clusters and their columns,
// and runs of CJK characters (which break anywhere, so go a line at a time).
import { clusterWidth, GraphemeCursor, simpleColumns } from '../../src/format/width.js';

/** Where the run of simple wide characters (CJK) starting at `from` ends. */
export function wideRunEnd(text: string, from: number): number {
  WIDE_RUN.lastIndex = from;
  WIDE_RUN.test(text);
  return WIDE_RUN.lastIndex;
}

/** A run of simple wide characters, matched natively (a lookup a character costs several times more). */
const WIDE_RUN = new RegExp(`[${simpleWideRanges()}]*`, 'y');

function simpleWideRanges(): string {
  const hex = (c: number): string => `\\u${c.toString(16).padStart(4, '0')}`;
  let ranges = '';
  for (let c = 0; c < 0x10000; c++) {
    if (simpleColumns(c) !== 2) continue;
    const first = c;
    while (c + 1 < 0x10000 && simpleColumns(c + 1) === 2) c++;
    ranges += `${hex(first)}-${hex(c)}`;
  }
  return ranges;
}

/** The graphemes of a text and their columns; simple text (Latin, CJK) steps one code unit at a time without the cursor. */
export class Graphemes {
  private readonly cursor: GraphemeCursor | undefined;
  private pos = 0;

  /** `simple`: every code unit of `text` is simple (isSimpleText), as the caller found. */
  constructor(
    private readonly text: string,
    simple: boolean,
  ) {
    this.cursor = simple ? undefined : new GraphemeCursor(text);
  }

  /** True when every code unit is a grapheme of its own (no cursor needed). */
  get simple(): boolean {
    return this.cursor === undefined;
  }

  /** Simple text only: the next grapheme starts at `pos`; returns it. */
  skipTo(pos: number): number {
    this.pos = pos;
    return pos;
  }

  /** The end of the next grapheme; -1 at the end of the text. */
  next(): number {
    if (this.cursor) return this.cursor.next();
    return this.pos < this.text.length ? ++this.pos : -1;
  }

  width(start: number, end: number): number {
    return clusterWidth(this.text, start, end);
  }
}
