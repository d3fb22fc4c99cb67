// StreamRelay: pours a reply (streamed deltas or a finished text) into a Surface under its limits.
// Reading the stream and writing to the platform run side by side; each reply gets its own writer,
// so pacing is per channel and no timer is shared between channels.
import type { Logger } from '../log.js';
import type { Surface } from '../types.js';
import { systemClock, type Clock } from './clock.js';
import { LinePacer, LineWriter, wrapForSurface } from './line-writer.js';
import { markdownToPlain } from '../format/markdown.js';
import { MessageWriter, type MessageCap } from './message-writer.js';
import { ReplyBuffer, readDeltas } from './reply-buffer.js';

/**
 * Why a reply's own timers are cancelled when it settles: one shared reason, since abort() without
 * one builds a DOMException with a stack trace on every reply (a measurable share at hundreds a second).
 */
const REPLY_SETTLED = new Error('reply settled');

export const DEFAULT_ERROR_NOTICE = '⚠️ The reply was interrupted.';
export const DEFAULT_STOPPED_NOTICE = '(stopped)';
export const DEFAULT_CAP_NOTICE = '(The answer was cut off here.)';

export interface RelayOptions {
  /** Stop: end the relay promptly, keep what was shown, final edit with `stoppedNotice`. */
  signal?: AbortSignal;
  /** Short localized line appended when the deltas iterator throws. */
  errorNotice?: (err: unknown) => string;
  /** Appended when aborted (default '(stopped)'). */
  stoppedNotice?: string;
  /** Bounds on this reply; past one the relay stops reading, calls `onCap` and ends with `capNotice`. */
  caps?: ReplyCaps;
  /** Short localized line appended when a cap is hit. */
  capNotice?: (cap: ReplyCap) => string;
  /** A cap was hit: the caller stops the request (reading stops here; the request is the caller's). */
  onCap?: (cap: ReplyCap) => void;
}

/** Which bound cut a reply off. */
export type ReplyCap = 'deadline' | 'chars' | 'messages';

