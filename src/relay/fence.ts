// Markdown code fences: which one is open at a point of the text, and how to close / reopen it
// when a message boundary falls inside it.

export interface Fence {
  /** The fence run, e.g. "```" or "~~~~"; the closing line repeats it. */
  marker: string;
  /** The opening line as written, e.g. "```ts": reopening repeats the language tag. */
  opener: string;
}

const FENCE_LINE = /^ {0,3}(`{3,}|~{3,})(.*)$/;

/** The fence still open after `text`, given the one open before it. */
export function fenceAfter(open: Fence | null, text: string): Fence | null {
  let fence = open;
  let from = 0;
  while (from <= text.length) {
    let to = text.indexOf('\n', from);
    if (to < 0) to = text.length;
    const line = text.slice(from, to).replace(/\r$/, '');
    from = to + 1;
    const m = FENCE_LINE.exec(line);
    if (!m) continue;
    const marker = m[1]!;
    const info = m[2]!;
    if (!fence) {
      // A backtick fence's info string cannot hold backticks: "```a```" is inline code.
      if (marker.startsWith('`') && info.includes('`')) continue;
      fence = { marker, opener: line.trim() };
    } else if (marker[0] === fence.marker[0] && marker.length >= fence.marker.length && info.trim() === '') {
      fence = null;
    }
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
