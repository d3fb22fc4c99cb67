// The fake Bot API's own parse_mode=HTML parser, written from Telegram's documented rules and
// independent of the adapter's renderer, so a renderer bug cannot hide behind a shared helper.
// Returns the visible text and entities (offsets in UTF-16 units), or the error description
// Telegram answers ("Bad Request: can't parse entities: ...").

export interface ParsedEntity {
  type: string;
  offset: number;
  length: number;
  url?: string;
  language?: string;
}

export type HtmlParseResult = { ok: true; text: string; entities: ParsedEntity[] } | { ok: false; error: string };

/** Tag name -> entity type, as listed under "HTML style" in the Bot API docs. */
const TAG_TYPES: Record<string, string> = {
  b: 'bold',
  strong: 'bold',
  i: 'italic',
  em: 'italic',
  u: 'underline',
  ins: 'underline',
  s: 'strikethrough',
  strike: 'strikethrough',
  del: 'strikethrough',
  'tg-spoiler': 'spoiler',
  span: 'spoiler',
  a: 'text_link',
  code: 'code',
  pre: 'pre',
  blockquote: 'blockquote',
  'tg-emoji': 'custom_emoji',
};

const NAMED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };

interface OpenTag {
  name: string;
  type: string;
  start: number;
  attrs: Record<string, string>;
}

const fail = (why: string): HtmlParseResult => ({ ok: false, error: `Bad Request: can't parse entities: ${why}` });

function byteOffset(html: string, index: number): number {
  return Buffer.byteLength(html.slice(0, index), 'utf8');
}

/** Decodes `&...;` at `i`; undefined when it is not an entity (then `&` is literal, as on Telegram). */
function decodeEntity(html: string, i: number): { text: string; end: number } | undefined {
  const m = /^&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-zA-Z]{2,8});/.exec(html.slice(i, i + 12));
  if (!m) return undefined;
  const body = m[1]!;
  let text: string | undefined;
  if (body.startsWith('#x')) text = String.fromCodePoint(parseInt(body.slice(2), 16));
  else if (body.startsWith('#')) text = String.fromCodePoint(parseInt(body.slice(1), 10));
  else text = NAMED_ENTITIES[body.toLowerCase()];
  return text === undefined ? undefined : { text, end: i + m[0].length };
}

function parseAttrs(raw: string): Record<string, string> | undefined {
  const attrs: Record<string, string> = {};
  // A bare attribute (`<blockquote expandable>`) has no value.
  const re = /\s*([a-zA-Z-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?\s*/y;
  let pos = 0;
  while (pos < raw.length) {
    re.lastIndex = pos;
    const m = re.exec(raw);
    if (!m) return raw.slice(pos).trim() === '' ? attrs : undefined;
    attrs[m[1]!.toLowerCase()] = (m[2] ?? m[3] ?? m[4] ?? '').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
    pos = re.lastIndex;
  }
  return attrs;
}

export function parseTelegramHtml(html: string): HtmlParseResult {
  let text = '';
  const entities: ParsedEntity[] = [];
  const stack: OpenTag[] = [];
  let i = 0;
  while (i < html.length) {
    const ch = html[i]!;
    if (ch === '&') {
      const decoded = decodeEntity(html, i);
      if (decoded) {
        text += decoded.text;
        i = decoded.end;
      } else {
        text += '&';
        i += 1;
      }
      continue;
    }
    if (ch !== '<') {
      text += ch;
      i += 1;
      continue;
    }
    const close = html.indexOf('>', i);
    if (close < 0) return fail(`Unclosed start tag at byte offset ${byteOffset(html, i)}`);
    const inner = html.slice(i + 1, close);
    if (inner.startsWith('/')) {
      const name = inner.slice(1).trim().toLowerCase();
      const open = stack.pop();
      if (!open) return fail(`Unexpected end tag at byte offset ${byteOffset(html, i)}`);
      if (name !== '' && name !== open.name) {
        return fail(`Unmatched end tag at byte offset ${byteOffset(html, i)}, expected "</${open.name}>", found "</${name}>"`);
      }
      const entity: ParsedEntity = { type: open.type, offset: open.start, length: text.length - open.start };
      if (open.type === 'text_link') entity.url = open.attrs.href;
      const parent = stack.at(-1);
      const isPreCode = open.type === 'code' && parent?.type === 'pre';
      // <pre><code class="language-x"> is one pre entity with a language, not two entities.
      if (isPreCode && open.attrs.class?.startsWith('language-')) parent!.attrs.language = open.attrs.class.slice(9);
      if (open.type === 'pre' && open.attrs.language) entity.language = open.attrs.language;
      if (entity.length > 0 && !isPreCode) entities.push(entity);
      i = close + 1;
      continue;
    }
    const nameMatch = /^([a-zA-Z][a-zA-Z0-9-]*)/.exec(inner);
    const name = nameMatch?.[1]?.toLowerCase();
    if (!name || !(name in TAG_TYPES)) {
      return fail(`Unsupported start tag "${name ?? inner.slice(0, 10)}" at byte offset ${byteOffset(html, i)}`);
    }
    const attrs = parseAttrs(inner.slice(name.length));
    if (!attrs) return fail(`Unclosed start tag at byte offset ${byteOffset(html, i)}`);
    if (name === 'span' && attrs.class !== 'tg-spoiler') {
      return fail(`Tag "span" must have class "tg-spoiler" at byte offset ${byteOffset(html, i)}`);
    }
    if (name === 'a' && !attrs.href) return fail(`Tag "a" must have attribute "href"`);
    if (stack.some((t) => t.type === 'code' || t.type === 'pre') && name !== 'code') {
      return fail(`Tag "${name}" can't be nested inside a code entity at byte offset ${byteOffset(html, i)}`);
    }
    const type = name === 'blockquote' && 'expandable' in attrs ? 'expandable_blockquote' : TAG_TYPES[name]!;
    stack.push({ name, type, start: text.length, attrs });
    i = close + 1;
  }
  if (stack.length > 0) return fail(`Can't find end tag corresponding to start tag "${stack.at(-1)!.name}"`);
  return { ok: true, text, entities };
}
