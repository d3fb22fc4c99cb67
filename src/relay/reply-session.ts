// One reply on one channel: the Surface the manager and the relay write to, over a platform's
// thin Transport. Everything a reply needs beyond "post / patch / preview / upload / typing" is
// decided here, once for every platform: typing renewal, the frame guard (cadence.ts), preview
// frames that a final post replaces, the retry policy (flood waits honouring the platform's
// retry-after for the whole chat, a few retries of transient failures, plain text when markup
// is refused, a new message when the old one is gone) and finalisation in `close()`.
// Splitting stays with the relay's writers (via the format splitter): a session gets chunks.
import { randomInt } from 'node:crypto';
import type { Logger } from '../log.js';
import type { OpsEvents } from '../ops/events.js';
import { SurfaceError, type AudioFormat, type EditOptions, type ImageOutput, type PostOptions, type Surface, type SurfaceLimits, type Transport, type TypingAction, type Upload } from '../types.js';
import { minFrameGap } from './cadence.js';
import { FloodGate } from './flood-gate.js';
import { TypingKeeper } from './typing-keeper.js';

/** Rate-limit refusals one must-deliver call waits out before it gives up. */
const MAX_FLOOD_WAITS = 5;
/** Retries of a must-deliver call after a transient failure, with doubling pauses from the base. */
const MAX_TRANSIENT_RETRIES = 2;
const TRANSIENT_RETRY_BASE_MS = 300;
/** Renewal of "typing…" when the transport does not say how long its indicator lasts. */
const DEFAULT_TYPING_RENEW_MS = 4_000;
/** Preview ids are positive 31-bit integers. */
const MAX_PREVIEW_ID = 2 ** 31 - 1;

/** The session's handle of one message of the reply (what `send` returns to the relay). */
export interface SessionMessage<Ref> {
  /** The platform message, once posted. */
  ref?: Ref;
  /** Set while the message is a preview (no platform message yet). */
  previewId?: number;
  /** The latest text the relay gave for this message. */
  text: string;
  /** What the platform shows now (undefined: nothing yet). */
  shown?: string;
  /** Frames written so far (the first counts), for the cadence guard. */
  frames: number;
  lastWriteAt: number;
  final: boolean;
}

export interface ReplySessionOptions {
  logger: Logger;
  /** The chat's flood gate, shared by every reply in that chat; default: one of its own. */
  gate?: FloodGate;
  events?: OpsEvents;
}

