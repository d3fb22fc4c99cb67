// The chunk of a streamed reply being written: the reply text from where the chunk starts, grown
// by each delta, and the draft of it that can be shown now. A delta costs its own length and the
// current chunk's, never the whole reply's.
import { reopenFence, type Fence } from '../format/fence.js';
import { fitLength, skipLeadingWhitespace, type Measure } from '../format/split.js';
import type { ReplySource } from './reply-buffer.js';

export class ChunkWindow {
  /** Where the current chunk starts in the reply text, and the fence open there. */
  start = 0;
  fence: Fence | null = null;
  /** The reply text from `start` on. */
  text = '';
  /**
   * Bounds measure(text) from above (measures are subadditive): a window that surely fits is not
   * measured again per delta. Unknown until asked: a finished reply is cut chunk by chunk without
   * it, and measuring each rest of a long reply whole would cost its length per chunk.
   */
  private bound: number | undefined = 0;
  /**
   * The window without its trailing whitespace, and that whitespace: grown per delta, because
   * trimming (or reading the end of) the grown window would copy the whole chunk per delta.
   */
  private body = '';
  private tail = '';
  private readCursor = 0;

  constructor(
    private readonly measure: Measure,
    private readonly maxChars: number,
  ) {}

  /** Whitespace follows the window's text: its last word is complete. */
  get atWordEnd(): boolean {
    return this.tail !== '';
  }

  /** Appends the deltas not read yet. */
  pull(source: ReplySource): void {
    const { fresh, cursor } = source.readFrom(this.readCursor);
    this.readCursor = cursor;
    if (!fresh) return;
    // Outside a fence a non-empty window already starts with text: looking at it again would
    // flatten the grown window (a copy of the whole chunk per delta), so only a blank start is trimmed.
    const blankStart = this.text === '';
    this.text += fresh;
    if (this.bound !== undefined) this.bound += this.measure(fresh);
    this.growEnd(fresh);
    if (blankStart) this.skipLeadingWhitespace();
  }

  /** The window becomes the rest of `reply` (the complete text, which may be cut short by a cap). */
  resetTo(reply: string): void {
    this.set(reply.slice(this.start));
    this.skipLeadingWhitespace();
  }

  /** The first `consumed` units became a message; the next chunk starts inside `fence`. */
  advance(consumed: number, fence: Fence | null): void {
    this.start += consumed;
    this.fence = fence;
    this.set(this.text.slice(consumed));
    this.skipLeadingWhitespace();
  }

  /** True when head + window surely fits in one message (without measuring the window again). */
  fits(head = reopenFence(this.fence)): boolean {
    this.bound ??= this.measure(this.text);
    return this.measure(head) + this.bound <= this.maxChars;
  }

  /** The window was found to fit whole: measure it exactly once, so later deltas skip the split search. */
  measuredWhole(): void {
    this.bound = Math.min(this.bound ?? Infinity, this.measure(this.text));
  }

  /** The current chunk as it can be shown now: cut to the limit while its split is undecided. */
  draft(): string {
    const rest = this.text;
    if (this.body === '') return '';
    const head = reopenFence(this.fence);
    const room = this.fits(head) ? rest.length : fitLength(head, rest, this.maxChars, this.measure);
    if (room === rest.length) return head + this.body;
    return (head + rest.slice(0, room)).trimEnd();
  }

  private set(text: string): void {
    this.text = text;
    this.bound = undefined;
    this.resetEnd();
  }

  private growEnd(fresh: string): void {
    const textEnd = fresh.trimEnd().length;
    if (textEnd === 0) {
      this.tail += fresh;
      return;
    }
    this.body += this.tail + fresh.slice(0, textEnd);
    this.tail = fresh.slice(textEnd);
  }

  private resetEnd(): void {
    this.body = this.text.trimEnd();
    this.tail = this.text.slice(this.body.length);
  }

  /** A chunk outside a fence never starts with blanks. */
  private skipLeadingWhitespace(): void {
    if (this.fence) return;
    const skip = skipLeadingWhitespace(this.text, 0);
    if (skip === 0) return;
    this.start += skip;
    this.text = this.text.slice(skip);
    this.resetEnd();
  }
}
