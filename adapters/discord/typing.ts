// "Typing…" until the first text: Discord shows it ~10 s per call, so it is renewed on a timer
// and stops as soon as something is sent. Calls in between are coalesced (one request per 8 s).
import { TYPING_RENEW_MS } from './limits.js';

export class TypingIndicator {
  private timer: NodeJS.Timeout | undefined;
  private lastSentAt = 0;
  private stopped = false;

  constructor(
    private readonly sendTyping: () => Promise<unknown>,
    private readonly onError: (err: unknown) => void,
    private readonly renewMs = TYPING_RENEW_MS,
  ) {}

  /** Shows typing now and keeps it up until `stop()`. */
  start(): void {
    if (this.stopped || this.timer) return;
    this.pulse();
    this.timer = setInterval(() => this.pulse(), this.renewMs);
    this.timer.unref();
  }

  /** Shows typing unless it was shown recently or the indicator was stopped. */
  pulse(): void {
    const now = Date.now();
    if (this.stopped || now - this.lastSentAt < this.renewMs) return;
    this.lastSentAt = now;
    this.sendTyping().catch(this.onError);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
