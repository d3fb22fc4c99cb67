// A virtual clock: sleeps resolve in time order, and time jumps ahead whenever every task is
// waiting on it. Tests of pacing then run instantly and deterministically.
import type { Clock } from '../../src/relay/clock.js';

interface Timer {
  at: number;
  seq: number;
  resolve(): void;
}

export class FakeClock implements Clock {
  private time = 0;
  private seq = 0;
  private timers: Timer[] = [];
  private advanceScheduled = false;

  now(): number {
    return this.time;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const onAbort = () => {
        this.timers = this.timers.filter((t) => t !== timer);
        resolve();
      };
      // A sleep that fires removes its abort listener: one signal spans a whole reply, and a
      // listener left per sleep trips MaxListenersExceededWarning after a few edits.
      const timer: Timer = {
        at: this.time + Math.max(0, ms),
        seq: this.seq++,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      this.timers.push(timer);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.scheduleAdvance();
    });
  }

  /** Sleeps that have not fired yet. */
  get pendingTimers(): number {
    return this.timers.length;
  }

  // setImmediate runs after all pending promise callbacks: by then every task that can move
  // without the clock has moved, so firing the earliest timer is what real time would do next.
  private scheduleAdvance(): void {
    if (this.advanceScheduled) return;
    this.advanceScheduled = true;
    setImmediate(() => {
      this.advanceScheduled = false;
      this.fireEarliest();
    });
  }

  private fireEarliest(): void {
    if (this.timers.length === 0) return;
    let next = this.timers[0]!;
    for (const t of this.timers) if (t.at < next.at || (t.at === next.at && t.seq < next.seq)) next = t;
    this.timers = this.timers.filter((t) => t !== next);
    this.time = Math.max(this.time, next.at);
    next.resolve();
    this.scheduleAdvance();
  }
}
