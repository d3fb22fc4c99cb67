// The wait for a message's next frame, shared by every delta that arrives before the frame is
// due: a delta costs no timer and no AbortController of its own (on a 1 MB reply those were a
// GC cost). A new timer starts only when the due time moves (a frame was written, or earned early).
import type { Clock } from './clock.js';

interface PendingFrame {
  at: number;
  stop: AbortController;
}

export class FrameTimer {
  private pending: PendingFrame | undefined;
  /** The caller waiting now, if any: woken by the timer, or by `changed`. */
  private wake: ((grew: boolean) => void) | undefined;

  constructor(private readonly clock: Clock) {}

  /** Resolves false when the frame due at `dueAt` (`waitMs` from now) may go out, true when `changed` resolves first. */
  wait(dueAt: number, waitMs: number, changed: () => Promise<void>): Promise<boolean> {
    if (this.pending?.at !== dueAt) this.start(dueAt, waitMs);
    return new Promise<boolean>((resolve) => {
      this.wake = resolve;
      void changed().then(() => {
        if (this.wake !== resolve) return;
        this.wake = undefined;
        resolve(true);
      });
    });
  }

  /** The reply ended: no timer outlives it. */
  cancel(): void {
    this.pending?.stop.abort();
    this.pending = undefined;
  }

  private start(at: number, waitMs: number): void {
    this.cancel();
    const pending: PendingFrame = { at, stop: new AbortController() };
    this.pending = pending;
    void this.clock.sleep(waitMs, pending.stop.signal).then(() => {
      if (this.pending !== pending) return; // cancelled, or replaced by an earlier due time
      this.pending = undefined;
      const wake = this.wake;
      this.wake = undefined;
      wake?.(false);
    });
  }
}
