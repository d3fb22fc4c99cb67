// Time as the relay sees it. Injected so tests run on a virtual clock, instantly and deterministically.
import { setTimeout as delay } from 'node:timers/promises';

export interface Clock {
  now(): number;
  /** Resolves after `ms`, or early (never rejecting) when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  async sleep(ms, signal) {
    // Node timers may fire up to a millisecond early against performance.now() (they run on
    // the event loop's cached ms clock); sleep again for the rest so pacing is never short.
    const until = performance.now() + ms;
    for (let left = ms; left > 0 && !signal?.aborted; left = until - performance.now()) {
      try {
        await delay(Math.max(1, Math.ceil(left)), undefined, { signal });
      } catch {
        // Aborted: the caller checks its own state; a stop is not an error here.
        return;
      }
    }
  },
};
