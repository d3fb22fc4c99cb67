// Model markdown -> Telegram HTML (parse_mode HTML). Telegram supports only a few tags, and
// rejects the whole message on one bad entity, so the renderer emits tags strictly in pairs,
// escapes every <, > and & in text, and leaves a marker literal when it has no partner
// (an unbalanced `*` stays a `*`). The visible text is never longer than the markdown, so a
// chunk that fits 4,096 units as markdown still fits once rendered. Code fences follow the one
// grammar the splitter and the plain-text renderer use (src/format/fence.ts).
import { closesFence, fenceLanguage, parseFenceOpening, stripFenceIndent } from './fence.js';

/** Schemes a link may carry; anything else stays literal text (javascript: and friends). */
const LINK_SCHEMES = /^(https?:\/\/|tg:\/\/|mailto:)/i;
const HEADING = /^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$/;
const QUOTE = /^\s{0,3}>\s?(.*)$/;
const EXPANDABLE_QUOTE = /^\*\*>\s?(.*)$/;
const LINK = /^\[([^\]\n]+)\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/;

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeAttr(text: string): string {
  return escapeHtml(text).replace(/"/g, '&quot;');
}

const isSpace = (ch: string | undefined) => ch === undefined || /\s/.test(ch);
const isWordChar = (ch: string | undefined) => ch !== undefined && /[\p{L}\p{N}]/u.test(ch);

interface Delimiter {
  marker: string;
  tag: string;
  /** `_` only counts at word edges, so snake_case names stay as they are. */
  wordBound: boolean;
}

const DELIMITERS: Delimiter[] = [
  { marker: '**', tag: 'b', wordBound: false },
  { marker: '__', tag: 'b', wordBound: true },
  { marker: '~~', tag: 's', wordBound: false },
  { marker: '*', tag: 'i', wordBound: false },
  { marker: '_', tag: 'i', wordBound: true },
];

/** Index of the closing marker for an emphasis opened at `from`, or -1. */
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

/** Text with nothing to escape and no markup character in it. */
const PLAIN_RUN = /[^`[*_~&<>]+/y;

/** Renders one line's inline markdown; recursion keeps every emitted tag paired. */
function renderInline(text: string, allowLinks = true): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    // A run without markup characters goes out whole (a long reply is mostly such runs).
    PLAIN_RUN.lastIndex = i;
    const run = PLAIN_RUN.exec(text);
    if (run) {
      out += run[0];
      i += run[0].length;
      continue;
    }
    const ch = text[i]!;

    if (ch === '`') {
      const run = /^`+/.exec(text.slice(i))![0];
      const end = text.indexOf(run, i + run.length);
      if (end > i + run.length) {
        const code = text.slice(i + run.length, end);
        out += `<code>${escapeHtml(code.length > 2 && code.startsWith(' ') && code.endsWith(' ') ? code.slice(1, -1) : code)}</code>`;
        i = end + run.length;
        continue;
      }
      out += escapeHtml(run);
      i += run.length;
      continue;
    }

    if (ch === '[' && allowLinks) {
      const link = LINK.exec(text.slice(i));
      if (link && LINK_SCHEMES.test(link[2]!)) {
        out += `<a href="${escapeAttr(link[2]!)}">${renderInline(link[1]!, false)}</a>`;
        i += link[0].length;
        continue;
      }
    }

    const d = DELIMITERS.find((x) => text.startsWith(x.marker, i));
    if (d) {
      const next = text[i + d.marker.length];
      const opens = !isSpace(next) && next !== d.marker[0] && (!d.wordBound || !isWordChar(text[i - 1]));
      const closer = opens ? findCloser(text, i + d.marker.length, d) : -1;
      if (closer > 0) {
        out += `<${d.tag}>${renderInline(text.slice(i + d.marker.length, closer), allowLinks)}</${d.tag}>`;
        i = closer + d.marker.length;
        continue;
      }
      out += escapeHtml(d.marker);
      i += d.marker.length;
      continue;
    }

    out += escapeHtml(ch);
    i += 1;
  }
  return out;
}

function renderCodeBlock(lines: string[], language: string): string {
  const body = escapeHtml(lines.join('\n'));
  const lang = language.replace(/[^\w+#.-]/g, '');
  return lang ? `<pre><code class="language-${lang}">${body}</code></pre>` : `<pre>${body}</pre>`;
}

/** Markdown as models write it -> Telegram HTML. Always well-formed; unknown syntax stays text. */
export function markdownToTelegramHtml(markdown: string): string {
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  const out: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    const fence = parseFenceOpening(line);
    if (fence) {
      const body: string[] = [];
      let j = i + 1;
      while (j < lines.length && !closesFence(fence.marker, lines[j]!)) body.push(stripFenceIndent(lines[j++]!, fence.indent));
      // An unclosed fence (a cut-off answer) still renders as code to the end.
      out.push(renderCodeBlock(body, fenceLanguage(fence.info)));
      i = j + 1;
      continue;
    }
    const expandable = EXPANDABLE_QUOTE.exec(line);
    if (expandable) {
      // Telegram's markdown spelling of a collapsed quote: `**>first`, `>more`, last line ends `||`.
      const quoted = [expandable[1]!];
      i += 1;
      while (!quoted.at(-1)!.endsWith('||') && i < lines.length && QUOTE.test(lines[i]!)) quoted.push(QUOTE.exec(lines[i++]!)![1]!);
      quoted[quoted.length - 1] = quoted.at(-1)!.replace(/\|\|$/, '');
      out.push(`<blockquote expandable>${quoted.map((q) => renderInline(q)).join('\n')}</blockquote>`);
      continue;
    }
    if (QUOTE.test(line)) {
      const quoted: string[] = [];
      while (i < lines.length && QUOTE.test(lines[i]!)) quoted.push(renderInline(QUOTE.exec(lines[i++]!)![1]!));
      out.push(`<blockquote>${quoted.join('\n')}</blockquote>`);
      continue;
    }
    const heading = HEADING.exec(line);
    out.push(heading ? `<b>${renderInline(heading[1]!)}</b>` : renderInline(line));
    i += 1;
  }
  return out.join('\n');
}
