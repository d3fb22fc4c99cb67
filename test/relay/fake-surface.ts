// A Surface that records everything and reports every breach of its own limits as a violation:
// too long, edited too soon, edited without a change, lines too wide or too fast, text lost.
import type { AudioFormat, EditOptions, ImageOutput, MessageRef, Platform, Surface, SurfaceLimits } from '../../src/types.js';
import { codePointLength } from '../../src/format/split.js';
import { displayWidth } from '../../src/format/width.js';
import { finalFrameGap, minFrameGap } from '../../src/relay/cadence.js';
import type { FakeClock } from './fake-clock.js';

export interface FakeWrite {
  at: number;
  text: string;
  kind: 'send' | 'edit';
  final: boolean;
}

export interface FakeMessage {
  id: number;
  writes: FakeWrite[];
  /** What the message shows now. */
  text: string;
}

export interface FakeSurfaceOptions {
  clock: FakeClock;
  limits?: Partial<SurfaceLimits>;
  platform?: Platform;
  channel?: string;
  /** Return true to make this call fail (after the checks). */
  failSend?: (text: string, attempt: number) => boolean;
  failEdit?: (message: FakeMessage, text: string, opts: EditOptions | undefined, attempt: number) => boolean;
}

export const DEFAULT_FAKE_LIMITS: SurfaceLimits = { maxChars: 2000, canEdit: true, minEditIntervalMs: 1000 };

const CONTROL_CHARS = /[\x00-\x1f\x7f-\x9f]/;

export class FakeSurface implements Surface {
  readonly platform: Platform;
  readonly channel: string;
  readonly limits: SurfaceLimits;
  readonly commandPrefix = '/';
  readonly messages: FakeMessage[] = [];
  /** Line mode: every line sent, with its time. */
  readonly lines: Array<{ at: number; text: string }> = [];
  readonly violations: string[] = [];
  typingCalls = 0;
  closeCalls = 0;
  sendAttempts = 0;
  editAttempts = 0;

  private readonly clock: FakeClock;
  private readonly opts: FakeSurfaceOptions;

  constructor(opts: FakeSurfaceOptions) {
    this.opts = opts;
    this.clock = opts.clock;
    this.platform = opts.platform ?? 'console';
    this.channel = opts.channel ?? 'fake:1';
    this.limits = { ...DEFAULT_FAKE_LIMITS, ...opts.limits };
  }

  private measure(text: string): number {
    return (this.limits.measure ?? codePointLength)(text);
  }

  private violate(what: string): void {
    this.violations.push(`[t=${this.clock.now()}] ${what}`);
  }

  private checkLength(text: string): void {
    if (text.trim() === '') this.violate(`empty message ${JSON.stringify(text)}`);
    const size = this.measure(text);
    if (size > this.limits.maxChars) this.violate(`message of ${size} > maxChars ${this.limits.maxChars}`);
    if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text)) this.violate('lone surrogate in a message');
  }

  private checkLine(text: string): void {
    const lm = this.limits.lineMode!;
    const width = displayWidth(text);
    if (width > lm.width) this.violate(`line of width ${width} > ${lm.width}: ${JSON.stringify(text)}`);
    if (lm.fits && !lm.fits(text)) this.violate(`line does not fit: ${JSON.stringify(text)}`);
    if (CONTROL_CHARS.test(text)) this.violate(`control character in line ${JSON.stringify(text)}`);
    if (text.trim() === '') this.violate('empty line');
    const prev = this.lines.at(-1);
    if (prev && this.clock.now() - prev.at < lm.pacingMs) this.violate(`line ${this.clock.now() - prev.at} ms after the previous (< ${lm.pacingMs})`);
  }

  async send(text: string, opts?: EditOptions): Promise<MessageRef> {
    await Promise.resolve();
    const attempt = ++this.sendAttempts;
    if (this.limits.lineMode) {
      this.checkLine(text);
      if (this.opts.failSend?.(text, attempt)) throw new Error('fake send failure');
      this.lines.push({ at: this.clock.now(), text });
      return this.lines.length;
    }
    this.checkLength(text);
    if (this.opts.failSend?.(text, attempt)) throw new Error('fake send failure');
    const message: FakeMessage = { id: this.messages.length + 1, writes: [{ at: this.clock.now(), text, kind: 'send', final: opts?.final === true }], text };
    this.messages.push(message);
    return message.id;
  }

  async edit(ref: MessageRef, text: string, opts?: EditOptions): Promise<void> {
    await Promise.resolve();
    const attempt = ++this.editAttempts;
    const message = this.messages.find((m) => m.id === ref);
    if (!message) return this.violate(`edit of unknown message ${String(ref)}`);
    if (!this.limits.canEdit) this.violate('edit on a surface without edits');
    const last = message.writes.at(-1)!;
    if (last.final) this.violate(`edit of message ${message.id} after its final edit`);
    const since = this.clock.now() - last.at;
    // Early frames (limits.cadence) may come sooner than the steady interval; final edits after finalGapMs.
    const frames = { frames: message.writes.length, lastWriteAt: last.at };
    const gap = opts?.final ? finalFrameGap(this.limits.minEditIntervalMs, this.limits.cadence) : minFrameGap(frames, this.limits.minEditIntervalMs, this.limits.cadence);
    if (since < gap) this.violate(`edit of message ${message.id} ${since} ms after the previous write (< ${gap})`);
    // A final edit may repeat the text: surfaces render markup there (Telegram HTML).
    if (text === message.text && !opts?.final) this.violate(`edit of message ${message.id} without a change`);
    this.checkLength(text);
    if (this.opts.failEdit?.(message, text, opts, attempt)) {
      throw new Error('fake edit failure');
    }
    message.writes.push({ at: this.clock.now(), text, kind: 'edit', final: opts?.final === true });
    message.text = text;
  }

  async sendImage(_image: ImageOutput, _caption?: string): Promise<void> {}
  async sendAudio(_bytes: Uint8Array, _format: AudioFormat): Promise<void> {}

  async typing(): Promise<void> {
    this.typingCalls++;
  }

  async close(): Promise<void> {
    this.closeCalls++;
  }

  /** The text every message shows at the end, in order. */
  get finalTexts(): string[] {
    return this.messages.map((m) => m.text);
  }

  /** Messages whose last write is not a final edit (on an edit-capable surface that is a defect). */
  get unfinishedMessages(): FakeMessage[] {
    return this.messages.filter((m) => !m.writes.at(-1)!.final);
  }

  /** Throws with every breach seen; on edit surfaces also checks each message got its final edit. */
  assertClean(opts: { requireFinalEdits?: boolean } = {}): void {
    const problems = [...this.violations];
    if ((opts.requireFinalEdits ?? this.limits.canEdit) && !this.limits.lineMode) {
      for (const m of this.unfinishedMessages) problems.push(`message ${m.id} has no final edit`);
    }
    if (problems.length > 0) throw new Error(`surface limits breached:\n${problems.join('\n')}`);
  }
}

/** Fence marker lines are dropped and whitespace removed: what must match between input and output. */
export function normalizeForComparison(text: string): string {
  return text
    .split('\n')
    .filter((line) => !/^ {0,3}(`{3,}|~{3,})/.test(line))
    .join('')
    .replace(/\s+/g, '');
}
