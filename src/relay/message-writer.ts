// Writes one reply as platform messages: the current chunk grows by paced edits (or, without
// edits, is sent whole when complete); a chunk that reaches the limit gets its final edit and the
// next chunk starts a new message. All pacing state lives here, per reply on one Surface.
import type { Logger } from '../log.js';
import { SurfaceError, type MessageRef, type Surface } from '../types.js';
import { finalFrameGap, nextFrameTiming, readyToShowFirst } from './cadence.js';
import type { Clock } from './clock.js';
import type { ReplySource } from './reply-buffer.js';
import { codePointLength, lastChunk, nextSplit, type Measure } from '../format/split.js';
import { ChunkWindow } from './chunk-window.js';
import { FrameTimer } from './frame-timer.js';

/** Wait before retrying a failed send when the surface has no edit interval to go by. */
const SEND_RETRY_DELAY_MS = 1000;
/**
 * A SurfaceError comes from a reply session, which already applied the one retry policy (flood
 * waits, transient retries): trying the same call again here would only layer a second policy.
 */
export const alreadyRetried = (err: unknown): boolean => err instanceof SurfaceError;
/** Between the partial text and the error / stop notice. */
const NOTICE_SEPARATOR = '\n\n';

/** The message being written: what it shows now, how often and when it was last written to. */
interface LiveMessage {
  ref: MessageRef;
  shown: string;
  frames: number;
  lastWriteAt: number;
}

export interface MessageWriterOptions {
  /**
   * Every message ends with a final write: `edit(..., { final: true })` of a message shown
   * while streaming, or `send(..., { final: true })` of one complete when first sent.
   */
  finalEdits: boolean;
  /** At most this many messages per reply; the last one keeps room for `notice`. */
  cap?: MessageCap;
}

export interface MessageCap {
  maxMessages: number;
  /** The line that ends a capped reply: it must fit in the last message with the text. */
  notice: string;
}

export class MessageWriter {
  sentMessages = 0;
  edits = 0;
  /** Messages finished so far (a count, not their texts: a long reply would keep them all alive). */
  private finishedMessages = 0;
  /** Set when a chunk could not be delivered at all (send failed twice). */
  deliveryError: unknown = undefined;
  /**
   * Set when the reply needs more messages than the cap allows: where the text that fits ends
   * (finish() with the text cut there ends the last allowed message with the notice).
   */
  cappedAt: number | undefined = undefined;

  private readonly measure: Measure;
  private readonly maxChars: number;
  private readonly chunk: ChunkWindow;
  private readonly frameTimer: FrameTimer;
  private live: LiveMessage | undefined;

  constructor(
    private readonly surface: Surface,
    private readonly clock: Clock,
    private readonly logger: Logger | undefined,
    private readonly opts: MessageWriterOptions,
  ) {
    this.measure = surface.limits.measure ?? codePointLength;
    this.maxChars = surface.limits.maxChars;
    this.chunk = new ChunkWindow(this.measure, this.maxChars);
    this.frameTimer = new FrameTimer(clock);
  }

  /** True once any text reached the user (the typing indicator can stop). */
  get hasShownText(): boolean {
    return this.sentMessages > 0;
  }

  private get streamsByEditing(): boolean {
    return this.surface.limits.canEdit && this.opts.finalEdits;
  }

  /**
   * Shows what the reply holds now: finishes the chunks it has completed, then makes at most one
   * write to the current message (its first send, or one paced frame with the latest text).
   * `changed` resolves when more text arrives: a frame not yet earned is reconsidered then.
   */
  async progress(source: ReplySource, changed?: () => Promise<void>): Promise<void> {
    this.chunk.pull(source);
    // Most deltas complete no chunk: no call (and no promise) for them.
    if (!this.chunk.fits()) await this.finishCompletedChunks(false);
    if (!this.streamsByEditing) return;
    const draft = this.chunk.draft();
    if (!draft) return;
    if (!this.live) {
      if (readyToShowFirst(this.chunk.text)) await this.sendDraft(draft);
      return;
    }
    if (draft === this.live.shown) return;
    const timing = this.frameTiming(draft);
    // Due now: this text is the frame (drafting it again would only repeat the work).
    if (timing.waitMs === 0) return this.editDraft(draft);
    if (changed) {
      // More text (or the end) may arrive first: the caller comes back with it, and a frame
      // not earned yet may be earned then; the end goes straight to the final write.
      if (await this.frameTimer.wait(timing.dueAt, timing.waitMs, changed)) return;
    } else {
      // Deltas arriving meanwhile are coalesced: after the wait, the latest text wins.
      await this.clock.sleep(timing.waitMs);
    }
    if (source.done) return; // the final edit follows at once
    this.chunk.pull(source);
    await this.finishCompletedChunks(false);
    const latest = this.chunk.draft();
    if (!latest) return;
    if (!this.live) {
      if (readyToShowFirst(this.chunk.text)) await this.sendDraft(latest);
    } else if (latest !== this.live.shown) {
      await this.editDraft(latest);
    }
  }

  private frameTiming(draft: string) {
    const live = this.live!;
    const limits = this.surface.limits;
    return nextFrameTiming(live, this.clock.now(), live.shown, draft, this.chunk.atWordEnd, limits.minEditIntervalMs, limits.cadence);
  }

