// Model markdown -> Telegram HTML (parse_mode HTML), rendered from the shared block and inline
// parsers (blocks.ts, inline.ts). Telegram supports only a few tags and rejects the whole message
// on one bad entity, so tags are emitted strictly in pairs, every <, > and & in text is escaped,
// and a marker with no partner stays literal. The visible text is never longer than the
// markdown, so a chunk that fits 4,096 units as markdown still fits once rendered.
import { parseBlocks, type Block } from './blocks.js';
import { fenceLanguage } from './fence.js';
import { parseInline, type InlineNode, type InlineStyle } from './inline.js';

/** Schemes a link may carry; anything else stays literal text (javascript: and friends). */
const LINK_SCHEMES = /^(https?:\/\/|tg:\/\/|mailto:)/i;
const TAGS: Record<InlineStyle, string> = { bold: 'b', italic: 'i', strike: 's', spoiler: 'tg-spoiler' };

const HTML_SPECIAL = /[&<>]/;
const HTML_SPECIALS = /[&<>]/g;
const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/** One pass, and none for text without a special character (most text nodes of a reply). */
export function escapeHtml(text: string): string {
  return HTML_SPECIAL.test(text) ? text.replace(HTML_SPECIALS, (c) => HTML_ESCAPES[c]!) : text;
}

function escapeAttr(text: string): string {
  return escapeHtml(text).replace(/"/g, '&quot;');
}

function nodesToHtml(nodes: InlineNode[]): string {
  let out = '';
  for (const node of nodes) {
    switch (node.kind) {
      case 'text':
        out += escapeHtml(node.text);
        break;
      case 'code':
        out += `<code>${escapeHtml(node.text)}</code>`;
        break;
      case 'url':
        // Telegram links a bare URL itself; a bracketed one loses its brackets.
        out += node.bracketed ? `<a href="${escapeAttr(node.url)}">${escapeHtml(node.url)}</a>` : escapeHtml(node.url);
        break;
      case 'link': {
        const label = nodesToHtml(node.children);
        if (!LINK_SCHEMES.test(node.url)) out += escapeHtml(node.source);
        else out += `<a href="${escapeAttr(node.url)}">${label || escapeHtml(node.url)}</a>`;
        break;
      }
      case 'style':
        out += `<${TAGS[node.style]}>${nodesToHtml(node.children)}</${TAGS[node.style]}>`;
        break;
      default:
        node satisfies never;
    }
  }
  return out;
}

/** Renders one line's inline markdown. */
export function inlineToHtml(text: string): string {
  return nodesToHtml(parseInline(text));
}

function codeBlock(lines: string[], info: string): string {
  const body = escapeHtml(lines.join('\n'));
  const lang = fenceLanguage(info).replace(/[^\w+#.-]/g, '');
  return lang ? `<pre><code class="language-${lang}">${body}</code></pre>` : `<pre>${body}</pre>`;
}

/** HTML of one block outside code and quotes. */
function lineToHtml(block: Exclude<Block, { kind: 'fence-open' | 'fence-close' | 'code' | 'quote' }>): string {
  switch (block.kind) {
    case 'blank':
      return '';
    case 'rule':
    case 'table-divider':
    case 'table-row':
      return escapeHtml(block.source);
    case 'heading':
      return block.text ? `<b>${inlineToHtml(block.text)}</b>` : '';
    case 'item':
      return escapeHtml(block.prefix) + inlineToHtml(block.text);
    case 'paragraph':
      return inlineToHtml(block.text);
    default:
      return block satisfies never;
  }
}

/** Markdown as models write it -> Telegram HTML. Always well-formed; unknown syntax stays text. */
export function markdownToTelegramHtml(markdown: string): string {
  const out: string[] = [];
  let code: { lines: string[]; info: string } | undefined;
  let quote: { lines: string[]; expandable: boolean } | undefined;
  const flushQuote = (): void => {
    if (quote) out.push(`<blockquote${quote.expandable ? ' expandable' : ''}>${quote.lines.join('\n')}</blockquote>`);
    quote = undefined;
  };
  for (const block of parseBlocks(markdown)) {
    if (block.kind !== 'quote' || block.start || quote?.expandable !== block.expandable) flushQuote();
    switch (block.kind) {
      case 'fence-open':
        code = { lines: [], info: block.info };
        break;
      case 'code':
        code?.lines.push(block.text);
        break;
      case 'fence-close':
        if (code) out.push(codeBlock(code.lines, code.info));
        code = undefined;
        break;
      case 'quote':
        quote ??= { lines: [], expandable: block.expandable };
        quote.lines.push(inlineToHtml(block.text));
        break;
      case 'blank':
      case 'rule':
      case 'heading':
      case 'item':
      case 'table-divider':
      case 'table-row':
      case 'paragraph':
        out.push(lineToHtml(block));
    }
  }
  flushQuote();
  // An unclosed fence (a cut-off answer) still renders as code to the end.
  if (code) out.push(codeBlock(code.lines, code.info));
  return out.join('\n');
}
