// Per-channel order (one queue per rate-limit scope, state in documented fields). A message
// takes its turn when it arrives, before its preparation (attachment downloads) starts, so a slow download cannot let a later message answer first. A turn that
// turns out to be a cheap command ends at once; a reply waits for every earlier turn to end,
// then for a global provider slot, then runs.
import type { ChannelKey } from '../types.js';
import type { ProviderSlots } from './slots.js';

export type Task = (signal: AbortSignal) => Promise<void>;

/** How a turn's run ended: it ran, or it was aborted (stop, shutdown) before it started. */
export type RunOutcome = 'done' | 'dropped';

/** One message's place in its channel's order. */
export class Turn {
  private readonly controller = new AbortController();
  /** True once the task started; shutdown lets running turns finish and drops the others. */
  running = false;
  ended = false;
  private markEnded!: () => void;
  /** Settles when this turn ends (ran, was refused, answered as a command, or was dropped). */
  readonly done = new Promise<void>((resolve) => (this.markEnded = resolve));

  constructor(
    readonly channel: ChannelKey,
    /** Settles when every earlier turn of the channel has ended. */
    readonly after: Promise<void>,
  ) {}

  /** Aborts preparation, the wait, or the running request with it. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  abort(reason?: unknown): void {
    this.controller.abort(reason);
  }

  end(): void {
    this.ended = true;
    this.markEnded();
  }
}

interface Channel {
  turns: Turn[];
  /** Settles when every turn taken so far has ended. */
  tail: Promise<void>;
}

export class ChannelQueues {
  private readonly channels = new Map<ChannelKey, Channel>();

  /** Takes the next place in `channel`'s order. Every turn must be ended (`end`). */
  reserve(channel: ChannelKey): Turn {
    let ch = this.channels.get(channel);
    if (!ch) {
      ch = { turns: [], tail: Promise.resolve() };
      this.channels.set(channel, ch);
    }
    const turn = new Turn(channel, ch.tail);
    ch.turns.push(turn);
    ch.tail = Promise.all([ch.tail, turn.done]).then(() => undefined);
    return turn;
  }

  /** Turns of the same channel ahead of this one that have not ended. */
  ahead(turn: Turn): number {
    const turns = this.channels.get(turn.channel)?.turns ?? [];
    const i = turns.indexOf(turn);
    return i < 0 ? 0 : i;
  }

  /**
   * Waits for the earlier turns, then for a slot (when `slots` is given), then runs `task`.
   * Ends the turn. 'dropped' when the turn was aborted before its task started.
   */
  async run(turn: Turn, task: Task, slots?: ProviderSlots): Promise<RunOutcome> {
    try {
      await untilAborted(turn.after, turn.signal);
      const release = slots ? await slots.acquire(turn.signal) : undefined;
      try {
        if (turn.signal.aborted) return 'dropped';
        turn.running = true;
        await task(turn.signal);
        return 'done';
      } finally {
        release?.();
      }
    } catch (err) {
      if (!turn.running && turn.signal.aborted) return 'dropped';
      throw err;
    } finally {
      this.end(turn);
    }
  }

  /** Ends a turn (idempotent); the channel's later turns may go on. */
  end(turn: Turn): void {
    if (turn.ended) return;
    turn.end();
    const ch = this.channels.get(turn.channel);
    if (!ch) return;
    const i = ch.turns.indexOf(turn);
    if (i >= 0) ch.turns.splice(i, 1);
    // Forget idle channels so the map does not grow with every channel ever seen.
    if (ch.turns.length === 0) this.channels.delete(turn.channel);
  }

  /** Aborts the channel's first live turn (running, waiting or preparing); true if there was one. */
  abort(channel: ChannelKey): boolean {
    const head = this.channels.get(channel)?.turns.find((t) => !t.signal.aborted);
    if (!head) return false;
    head.abort();
    return true;
  }

  /** Aborts every turn that has not started running (shutdown); returns how many. */
  dropWaiting(reason?: unknown): number {
    let n = 0;
    for (const t of this.allTurns()) {
      if (t.running || t.signal.aborted) continue;
      t.abort(reason);
      n += 1;
    }
    return n;
  }

  /** Aborts the turns that are running (the end of the shutdown grace). */
  abortRunning(reason?: unknown): void {
    for (const t of this.allTurns()) if (t.running) t.abort(reason);
  }

  /** Aborts every live turn of the matching channels (the end of a drain's grace). */
  abortWhere(filter: (channel: ChannelKey) => boolean, reason?: unknown): void {
    for (const t of this.allTurns()) if (filter(t.channel) && !t.signal.aborted) t.abort(reason);
  }

  /** Turns waiting (taken, not running yet), over all channels. */
  get waiting(): number {
    return this.allTurns().filter((t) => !t.running).length;
  }

  /** Turns running now. */
  get runningCount(): number {
    return this.allTurns().filter((t) => t.running).length;
  }

  private allTurns(): Turn[] {
    return [...this.channels.values()].flatMap((ch) => ch.turns);
  }
}

/** Resolves with `promise`, or rejects with the signal's reason once it aborts. */
function untilAborted(promise: Promise<void>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}
