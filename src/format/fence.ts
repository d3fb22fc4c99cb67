// Markdown code fences, one grammar for every renderer (the splitter, markdown -> plain text,
// markdown -> Telegram HTML), after CommonMark 0.31 §4.5:
// - an opening fence is up to 3 spaces of indentation, then 3+ backticks or 3+ tildes, then an
//   info string (a backtick fence's info string may not contain a backtick: "```a```" is inline code);
// - a closing fence is up to 3 spaces, then the same character at least as many times, then only
//   spaces or tabs. So "```python" inside an open backtick fence is content, not a close: a
//   closing fence has no info string;
// - a fence never closed runs to the end of the text (a reply cut by max_tokens);
// - content lines lose up to as many leading spaces as the opening fence was indented.
// Containers (quotes, list items) are not tracked: a fence counts only at the top level.

export interface Fence {
  /** The fence run, e.g. "```" or "~~~~"; the closing line repeats it. */
  marker: string;
  /** The opening line as written, e.g. "```ts": reopening repeats the language tag. */
  opener: string;
  /** Spaces before the opening marker (0-3): content lines lose as many. */
  indent?: number;
}

/** An opening fence line, parsed. */
export interface FenceOpening {
  marker: string;
  /** The info string, trimmed ("ts", "python title=x", ""). */
  info: string;
  /** Spaces before the marker (0-3). */
  indent: number;
}

const FENCE_LINE = /^( {0,3})(`{3,}|~{3,})(.*)$/;
const ONLY_BLANKS = /^[ \t]*$/;

const withoutCr = (line: string): string => (line.endsWith('\r') ? line.slice(0, -1) : line);

/** The fence `line` opens, or null when it opens none. */
export function parseFenceOpening(line: string): FenceOpening | null {
  const m = FENCE_LINE.exec(withoutCr(line));
  if (!m) return null;
  const marker = m[2]!;
  const info = m[3]!;
  if (marker.startsWith('`') && info.includes('`')) return null;
  return { marker, info: info.trim(), indent: m[1]!.length };
}

/** True when `line` closes a fence opened with `marker`. */
export function closesFence(marker: string, line: string): boolean {
  const m = FENCE_LINE.exec(withoutCr(line));
  return m !== null && m[2]![0] === marker[0] && m[2]!.length >= marker.length && ONLY_BLANKS.test(m[3]!);
}

/** The language of an info string: its first word ("python title=x" -> "python"). */
export function fenceLanguage(info: string): string {
  return info.split(/[ \t]/, 1)[0] ?? '';
}

/** A content line without the opening fence's indentation (at most `indent` spaces go). */
export function stripFenceIndent(line: string, indent: number): string {
  let n = 0;
  while (n < indent && line[n] === ' ') n++;
  return line.slice(n);
}

/** What one line does to the fence state: the fence open after it, and the opening's info string and indent. */
export interface FenceStep {
  fence: Fence | null;
  info: string;
  indent: number;
}

/** One line through the fence state machine (the only place fences open and close). */
export function fenceStep(open: Fence | null, line: string): FenceStep {
  if (open) return { fence: closesFence(open.marker, line) ? null : open, info: '', indent: open.indent ?? 0 };
  const opening = parseFenceOpening(line);
  if (!opening) return { fence: null, info: '', indent: 0 };
  return { fence: { marker: opening.marker, opener: withoutCr(line).trim(), indent: opening.indent }, info: opening.info, indent: opening.indent };
}

/** The fence still open after `text`, given the one open before it. */
export function fenceAfter(open: Fence | null, text: string): Fence | null {
  let fence = open;
  let from = 0;
  while (from <= text.length) {
    let to = text.indexOf('\n', from);
    if (to < 0) to = text.length;
    fence = fenceStep(fence, text.slice(from, to)).fence;
    from = to + 1;
  }
  return fence;
}

/** Text that starts a chunk continuing inside `fence`. */
export function reopenFence(fence: Fence | null): string {
  return fence ? `${fence.opener}\n` : '';
}

/** Text that ends a chunk cut inside `fence`. */
export function closeFence(fence: Fence | null): string {
  return fence ? `\n${fence.marker}` : '';
}
