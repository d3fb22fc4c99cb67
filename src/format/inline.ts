// Inline markdown as models write it (code spans, links, autolinks, bold, italic, strike,
// spoiler, backslash escapes) parsed once into a small tree that every renderer walks, so the
// plain-text and the Telegram renderers cannot disagree on what is code, a link or emphasis.
// Markers without a partner stay literal text (an unbalanced `*` is a `*`).

export type InlineStyle = 'bold' | 'italic' | 'strike' | 'spoiler';

export type InlineNode =
  | { kind: 'text'; text: string }
  | { kind: 'code'; text: string }
  /** `[label](url)` or `![alt](url)`; `source` is the markdown as written, for a renderer that refuses the URL. */
  | { kind: 'link'; url: string; children: InlineNode[]; source: string }
  /** `<https://…>` (`bracketed`) or a bare URL in the text: never parsed for emphasis. */
  | { kind: 'url'; url: string; bracketed: boolean }
  | { kind: 'style'; style: InlineStyle; children: InlineNode[] };

interface Delimiter {
  marker: string;
  style: InlineStyle;
  /** `_` only counts at word edges, so snake_case names stay as they are. */
  wordBound: boolean;
}

const DELIMITERS: readonly Delimiter[] = [
  { marker: '**', style: 'bold', wordBound: false },
  { marker: '__', style: 'bold', wordBound: true },
  { marker: '~~', style: 'strike', wordBound: false },
  { marker: '||', style: 'spoiler', wordBound: false },
  { marker: '*', style: 'italic', wordBound: false },
  { marker: '_', style: 'italic', wordBound: true },
];

/** The emphasis delimiter at `i` (the longer of `**` and `*` first), by its first character: this runs at every marker. */
function delimiterAt(text: string, i: number): Delimiter | undefined {
  const c = text.charCodeAt(i);
  if (c !== 0x2a && c !== 0x5f && c !== 0x7e && c !== 0x7c) return undefined; // * _ ~ |
  for (const d of DELIMITERS) if (text.startsWith(d.marker, i)) return d;
  return undefined;
}

