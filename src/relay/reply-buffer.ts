// The text received so far from one streamed reply, filled by `readDeltas` and read by a writer.
// Reading and writing run side by side so a slow platform call never holds up the model's stream.

/** What a writer reads while streaming: the deltas it has not read yet, and whether the reply has ended. */
export interface ReplySource {
  readonly done: boolean;
  readFrom(cursor: number): { fresh: string; cursor: number };
}

const CHANGED = Promise.resolve();

export class ReplyBuffer implements ReplySource {
  /** UTF-16 units so far: a cap is checked per delta without looking at the text. */
  length = 0;
  /** The deltas as they came: a writer reads only the ones it has not seen (its cost follows the delta). */
  private readonly parts: string[] = [];
  /** The parts joined, once asked for (joining per delta would build a string per delta). */
  private joined: string | undefined = '';
  /** Bumped on every change (new text or the end), so a writer knows whether to look again. */
  version = 0;
  done = false;
  aborted = false;
  error: unknown = undefined;
  /** One promise for the next change, shared by everyone waiting for it (not one per wait per delta). */
  private nextChange: Promise<void> | undefined;
  private wakeNextChange: (() => void) | undefined;

  /** The whole reply so far, one flat string. Reading it per delta would cost the whole reply each time: writers use `readFrom`. */
  get text(): string {
    return (this.joined ??= this.parts.join(''));
  }

  append(delta: string): void {
    if (!delta) return;
    this.parts.push(delta);
    this.length += delta.length;
    this.joined = undefined;
    this.changed();
  }

  /** The text appended since `cursor` (a count of deltas read), and the cursor to pass next time. */
  readFrom(cursor: number): { fresh: string; cursor: number } {
    const fresh = cursor === this.parts.length - 1 ? this.parts[cursor]! : this.parts.slice(cursor).join('');
    return { fresh, cursor: this.parts.length };
  }

  end(outcome: { error?: unknown; aborted?: boolean } = {}): void {
    if (this.done) return;
    if (outcome.error !== undefined) this.error = outcome.error;
    if (outcome.aborted) this.aborted = true;
    this.done = true;
    this.changed();
  }

  /** Resolves once the buffer changes after `version` (at once if it already has). */
  changeAfter(version: number): Promise<void> {
    if (this.version !== version) return CHANGED;
    return (this.nextChange ??= new Promise<void>((resolve) => (this.wakeNextChange = resolve)));
  }

  private changed(): void {
    this.version++;
    const wake = this.wakeNextChange;
    this.nextChange = this.wakeNextChange = undefined;
    wake?.();
  }
}

const ABORTED = Symbol('aborted');

/**
 * Races each `next()` against the stop signal with one abort listener for the whole reply.
 * (Promise.race against a shared never-settling promise would pile up one reaction per delta.)
 */
class AbortRace {
  private wake: ((v: typeof ABORTED) => void) | undefined;
  private readonly onAbort = () => this.wake?.(ABORTED);

  constructor(private readonly signal: AbortSignal | undefined) {
    signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** `pending` is always handled here: after a stop it may still reject, and that is not an unhandled rejection. */
  next<T>(pending: Promise<T>): Promise<T | typeof ABORTED> {
    if (!this.signal) return pending;
    if (this.signal.aborted) {
      pending.catch(() => {});
      return Promise.resolve(ABORTED);
    }
    return new Promise<T | typeof ABORTED>((resolve, reject) => {
      this.wake = resolve;
      pending.then(resolve, reject);
    });
  }

  dispose(): void {
    this.wake = undefined;
    this.signal?.removeEventListener('abort', this.onAbort);
  }
}

export async function readDeltas(deltas: AsyncIterable<string>, buffer: ReplyBuffer, signal?: AbortSignal): Promise<void> {
  const abort = new AbortRace(signal);
  let iterator: AsyncIterator<string> | undefined;
  try {
    iterator = deltas[Symbol.asyncIterator]();
    for (;;) {
      if (signal?.aborted) break;
      const result = await abort.next(iterator.next());
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