const isKind = (err: unknown, kind: SurfaceError['kind']): err is SurfaceError => err instanceof SurfaceError && err.kind === kind;
function withoutCadence(limits: SurfaceLimits): SurfaceLimits {
  const { cadence: _steady, ...rest } = limits;
  return rest;
}
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class ReplySession<Ref> implements Surface<SessionMessage<Ref>> {
  /** Messages of this reply not finalised yet (normally at most one). */
  private readonly open = new Set<SessionMessage<Ref>>();
  private last: Ref | undefined;
  private readonly gate: FloodGate;
  private readonly keeper: TypingKeeper;
  private readonly logger: Logger;
  private usePreviews: boolean;
  private closing: Promise<void> | undefined;
  private previewView: SurfaceLimits | undefined;

  constructor(
    readonly transport: Transport<Ref>,
    private readonly opts: ReplySessionOptions,
  ) {
    this.logger = opts.logger;
    this.gate = opts.gate ?? new FloodGate();
    this.usePreviews = transport.preview !== undefined;
    const typing = transport.typing?.bind(transport);
    this.keeper = new TypingKeeper(typing, transport.typingRenewMs ?? DEFAULT_TYPING_RENEW_MS, this.gate, this.logger);
  }

  get platform() {
    return this.transport.platform;
  }
  get channel() {
    return this.transport.channel;
  }
  get commandPrefix() {
    return this.transport.commandPrefix;
  }
  /** While previewing, the preview's interval and cadence replace the patches' ones. */
  get limits(): SurfaceLimits {
    const { limits, previewLimits } = this.transport;
    if (!this.usePreviews || !previewLimits) return limits;
    this.previewView ??= { ...withoutCadence(limits), ...previewLimits };
    return this.previewView;
  }

  /** True while this reply streams by previews (false after a preview failed). */
  get previewing(): boolean {
    return this.usePreviews;
  }

  /** The last platform message this reply posted (e.g. to put buttons under it). */
  get lastRef(): Ref | undefined {
    return this.last;
  }

  async send(text: string, opts: EditOptions = {}): Promise<SessionMessage<Ref>> {
    this.keeper.stop();
    // A previous message the relay never finalised must not be left as a vanishing preview.
    await this.finalizeOpen();
    const msg: SessionMessage<Ref> = { text, frames: 0, lastWriteAt: 0, final: false };
    if (opts.final) {
      msg.final = true;
      if (text.trim() !== '') await this.postFinal(msg);
      return msg;
    }
    this.open.add(msg);
    try {
      if (this.usePreviews) {
        msg.previewId = randomInt(1, MAX_PREVIEW_ID);
        await this.writePreview(msg, text);
      } else {
        await this.postFrame(msg, text);
      }
    } catch (err) {
      // Nothing was shown: the caller sends this text again (the relay does, with the next text).
      this.open.delete(msg);
      throw err;
    }
    return msg;
  }

  async edit(msg: SessionMessage<Ref>, text: string, opts: EditOptions = {}): Promise<void> {
    msg.text = text;
    if (opts.final) return this.finalize(msg);
    // The relay paces frames by the same cadence; this guards the chat against any other caller.
    const limits = this.limits;
    const tooSoon = Date.now() - msg.lastWriteAt < minFrameGap(msg, limits.minEditIntervalMs, limits.cadence);
    // Intermediate frames are best-effort: skipping one loses nothing, the final text follows.
    if (tooSoon || this.gate.blocked || text === msg.shown) return;
    if (msg.previewId !== undefined) return this.writePreview(msg, text);
    await this.patchFrame(msg, text);
  }

  sendImage(image: ImageOutput, caption?: string): Promise<void> {
    return this.upload(caption === undefined ? { kind: 'image', image } : { kind: 'image', image, caption });
  }

  sendAudio(bytes: Uint8Array, format: AudioFormat): Promise<void> {
    return this.upload({ kind: 'audio', bytes, format });
  }

  async typing(action: TypingAction = 'typing'): Promise<void> {
    await this.keeper.show(action);
  }

  /** Ends the reply: anything still open gets its final write, typing ends. Safe to call again. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.keeper.end();
      await this.finalizeOpen().catch((err: unknown) => this.logger.warn({ err }, 'reply: final write at close failed'));
    })();
    return this.closing;
  }

  private async upload(item: Upload): Promise<void> {
    this.keeper.stop();
    await this.finalizeOpen();
    await this.mustDeliver(() => this.transport.upload(item));
  }

  private async finalizeOpen(): Promise<void> {
    for (const msg of this.open) await this.finalize(msg);
  }

  private async writePreview(msg: SessionMessage<Ref>, text: string): Promise<void> {
    msg.lastWriteAt = Date.now();
    try {
      await this.transport.preview!(msg.previewId!, text);
      msg.shown = text;
      msg.frames += 1;
    } catch (err) {
      if (isKind(err, 'rate_limited')) return this.flooded(err);
      this.logger.warn({ err }, 'reply: preview failed; this reply continues with patches');
      // The reply goes on as an ordinary message + patches, starting from what we have now.
      this.usePreviews = false;
      msg.previewId = undefined;
      await this.postFrame(msg, msg.text);
    }
  }

  private async postFrame(msg: SessionMessage<Ref>, text: string): Promise<void> {
    msg.ref = this.last = await this.mustDeliver(() => this.transport.post(text));
    msg.shown = text;
    msg.lastWriteAt = Date.now();
    msg.frames += 1;
  }

  private async patchFrame(msg: SessionMessage<Ref>, text: string): Promise<void> {
    msg.lastWriteAt = Date.now();
    try {
      await this.transport.patch(msg.ref!, text);
      msg.shown = text;
      msg.frames += 1;
    } catch (err) {
      if (isKind(err, 'rate_limited')) this.flooded(err);
      else this.logger.debug({ err }, 'reply: intermediate patch failed');
    }
  }

  /** Delivers the message's complete text: a final patch, or a post that replaces a preview. */
  private async finalize(msg: SessionMessage<Ref>): Promise<void> {
    msg.final = true;
    this.open.delete(msg);
    const { text } = msg;
    if (text.trim() === '') return;
    if (msg.ref === undefined) return this.postFinal(msg);
    // Already showing exactly this, with no markup to render: a patch would only spend the budget.
    if (msg.shown === text && !this.transport.needsFinalWrite?.(text)) return;
    const ref = msg.ref;
    try {
      await this.withPlainFallback((opts) => this.mustDeliver(() => this.transport.patch(ref, text, opts)));
      msg.shown = text;
    } catch (err) {
      if (!isKind(err, 'gone')) throw err;
      // Someone deleted the message mid-stream: the answer still arrives, as a new message.
      await this.postFinal(msg);
    }
  }

  private async postFinal(msg: SessionMessage<Ref>): Promise<void> {
    const { text } = msg;
    msg.ref = this.last = await this.withPlainFallback((opts) => this.mustDeliver(() => this.transport.post(text, opts)));
    msg.previewId = undefined;
    msg.shown = text;
    msg.lastWriteAt = Date.now();
  }

  private async withPlainFallback<T>(write: (opts: PostOptions) => Promise<T>): Promise<T> {
    try {
      return await write({ final: true });
    } catch (err) {
      if (!isKind(err, 'markup_rejected')) throw err;
      this.logger.warn({ err }, 'reply: the platform refused the markup; sending plain text');
      return write({ final: true, plain: true });
    }
  }

  /** A write the user must see: waits out rate limits (the whole chat waits) and retries transient failures. */
  async mustDeliver<T>(call: () => Promise<T>): Promise<T> {
    let floodWaits = 0;
    let retries = 0;
    for (;;) {
      await this.gate.ready();
      try {
        return await call();
      } catch (err) {
        if (isKind(err, 'rate_limited') && floodWaits < MAX_FLOOD_WAITS) {
          floodWaits += 1;
          this.logger.info({ retryAfterMs: err.retryAfterMs }, 'reply: platform flood control; waiting');
          this.flooded(err);
          this.opts.events?.emit({ type: 'platform.retry', platform: this.platform });
          continue;
        }
        if (isKind(err, 'rate_limited')) this.opts.events?.emit({ type: 'platform.rate_limited', platform: this.platform });
        if (!isKind(err, 'transient') || retries >= MAX_TRANSIENT_RETRIES) throw err;
        retries += 1;
        this.opts.events?.emit({ type: 'platform.retry', platform: this.platform });
        await sleep(TRANSIENT_RETRY_BASE_MS * 2 ** (retries - 1));
      }
    }
  }

  /** The platform said to wait: nothing goes to this chat until then. */
  private flooded(err: SurfaceError): void {
    this.gate.block(err.retryAfterMs ?? 1_000);
    this.opts.events?.emit({ type: 'platform.rate_limited', platform: this.platform });
  }
}