/** Text with no character that could start markup (a long reply is mostly such runs); an `h` only starts a URL. */
const PLAIN_RUN = /[^`\\[!*_~|<h]*(?:h(?!ttps?:\/\/)[^`\\[!*_~|<h]*)*/y;
/** Some markup may be in a text that matches this; one that does not is its own plain text. */
const MAY_HOLD_MARKUP = /[`\\[!*_~|<:]/; // ':' for a URL: one character class scans fastest
const LINK = /!?\[([^\]\n]*)\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/y;
const AUTOLINK = /<((?:https?|mailto):[^>\s]+)>/y;
const BARE_URL = /https?:\/\/[^\s<>()]+/y;
const ESCAPABLE = /[\\`*_{}[\]()#+\-.!|~>]/;

const isSpace = (ch: string | undefined): boolean => ch === undefined || /\s/.test(ch);
const isWordChar = (ch: string | undefined): boolean => ch !== undefined && /[\p{L}\p{N}]/u.test(ch);

/** Index of the marker that closes an emphasis opened before `from`, or -1. */
function findCloser(text: string, from: number, d: Delimiter): number {
  let j = from;
  while (j < text.length) {
    const at = text.indexOf(d.marker, j);
    if (at < 0) return -1;
    const before = text[at - 1];
    const after = text[at + d.marker.length];
    // A single `*` must not be half of a `**` pair (that one belongs to bold).
    const partOfLonger = d.marker.length === 1 && (after === d.marker || before === d.marker);
    const closes = at > from && !isSpace(before) && !partOfLonger && (!d.wordBound || !isWordChar(after));
    if (closes) return at;
    j = partOfLonger ? at + 2 : at + 1;
  }
  return -1;
}

/** The end of a code span whose opening run of `n` backticks ends at `from`: a run of exactly n, or -1. */
function codeSpanEnd(text: string, from: number, n: number): number {
  for (let at = text.indexOf('`', from); at >= 0; at = text.indexOf('`', at)) {
    let end = at;
    while (text[end] === '`') end++;
    if (end - at === n) return at;
    at = end;
  }
  return -1;
}

class InlineParser {
  private readonly out: InlineNode[] = [];
  /** Where each node other than text starts and ends in the source, as [start, end) pairs. */
  readonly spans: number[] = [];
  private i = 0;

  constructor(
    private readonly text: string,
    private readonly links: boolean,
    /** Only where entities start and end is wanted: their contents are not parsed into children. */
    private readonly spansOnly = false,
  ) {}

  parse(): InlineNode[] {
    const { text } = this;
    while (this.i < text.length) {
      // test() and lastIndex, not exec(): no match array per run of plain text.
      PLAIN_RUN.lastIndex = this.i;
      const runEnd = PLAIN_RUN.test(text) ? PLAIN_RUN.lastIndex : this.i;
      if (runEnd > this.i) {
        this.addText(text.slice(this.i, runEnd));
        this.i = runEnd;
        continue;
      }
      const start = this.i;
      if (!this.markup()) this.addText(text[this.i++]!);
      else if (this.out[this.out.length - 1]?.kind !== 'text') this.spans.push(start, this.i);
    }
    return this.out;
  }

  /** Takes the markup at `i` when there is some; false when the character there is only text. */
  private markup(): boolean {
    const { text, i } = this;
    const ch = text[i]!;
    if (ch === '\\') return this.escape();
    if (ch === '`') return this.codeSpan();
    if (ch === 'h') return this.bareUrl();
    if (ch === '<') return this.sticky(AUTOLINK, (m) => ({ kind: 'url', url: m[1]!, bracketed: true }));
    if ((ch === '[' || ch === '!') && this.links) {
      return this.sticky(LINK, (m) => ({ kind: 'link', url: m[2]!, children: this.children(m[1]!, false), source: m[0] }));
    }
    const d = delimiterAt(text, i);
    return d ? this.emphasis(d) : false;
  }

  private escape(): boolean {
    const next = this.text[this.i + 1];
    if (next === undefined || !ESCAPABLE.test(next)) return false;
    this.addText(next);
    this.i += 2;
    return true;
  }

  private codeSpan(): boolean {
    const { text, i } = this;
    let open = i;
    while (text[open] === '`') open++;
    const n = open - i;
    const end = codeSpanEnd(text, open, n);
    if (end <= open) {
      this.addText(text.slice(i, open)); // the whole run is literal, not one backtick at a time
      this.i = open;
      return true;
    }
    const code = text.slice(open, end);
    const padded = code.length > 2 && code.startsWith(' ') && code.endsWith(' ') && code.trim() !== '';
    this.out.push({ kind: 'code', text: padded ? code.slice(1, -1) : code });
    this.i = end + n;
    return true;
  }

  private bareUrl(): boolean {
    if (isWordChar(this.text[this.i - 1])) return false;
    return this.sticky(BARE_URL, (m) => ({ kind: 'url', url: m[0], bracketed: false }));
  }

  private sticky(re: RegExp, node: (m: RegExpExecArray) => InlineNode): boolean {
    re.lastIndex = this.i;
    const m = re.exec(this.text);
    if (!m) return false;
    this.out.push(node(m));
    this.i += m[0].length;
    return true;
  }

  private emphasis(d: Delimiter): boolean {
    const { text, i } = this;
    const inner = i + d.marker.length;
    const next = text[inner];
    const opens = !isSpace(next) && next !== d.marker[0] && (!d.wordBound || !isWordChar(text[i - 1]));
    const closer = opens ? findCloser(text, inner, d) : -1;
    if (closer > 0) {
      this.out.push({ kind: 'style', style: d.style, children: this.children(text.slice(inner, closer), this.links) });
      this.i = closer + d.marker.length;
    } else {
      this.addText(d.marker);
      this.i = inner;
    }
    return true;
  }

  private children(text: string, links: boolean): InlineNode[] {
    return this.spansOnly ? [] : parseInline(text, links);
  }

  private addText(text: string): void {
    const last = this.out[this.out.length - 1];
    if (last?.kind === 'text') last.text += text;
    else this.out.push({ kind: 'text', text });
  }
}

/** The inline tree of one line (or one block's text); `links` false inside a link's label. */
export function parseInline(text: string, links = true): InlineNode[] {
  if (!MAY_HOLD_MARKUP.test(text)) return text ? [{ kind: 'text', text }] : [];
  return new InlineParser(text, links).parse();
}

/**
 * Where the entities of a line (code spans, links, URLs, emphasis) start and end, as flat
 * [start, end) pairs in text order: a cut strictly inside one would break it. A prefix of a line
 * yields the entities of the whole line that close within it (the first closer always wins).
 */
export function inlineSpans(text: string): number[] {
  // Every entity starts with a character that may hold markup: a line without one has none.
  if (!MAY_HOLD_MARKUP.test(text)) return [];
  const parser = new InlineParser(text, true, true);
  parser.parse();
  return parser.spans;
}