export interface ReplyCaps {
  /** Whole reply, first byte to last; keep-alive comments do not extend it. */
  deadlineMs?: number;
  /** Characters of reply text (UTF-16 units, like the provider's text). */
  maxChars?: number;
  /** Platform messages the reply may take, the notice included (message mode only). */
  maxMessages?: number;
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
  /** Set when a cap cut the reply off; `text` is what was delivered up to it. */
  capped?: ReplyCap;
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
    const caps = opts.caps ?? {};
    const capNotice = opts.capNotice ?? (() => DEFAULT_CAP_NOTICE);
    const buffer = new ReplyBuffer();
    const writer = this.writerFor(surface, true, opts.signal, caps.maxMessages ? { maxMessages: caps.maxMessages, notice: capNotice('messages') } : undefined);
    // Said once: the surface (the reply session) renews it until the first post or its close.
    surface.typing().catch((err: unknown) => this.logger?.debug({ err, channel: surface.channel }, 'relay: typing failed'));
    // A cap ends the reading like a stop does, but reads as a cap, not as "(stopped)".
    const capStop = new AbortController();
    let capped: ReplyCap | undefined;
    const hitCap = (cap: ReplyCap) => {
      if (capped || buffer.done) return;
      capped = cap;
      capStop.abort();
      this.logger?.info({ channel: surface.channel, cap, chars: buffer.length }, 'relay: reply cap hit');
      opts.onCap?.(cap);
    };
    const deadline = caps.deadlineMs ? new AbortController() : undefined;
    if (deadline && caps.deadlineMs) {
      void this.clock.sleep(caps.deadlineMs, deadline.signal).then(() => {
        if (!deadline.signal.aborted) hitCap('deadline');
      });
    }
    const readSignal = opts.signal ? AbortSignal.any([opts.signal, capStop.signal]) : capStop.signal;
    const reading = readDeltas(deltas, buffer, readSignal);
    try {
      let seen = -1;
      // The writer's wait for more text: one function for the reply, reading the version last seen.
      const changed = () => buffer.changeAfter(seen);
      while (!buffer.done && !capped) {
        if (buffer.version === seen) await buffer.changeAfter(seen);
        seen = buffer.version;
        if (caps.maxChars && buffer.length > caps.maxChars) hitCap('chars');
        if (buffer.done || capped) break;
        await writer.progress(buffer, changed);
        if (writer instanceof MessageWriter && writer.cappedAt !== undefined) hitCap('messages');
      }
      await reading;
      deadline?.abort(REPLY_SETTLED);
      const text = capped ? this.cappedText(buffer.text, capped, writer, caps) : buffer.text;
      // A stop may also land after the stream ended, while line mode is still pacing lines out.
      const aborted = !capped && (buffer.aborted || (writer instanceof LineWriter && writer.stoppedEarly(text)));
      const failed = !capped && !aborted && buffer.error !== undefined;
      const notice = capped
        ? capNotice(capped)
        : aborted
          ? (opts.stoppedNotice ?? DEFAULT_STOPPED_NOTICE)
          : failed
            ? (opts.errorNotice ?? (() => DEFAULT_ERROR_NOTICE))(buffer.error)
            : undefined;
      if (failed) {
        this.logger?.warn({ err: buffer.error, channel: surface.channel, chars: buffer.length }, 'relay: reply stream failed');
      }
      await writer.finish(text, notice);
      return this.result(writer, text, { error: failed ? buffer.error : undefined, aborted, capped });
    } finally {
      // surface.close() is the caller's: it ends the whole turn (reply, notices, audio), not just this text.
      deadline?.abort(REPLY_SETTLED);
    }
  }

  /** The part of the reply that stays when a cap cut it off. */
  private cappedText(text: string, cap: ReplyCap, writer: ReplyWriter, caps: ReplyCaps): string {
    if (cap === 'messages' && writer instanceof MessageWriter && writer.cappedAt !== undefined) return text.slice(0, writer.cappedAt);
    if (cap === 'chars' && caps.maxChars && text.length > caps.maxChars) return cutAtWord(text, caps.maxChars);
    return text;
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

  private writerFor(surface: Surface, finalEdits: boolean, stop?: AbortSignal, cap?: MessageCap): ReplyWriter {
    if (surface.limits.lineMode) return new LineWriter(surface, this.linePacerFor(surface), this.logger, stop);
    return new MessageWriter(surface, this.clock, this.logger, { finalEdits, ...(cap ? { cap } : {}) });
  }

  private linePacerFor(surface: Surface): LinePacer {
    let pacer = this.linePacers.get(surface);
    if (!pacer) {
      pacer = new LinePacer(this.clock);
      this.linePacers.set(surface, pacer);
    }
    return pacer;
  }

  private result(writer: ReplyWriter, text: string, outcome: { error?: unknown; aborted: boolean; capped?: ReplyCap }): RelayResult {
    const result: RelayResult = {
      text,
      aborted: outcome.aborted,
      sentMessages: writer instanceof MessageWriter ? writer.sentMessages : writer.sentLines,
      edits: writer instanceof MessageWriter ? writer.edits : 0,
    };
    if (outcome.error !== undefined) result.error = outcome.error;
    if (writer instanceof LineWriter) result.pendingLines = writer.pendingLines;
    if (writer.deliveryError !== undefined) result.deliveryError = writer.deliveryError;
    if (outcome.capped) result.capped = outcome.capped;
    return result;
  }
}

/** Plain, wrapped lines for a line-mode surface from markdown (for callers that page text themselves). */
export function toSurfaceLines(markdown: string, surface: Surface): string[] {
  const limits = surface.limits.lineMode;
  const plain = markdownToPlain(markdown);
  if (!limits) return plain.split('\n');
  return plain.split('\n').filter((l) => l !== '').flatMap((l) => wrapForSurface(l, limits));
}

/** Looks this far back from a cut for a space to end on, so the last word is not halved. */
const CUT_WORD_LOOKBACK = 100;

/** `text` cut to at most `max` UTF-16 units: at the last space nearby, never inside a surrogate pair. */
export function cutAtWord(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max;
  const c = text.charCodeAt(end);
  if (c >= 0xdc00 && c <= 0xdfff) end--;
  // text[end] is the first character dropped: a space there means the cut is already between words.
  if (!/\s/.test(text[end]!)) {
    const from = Math.max(0, end - CUT_WORD_LOOKBACK);
    const lastSpace = text.slice(from, end).search(/\s\S*$/);
    if (lastSpace >= 0) end = from + lastSpace;
  }
  return text.slice(0, end).trimEnd();
}