  /** The reply is complete (or interrupted): deliver every remaining chunk, the last one with `notice`. */
  async finish(text: string, notice?: string): Promise<void> {
    this.frameTimer.cancel();
    // Once per reply: the window becomes the rest of the given text (which may be cut short by a cap).
    this.chunk.resetTo(text);
    await this.finishCompletedChunks(true);
    const rest = this.chunk.text;
    let chunk = rest.trim() ? lastChunk(rest, this.chunk.fence) : '';
    if (notice) {
      // lastChunk closed an interrupted code block, so the notice reads as text.
      const closed = chunk;
      const withNotice = closed ? closed + NOTICE_SEPARATOR + notice : notice;
      if (this.measure(withNotice) <= this.maxChars) {
        chunk = withNotice;
      } else {
        await this.finishChunk(closed);
        chunk = notice;
      }
    }
    if (chunk) await this.finishChunk(chunk);
  }

  private async finishCompletedChunks(final: boolean): Promise<void> {
    for (;;) {
      const rest = this.chunk.text;
      if (!final && this.chunk.fits()) return;
      const split = nextSplit(rest, this.chunk.fence, this.maxChars, this.measure, final);
      if (!split) {
        // Measured whole here only when it fits (nextSplit never measures a long rest whole).
        if (!final) this.chunk.measuredWhole();
        return;
      }
      if (!final && this.atLastAllowedMessage()) {
        this.capAt(rest);
        return;
      }
      await this.finishChunk(split.chunk);
      this.chunk.advance(split.consumed, split.fence);
    }
  }

  private atLastAllowedMessage(): boolean {
    const cap = this.opts.cap;
    return cap !== undefined && this.finishedMessages >= cap.maxMessages - 1;
  }

  /** More text follows the last allowed message: end that message early enough for the notice to fit. */
  private capAt(rest: string): void {
    const cap = this.opts.cap!;
    const room = Math.max(1, this.maxChars - this.measure(NOTICE_SEPARATOR + cap.notice));
    const split = nextSplit(rest, this.chunk.fence, room, this.measure, true);
    this.cappedAt = this.chunk.start + (split ? split.consumed : rest.length);
  }

  /** Delivers one complete chunk: as the final edit of the live message, or as a message of its own. */
  private async finishChunk(chunk: string): Promise<void> {
    if (this.streamsByEditing && this.live) {
      await this.finalEdit(chunk);
    } else {
      // Complete before it was ever shown: one final send, no edit (and no wait for one).
      await this.sendWithRetry(chunk, this.opts.finalEdits);
    }
    this.live = undefined;
    this.finishedMessages++;
  }

  /** Milliseconds until the live message may get its final write. */
  private finalEditWait(): number {
    if (!this.live) return 0;
    const limits = this.surface.limits;
    return Math.max(0, this.live.lastWriteAt + finalFrameGap(limits.minEditIntervalMs, limits.cadence) - this.clock.now());
  }

  /** First text of a message while streaming: one attempt; a failure is retried by the next progress. */
  private async sendDraft(text: string): Promise<boolean> {
    try {
      const ref = await this.surface.send(text);
      this.sentMessages++;
      this.live = { ref, shown: text, frames: 1, lastWriteAt: this.clock.now() };
      return true;
    } catch (err) {
      this.logger?.warn({ err, channel: this.surface.channel }, 'relay: send failed, will retry with the next text');
      return false;
    }
  }

  /** An intermediate edit: a failure is logged and skipped, the next edit carries the text. */
  private async editDraft(text: string): Promise<void> {
    const live = this.live!;
    try {
      await this.surface.edit(live.ref, text);
      this.edits++;
      live.shown = text;
      live.frames++;
    } catch (err) {
      this.logger?.warn({ err, channel: this.surface.channel }, 'relay: edit failed, skipped');
    }
    live.lastWriteAt = this.clock.now();
  }

  /** The final edit of the live message: retried once, then the chunk is sent anew so it is never lost. */
  private async finalEdit(chunk: string): Promise<void> {
    const live = this.live!;
    for (let attempt = 1; attempt <= 2; attempt++) {
      await this.clock.sleep(this.finalEditWait());
      try {
        await this.surface.edit(live.ref, chunk, { final: true });
        this.edits++;
        live.shown = chunk;
        live.lastWriteAt = this.clock.now();
        return;
      } catch (err) {
        live.lastWriteAt = this.clock.now();
        this.logger?.warn({ err, channel: this.surface.channel, attempt }, 'relay: final edit failed');
        if (alreadyRetried(err)) break;
      }
    }
    this.live = undefined;
    await this.sendWithRetry(chunk, true);
  }

  /**
   * Sends a complete chunk; retried once after a pause. On success the chunk becomes the live
   * message. `final`: no edit follows (the surface renders its markup in this send).
   */
  private async sendWithRetry(chunk: string, final = false): Promise<boolean> {
    for (let attempt = 1; attempt <= 2; attempt++) {
      try {
        const ref = await this.surface.send(chunk, final ? { final: true } : undefined);
        this.sentMessages++;
        this.live = { ref, shown: chunk, frames: 1, lastWriteAt: this.clock.now() };
        return true;
      } catch (err) {
        this.logger?.warn({ err, channel: this.surface.channel, attempt }, 'relay: send failed');
        if (attempt === 2 || alreadyRetried(err)) {
          this.deliveryError = err;
          break;
        }
        await this.clock.sleep(this.surface.limits.minEditIntervalMs || SEND_RETRY_DELAY_MS);
      }
    }
    this.logger?.error({ channel: this.surface.channel, chars: chunk.length }, 'relay: a chunk could not be delivered');
    return false;
  }
}
