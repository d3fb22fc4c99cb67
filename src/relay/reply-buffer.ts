// The text received so far from one streamed reply, filled by `readDeltas` and read by a writer.
// Reading and writing run side by side so a slow platform call never holds up the model's stream.

export class ReplyBuffer {
  text = '';
  /** Bumped on every change (new text or the end), so a writer knows whether to look again. */
  version = 0;
  done = false;
  aborted = false;
  error: unknown = undefined;
  private waiters: Array<() => void> = [];

  append(delta: string): void {
    if (!delta) return;
    this.text += delta;
    this.changed();
  }

  end(outcome: { error?: unknown; aborted?: boolean } = {}): void {
    if (this.done) return;
    if (outcome.error !== undefined) this.error = outcome.error;
    if (outcome.aborted) this.aborted = true;
    this.done = true;
    this.changed();
  }

  /** Resolves once the buffer changes after `version` (immediately if it already has). */
  async changeAfter(version: number): Promise<void> {
    if (this.version !== version) return;
    await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  private changed(): void {
    this.version++;
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

const ABORTED = Symbol('aborted');

/** Resolves with ABORTED when the signal fires; the disposer removes the listener. */
function onAbort(signal: AbortSignal | undefined): { promise: Promise<typeof ABORTED>; dispose(): void } {
  if (!signal) return { promise: new Promise<never>(() => {}), dispose() {} };
  let listener: (() => void) | undefined;
  const promise = new Promise<typeof ABORTED>((resolve) => {
    if (signal.aborted) return resolve(ABORTED);
    listener = () => resolve(ABORTED);
    signal.addEventListener('abort', listener, { once: true });
  });
  return { promise, dispose: () => listener && signal.removeEventListener('abort', listener) };
}

/**
 * Pours `deltas` into `buffer` until they end, throw, or `signal` aborts. A stop does not wait
 * for the pending delta (the upstream may be stalled): it returns at once and asks the iterator
 * to finish, which cancels the HTTP request of a ChatStream.
 */
export async function readDeltas(deltas: AsyncIterable<string>, buffer: ReplyBuffer, signal?: AbortSignal): Promise<void> {
  const abort = onAbort(signal);
  let iterator: AsyncIterator<string> | undefined;
  try {
    iterator = deltas[Symbol.asyncIterator]();
    for (;;) {
      if (signal?.aborted) break;
      const next = iterator.next();
      next.catch(() => {}); // settled later after a stop: not an unhandled rejection
      const result = await Promise.race([next, abort.promise]);
      if (result === ABORTED) break;
      if (result.done) return buffer.end();
      if (typeof result.value === 'string') buffer.append(result.value);
    }
    buffer.end({ aborted: true });
    iterator.return?.().catch(() => {});
  } catch (err) {
    buffer.end({ error: err, aborted: signal?.aborted });
  } finally {
    abort.dispose();
    buffer.end();
  }
}
