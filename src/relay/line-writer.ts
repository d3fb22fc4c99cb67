// Writes one reply as plain lines (MUD): markdown flattened, lines wrapped to the display width,
// sent as they complete, one per pacing interval, up to maxLines; the rest is held for `more`.
import type { Logger } from '../log.js';
import type { LineModeLimits, Surface } from '../types.js';
import type { Clock } from './clock.js';
import type { ReplySource } from './reply-buffer.js';
import { alreadyRetried } from './message-writer.js';
import { PlainLines, inlineToPlain, toSingleLine } from '../format/markdown.js';
import { wrapLine } from '../format/wrap.js';
import { StableCut } from './line-cut.js';

/**
 * When a channel last received a line. One per Surface (the StreamRelay keeps them in a WeakMap),
 * so a `more` right after an answer still respects the flood pacing of that channel.
 */
export class LinePacer {
  lastSentAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly clock: Clock) {}

  /**
   * Waits for the channel's next slot; false when `stop` aborted the wait. A free slot is taken
   * at once, without a promise: a long reply sends thousands of lines.
   */
  waitForSlot(pacingMs: number, stop?: AbortSignal): boolean | Promise<boolean> {
    const wait = this.lastSentAt + pacingMs - this.clock.now();
    if (wait <= 0) return !stop?.aborted;
    return this.clock.sleep(wait, stop).then(() => !stop?.aborted);
  }

  markSent(): void {
    this.lastSentAt = this.clock.now();
  }
}

/** Plain, wrapped lines of one line-mode surface, from raw plain lines. */
export function wrapForSurface(plain: string, limits: LineModeLimits): string[] {
  return wrapLine(toSingleLine(plain), limits.width, limits.fits);
}

/** A partial line longer than this many widths is worth sending in wrapped pieces before its newline. */
const LONG_LINE_WIDTHS = 2;

/**
 * Lines waiting for their slot, taken from the front by an index: Array#shift moves every line
 * left, and a 1 MB reply queues some 14k lines.
 */
class LineQueue {
  private lines: string[] = [];
  private head = 0;

  get size(): number {
    return this.lines.length - this.head;
  }

  push(lines: readonly string[]): void {
    for (const line of lines) this.lines.push(line);
  }

  shift(): string {
    const line = this.lines[this.head++]!;
    if (this.head === this.lines.length) this.clear();
    return line;
  }

  /** Puts back the line just taken. */
  unshift(line: string): void {
    if (this.head > 0) this.lines[--this.head] = line;
    else this.lines.unshift(line);
  }

  /** Everything still queued, in order; the queue is left empty. */
  takeAll(): string[] {
    const rest = this.lines.slice(this.head);
    this.clear();
    return rest;
  }

  clear(): void {
    this.lines = [];
    this.head = 0;
  }
}

export class LineWriter {
  sentLines = 0;
  readonly pendingLines: string[] = [];
  deliveryError: unknown = undefined;

  private readonly limits: LineModeLimits;
  private readonly plain = new PlainLines();
  private readonly queue = new LineQueue();
  /** How much of the reply text has been turned into lines. */
  private consumed = 0;
  /**
   * A long line sent in pieces before its newline: the plain text of its last wrapped line,
   * still open to words that follow ('' when no line is in progress).
   */
  private carry = '';
  /** Where the open line (from `consumed` on) can be cut, kept as its characters arrive. */
  private readonly cuts = new StableCut();
  /** The reply text from `windowStart` (= `consumed` between deltas) on, and the deltas read so far. */
  private window = '';
  private windowStart = 0;
  private readCursor = 0;

  constructor(
    private readonly surface: Surface,
    private readonly pacer: LinePacer,
    private readonly logger: Logger | undefined,
    /** A stop ends sending at once: lines not yet sent are dropped, not held for `more`. */
    private readonly stop?: AbortSignal,
  ) {
    this.limits = surface.limits.lineMode!;
  }

  get hasShownText(): boolean {
    return this.sentLines > 0;
  }

  /** True when a stop cut the reply short here: lines of `text` were left unsent. */
  stoppedEarly(text: string): boolean {
    return this.stop?.aborted === true && (this.queue.size > 0 || this.consumed < text.length);
  }

