// "typing…" for one reply. Platforms show an activity indicator for a few seconds per call, so
// it is renewed on a timer until something visible is posted, the reply ends, or it has run
// for too long (a stuck reply). Calls in between are coalesced: one request per renew window.
import type { Logger } from '../log.js';
import type { TypingAction } from '../types.js';
import type { FloodGate } from './flood-gate.js';

/** Stop renewing an indicator that nobody ended after this long. */
const TYPING_MAX_MS = 120_000;
/** A repeated action is sent again only this much before the previous one fades. */
const RENEW_MARGIN_MS = 500;

export class TypingKeeper {
  private timer: NodeJS.Timeout | undefined;
  private startedAt = 0;
  private last: { action: TypingAction; at: number } | undefined;
  private ended = false;

  constructor(
    private readonly send: ((action: TypingAction) => Promise<void>) | undefined,
    private readonly renewMs: number,
    private readonly gate: FloodGate,
    private readonly logger: Logger,
  ) {}

  /** Shows `action` now (unless it still shows) and keeps it up until `stop()`; resolves when the call is done. */
  show(action: TypingAction): Promise<void> {
    if (!this.send || this.ended) return Promise.resolve();
    const now = Date.now();
    if (!this.timer) this.startedAt = now;
    const fresh = this.last?.action === action && now - this.last.at < this.renewMs - RENEW_MARGIN_MS;
    let sent = Promise.resolve();
    if (!fresh && !this.gate.blocked) {
      this.last = { action, at: now };
      sent = this.send(action).catch((err: unknown) => this.logger.debug({ err }, 'typing failed'));
    }
    clearInterval(this.timer);
    this.timer = setInterval(() => {
      if (Date.now() - this.startedAt > TYPING_MAX_MS) return this.stop();
      void this.show(action);
    }, this.renewMs);
    this.timer.unref();
    return sent;
  }

  /** Something visible arrived: the indicator fades on its own; a later `show` starts it again. */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The reply is over: no indicator any more. */
  end(): void {
    this.stop();
    this.ended = true;
  }
}
