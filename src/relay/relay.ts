// StreamRelay: pours a reply (streamed deltas or a finished text) into a Surface under its limits.
// Reading the stream and writing to the platform run side by side; each reply gets its own writer,
// so pacing is per channel and no timer is shared between channels.
import type { Logger } from '../log.js';
import type { Surface } from '../types.js';
import { systemClock, type Clock } from './clock.js';
import { LinePacer, LineWriter, wrapForSurface } from './line-writer.js';
import { markdownToPlain } from './markdown.js';
import { MessageWriter } from './message-writer.js';
import { ReplyBuffer, readDeltas } from './reply-buffer.js';

export const DEFAULT_ERROR_NOTICE = '⚠️ The reply was interrupted.';
export const DEFAULT_STOPPED_NOTICE = '(stopped)';
/** Telegram's "typing…" fades after ~5 s; Discord's after ~10 s. */
export const DEFAULT_TYPING_INTERVAL_MS = 4000;

export interface RelayOptions {
  /** Stop: end the relay promptly, keep what was shown, final edit with `stoppedNotice`. */
  signal?: AbortSignal;
  /** Short localized line appended when the deltas iterator throws. */
  errorNotice?: (err: unknown) => string;
  /** Appended when aborted (default '(stopped)'). */
  stoppedNotice?: string;
  /** Call surface.typing() every N ms until the first text (default 4000). */
  typingIntervalMs?: number;
}

export interface RelayResult {
  /** The complete text delivered (without notices): goes into history. */
  text: string;
  /** The error the iterator threw, if any (not set for a stop). */
  error?: unknown;
  aborted: boolean;
  /** surface.send calls that succeeded. */
  sentMessages: number;
  /** surface.edit calls that succeeded. */
  edits: number;
  /** Line mode: lines held back by maxLines, for a later `more`. */
  pendingLines?: string[];
  /** Set when the surface refused a chunk even after a retry (the text could not be delivered). */
  deliveryError?: unknown;
}

export interface StreamRelayDeps {
  clock?: Clock;
  logger?: Logger;
}

type ReplyWriter = MessageWriter | LineWriter;

export class StreamRelay {
  private readonly clock: Clock;
  private readonly logger: Logger | undefined;
  /** Line pacing outlives one reply (`more` follows it): one pacer per Surface instance. */
  private readonly linePacers = new WeakMap<Surface, LinePacer>();

  constructor(opts: StreamRelayDeps = {}) {
    this.clock = opts.clock ?? systemClock;
    this.logger = opts.logger;
  }

  async pipe(deltas: AsyncIterable<string>, surface: Surface, opts: RelayOptions = {}): Promise<RelayResult> {
    const buffer = new ReplyBuffer();
    const writer = this.writerFor(surface, true, opts.signal);
    const typing = this.keepTyping(surface, writer, opts.typingIntervalMs ?? DEFAULT_TYPING_INTERVAL_MS);
    const reading = readDeltas(deltas, buffer, opts.signal);
    try {
      let seen = -1;
      while (!buffer.done) {
        await buffer.changeAfter(seen);
        seen = buffer.version;
        if (buffer.done) break;
        await writer.progress(() => buffer);
      }
      await reading;
      typing.stop();
      // A stop may also land after the stream ended, while line mode is still pacing lines out.
      const aborted = buffer.aborted || (writer instanceof LineWriter && writer.stoppedEarly(buffer.text));
      const notice = aborted
        ? (opts.stoppedNotice ?? DEFAULT_STOPPED_NOTICE)
        : buffer.error !== undefined
          ? (opts.errorNotice ?? (() => DEFAULT_ERROR_NOTICE))(buffer.error)
          : undefined;
      if (buffer.error !== undefined && !aborted) {
        this.logger?.warn({ err: buffer.error, channel: surface.channel, chars: buffer.text.length }, 'relay: reply stream failed');
      }
      await writer.finish(buffer.text, notice);
      return this.result(writer, buffer.text, {
        error: aborted ? undefined : buffer.error,
        aborted,
      });
    } finally {
      // surface.close() is the caller's: it ends the whole turn (reply, notices, audio), not just this text.
      typing.stop();
    }
  }

  /**
   * Delivers a complete text (help, errors, transcripts) with the same splitting and line rules.
   * `final` (default true) ends each message with a final edit on edit-capable surfaces, where
   * surfaces render markup; false sends plain messages without edits.
   */
  async deliver(text: string, surface: Surface, opts: { final?: boolean } = {}): Promise<RelayResult> {
    const writer = this.writerFor(surface, opts.final ?? true);
    await writer.finish(text);
    return this.result(writer, text, { aborted: false });
  }

  /** Line mode: sends held-back lines (for `more`); returns the still-pending rest in pendingLines. */
  async deliverLines(lines: string[], surface: Surface): Promise<RelayResult> {
    if (!surface.limits.lineMode) return this.deliver(lines.join('\n'), surface);
    const writer = new LineWriter(surface, this.linePacerFor(surface), this.logger);
    await writer.sendLines(lines);
    const sent = lines.slice(0, lines.length - writer.pendingLines.length);
    return this.result(writer, sent.join('\n'), { aborted: false });
  }

  private writerFor(surface: Surface, finalEdits: boolean, stop?: AbortSignal): ReplyWriter {
    if (surface.limits.lineMode) return new LineWriter(surface, this.linePacerFor(surface), this.logger, stop);
    return new MessageWriter(surface, this.clock, this.logger, { finalEdits });
  }

  private linePacerFor(surface: Surface): LinePacer {
    let pacer = this.linePacers.get(surface);
    if (!pacer) {
      pacer = new LinePacer(this.clock);
      this.linePacers.set(surface, pacer);
    }
    return pacer;
  }

  private result(writer: ReplyWriter, text: string, outcome: { error?: unknown; aborted: boolean }): RelayResult {
    const result: RelayResult = {
      text,
      aborted: outcome.aborted,
      sentMessages: writer instanceof MessageWriter ? writer.sentMessages : writer.sentLines,
      edits: writer instanceof MessageWriter ? writer.edits : 0,
    };
    if (outcome.error !== undefined) result.error = outcome.error;
    if (writer instanceof LineWriter) result.pendingLines = writer.pendingLines;
    if (writer.deliveryError !== undefined) result.deliveryError = writer.deliveryError;
    return result;
  }

  /** "typing…" now and every interval until the first text is shown or the reply ends. */
  private keepTyping(surface: Surface, writer: ReplyWriter, intervalMs: number): { stop(): void } {
    const stopper = new AbortController();
    const loop = async (): Promise<void> => {
      while (!stopper.signal.aborted && !writer.hasShownText) {
        surface.typing().catch((err: unknown) => this.logger?.debug({ err, channel: surface.channel }, 'relay: typing failed'));
        await this.clock.sleep(intervalMs, stopper.signal);
      }
    };
    void loop();
    return { stop: () => stopper.abort() };
  }
}

/** Plain, wrapped lines for a line-mode surface from markdown (for callers that page text themselves). */
export function toSurfaceLines(markdown: string, surface: Surface): string[] {
  const limits = surface.limits.lineMode;
  const plain = markdownToPlain(markdown);
  if (!limits) return plain.split('\n');
  return plain.split('\n').filter((l) => l !== '').flatMap((l) => wrapForSurface(l, limits));
}