  /** Sends the lines that completed so far (paced); a partial last line waits for its newline. */
  async progress(source: ReplySource): Promise<void> {
    const { fresh, cursor } = source.readFrom(this.readCursor);
    this.readCursor = cursor;
    if (!fresh) return this.drain();
    this.window += fresh;
    // Offsets stay absolute (in the whole reply); the window holds the reply from `base` on.
    // Only `fresh` is scanned: reading the window itself would copy a long unbroken line per delta.
    const base = this.windowStart;
    const end = base + this.window.length;
    const freshNewline = fresh.lastIndexOf('\n');
    const consumedBefore = this.consumed;
    if (freshNewline >= 0) {
      const lastNewline = end - fresh.length + freshNewline;
      for (const raw of this.window.slice(this.consumed - base, lastNewline - base).split('\n')) this.takeLine(raw);
      this.consumed = lastNewline + 1;
      this.cuts.reset();
    }
    this.cuts.feed(fresh, freshNewline + 1);
    this.takeLongPartialLine(end);
    // What became lines is never read again: the next delta costs its own length and the open line's.
    if (this.consumed !== consumedBefore) {
      this.window = this.window.slice(this.consumed - base);
      this.windowStart = this.consumed;
    }
    await this.drain();
  }

  /** One complete raw line (or the end of one already partly sent). */
  private takeLine(raw: string): void {
    if (!this.carry) return this.enqueue(this.plain.push(raw));
    const plain = toSingleLine(inlineToPlain(raw.replace(/\r$/, ''))).trimEnd();
    this.queue.push(this.wrap(this.carry + plain));
    this.carry = '';
  }

  /** Sends the wrapped lines a long unfinished line has already completed (a paragraph streams line by line). */
  private takeLongPartialLine(textLength: number): void {
    const cut = this.cuts.cut;
    if (this.plain.inCode || textLength - this.consumed <= LONG_LINE_WIDTHS * this.limits.width || cut === 0) return;
    const from = this.consumed - this.windowStart;
    const prefix = this.window.slice(from, from + cut);
    this.cuts.rebase();
    let plain: string;
    if (this.carry) {
      plain = this.carry + toSingleLine(inlineToPlain(prefix));
    } else {
      const lines = this.plain.push(prefix);
      plain = lines.at(-1) ?? '';
    }
    this.consumed += cut;
    if (!plain) return;
    const wrapped = this.wrap(plain);
    this.carry = wrapped.pop() ?? '';
    this.queue.push(wrapped);
  }

  /** The reply ended: flush the partial last line, then `notice` (error / stop) as a line of its own. */
  async finish(text: string, notice?: string): Promise<void> {
    if (this.stop?.aborted) this.queue.clear();
    else for (const raw of text.slice(this.consumed).split('\n')) this.takeLine(raw);
    this.consumed = text.length;
    this.carry = '';
    this.enqueue(this.plain.end());
    if (notice) this.queue.push(wrapForSurface(notice, this.limits));
    await this.drain(true);
  }

  /** Sends given lines as they are (already wrapped), the same pacing and cap. */
  async sendLines(lines: string[]): Promise<void> {
    this.queue.push(lines);
    await this.drain(true);
  }

  private enqueue(plainLines: string[]): void {
    for (const plain of plainLines) {
      if (plain === '') continue; // a paragraph break: an empty command would say nothing
      this.queue.push(this.wrap(plain));
    }
  }

  /** wrapForSurface for plain text already on one line (PlainLines' output, a carry): no second cleanup scan. */
  private wrap(plain: string): string[] {
    return wrapLine(plain, this.limits.width, this.limits.fits);
  }

  private async drain(ignoreStop = false): Promise<void> {
    const stop = ignoreStop ? undefined : this.stop;
    while (this.queue.size > 0) {
      if (stop?.aborted) return;
      const capReached = this.limits.maxLines !== undefined && this.sentLines >= this.limits.maxLines;
      if (capReached || this.pendingLines.length > 0) {
        for (const line of this.queue.takeAll()) this.pendingLines.push(line);
        return;
      }
      const line = this.queue.shift();
      // A free slot is taken in this turn: no promise of our own per line, only the send's.
      const slot = this.pacer.waitForSlot(this.limits.pacingMs, stop);
      if (!(slot === true || (slot !== false && (await slot)))) {
        this.queue.unshift(line);
        return;
      }
      try {
        await this.surface.send(line);
        this.lineSent();
      } catch (err) {
        await this.retry(line, err, stop);
      }
    }
  }

  private lineSent(): void {
    this.pacer.markSent();
    this.sentLines++;
  }

  /** A failed send is retried once, in the slot after (unless the platform already retried it). */
  private async retry(line: string, err: unknown, stop?: AbortSignal): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      this.pacer.markSent();
      this.logger?.warn({ err, channel: this.surface.channel, attempt }, 'relay: line send failed');
      if (attempt === 2 || alreadyRetried(err)) {
        this.deliveryError = err;
        return;
      }
      if (!(await this.pacer.waitForSlot(this.limits.pacingMs, stop))) {
        this.queue.unshift(line);
        return;
      }
      try {
        await this.surface.send(line);
        this.lineSent();
        return;
      } catch (next) {
        err = next;
      }
    }
  }
}
