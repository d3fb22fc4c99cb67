// One reply in flight per channel; later messages wait their turn in order (STYLE.md point 7:
// one queue per rate-limit scope, state in documented fields).
import type { ChannelKey } from '../types.js';

export type Task = (signal: AbortSignal) => Promise<void>;

class ChannelQueue {
  /** Settles when the last queued task has finished. */
  private tail: Promise<void> = Promise.resolve();
  /** Tasks queued or running. */
  size = 0;
  /** Aborts the running task (the HTTP request with it). */
  current?: AbortController;

  enqueue(task: Task): Promise<void> {
    this.size += 1;
    const run = async () => {
      const controller = new AbortController();
      this.current = controller;
      try {
        await task(controller.signal);
      } finally {
        if (this.current === controller) this.current = undefined;
        this.size -= 1;
      }
    };
    const next = this.tail.then(run, run);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

export class ChannelQueues {
  private readonly queues = new Map<ChannelKey, ChannelQueue>();
  /** Every task not yet settled, for drain(). */
  private readonly pending = new Set<Promise<void>>();

  /** @param maxWaiting tasks that may wait behind the running one before `tryEnqueue` refuses. */
  constructor(private readonly maxWaiting: number) {}

  /** Queues a task, or returns undefined when the channel's queue is full. */
  tryEnqueue(channel: ChannelKey, task: Task): Promise<void> | undefined {
    let q = this.queues.get(channel);
    if (!q) {
      q = new ChannelQueue();
      this.queues.set(channel, q);
    }
    const waiting = Math.max(0, q.size - 1);
    if (q.size > 0 && waiting >= this.maxWaiting) return undefined;
    const done = q.enqueue(task);
    const owner = q;
    this.pending.add(done);
    // Forget idle queues so the map does not grow with every channel ever seen.
    void done
      .finally(() => {
        this.pending.delete(done);
        if (owner.size === 0 && this.queues.get(channel) === owner) this.queues.delete(channel);
      })
      .catch(() => undefined);
    return done;
  }

  /** Aborts the task running on a channel; true if there was one. */
  abort(channel: ChannelKey): boolean {
    const c = this.queues.get(channel)?.current;
    if (!c || c.signal.aborted) return false;
    c.abort();
    return true;
  }

  isBusy(channel: ChannelKey): boolean {
    return (this.queues.get(channel)?.size ?? 0) > 0;
  }

  /** Tasks queued behind a running one, over all channels. */
  get waiting(): number {
    let n = 0;
    for (const q of this.queues.values()) n += Math.max(0, q.size - 1);
    return n;
  }

  /** Aborts everything running (shutdown). */
  abortAll(): void {
    for (const q of this.queues.values()) q.current?.abort();
  }

  /** Settles when every queue is empty. */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }
}
