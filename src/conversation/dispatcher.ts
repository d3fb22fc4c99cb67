// When a message runs, as opposed to what it means (the manager's part): per-channel order that
// includes preparation, the global provider slots, the per-channel bound, and shutdown. This
// one keeps its state in this process; a shared (e.g. Redis-backed) one can replace it behind
// the same `Dispatcher` interface.
import { randomBytes } from 'node:crypto';
import type { Logger } from '../log.js';
import type { ChannelKey, Incoming, Surface } from '../types.js';
import type { MessageId } from './messages.js';
import { ChannelQueues, type Turn } from './queue.js';
import { ProviderSlots } from './slots.js';

/** An adapter's preparation of one message (downloads); undefined = nothing to answer. */
export type Prepare = (signal: AbortSignal) => Promise<Incoming | undefined>;

/** Picks channels, e.g. those of one Discord shard or one MUD character (`drain`). */
export type ChannelFilter = (channel: ChannelKey) => boolean;

/** What a prepared message is, as the manager decides it. */
export type Plan =
  /** Cheap commands and refusals: answered at once, holding no place in line. */
  | { kind: 'now'; answer: () => Promise<void> }
  /** Replies: run in the channel's order; `costly` ones (provider calls) also take a slot. */
  | { kind: 'queued'; costly: boolean; run: (signal: AbortSignal) => Promise<void> };

/** The manager's side: what a message is, and how to tell the user something. */
export interface Planner {
  plan(msg: Incoming, surface: Surface, log: Logger, requestId: string): Promise<Plan>;
  say(surface: Surface, id: MessageId): Promise<void>;
  /** Says `id` unless `who` was told it within the notice window. */
  notice(surface: Surface, who: string, id: MessageId): Promise<void>;
}

export interface Dispatcher {
  /**
   * Takes a message's place in its channel's order now, then prepares it (`prepare` gets a
   * signal that aborts on stop and shutdown) and answers it in that order. Never throws;
   * resolves when the message's work is done.
   */
  submit(channel: ChannelKey, prepare: Prepare, surface: Surface): Promise<void>;
  /** Aborts the channel's first message not yet done; false if there is none. */
  stop(channel: ChannelKey): boolean;
  /**
   * Work on a channel that is not a submitted message but must finish before shutdown (an
   * autocomplete answer, a notice sent outside a reply). Resolves when `work` settles; its
   * failure is logged, never thrown.
   */
  track(channel: ChannelKey, work: Promise<void>): Promise<void>;
  /**
   * Waits for the submitted and tracked work of the channels `filter` matches (all when absent),
   * e.g. before one shard's connection is given back while the others go on. Work still
   * running after the grace period is aborted like on shutdown.
   */
  drain(filter?: ChannelFilter): Promise<void>;
  /** Drops what has not started (each waiting user told once); running and tracked work gets the grace. */
  shutdown(): Promise<void>;
}

export interface LocalDispatcherOptions {
  planner: Planner;
  logger: Logger;
  /** Messages that may wait behind the one in flight on a channel (QUEUE_MAX_PER_CHANNEL). */
  maxWaitingPerChannel: number;
  /** Provider requests in flight at once (PROVIDER_CONCURRENCY). */
  providerConcurrency: number;
  /** How long running replies may take to finish on shutdown (SHUTDOWN_GRACE_MS). */
  shutdownGraceMs: number;
}

/** After the grace, stopped replies get this long to say "(stopped)" before shutdown returns. */
export const SHUTDOWN_ABORT_TAIL_MS = 1_000;

export class LocalDispatcher implements Dispatcher {
  private readonly queues = new ChannelQueues();
  private readonly slots: ProviderSlots;
  /** Every submitted message and tracked piece of work not yet done, with its channel. */
  private readonly inFlight = new Map<Promise<void>, ChannelKey>();
  private closing = false;
  private stopping?: Promise<void>;

  constructor(private readonly opts: LocalDispatcherOptions) {
    this.slots = new ProviderSlots(opts.providerConcurrency);
  }

  /** Provider slots in use and replies waiting for one (metrics, tests). */
  get providerSlots(): { inUse: number; waiting: number } {
    return { inUse: this.slots.inUse, waiting: this.slots.waiting };
  }

  /** Messages that took their turn and are not running yet, over all channels. */
  get queueDepth(): number {
    return this.queues.waiting;
  }

  submit(channel: ChannelKey, prepare: Prepare, surface: Surface): Promise<void> {
    const requestId = randomBytes(6).toString('hex');
    // The platform joins the log fields once the message is prepared (the surface's until then).
    const log = this.opts.logger.child({ channel, requestId });
    // Synchronously, before any await: the turn is taken in arrival order.
    const turn = this.queues.reserve(channel);
    // After the signal a message is dropped like queued work: not run, its user told once.
    if (this.closing) turn.abort();
    // Every path ends the reply here, once: its session finalises what is open and stops typing.
    const work = this.admit(turn, prepare, surface, log, requestId).finally(() => surface.close?.().catch((err: unknown) => log.debug({ err }, 'surface close failed')));
    return this.remember(channel, work);
  }

  stop(channel: ChannelKey): boolean {
    return this.queues.abort(channel);
  }

  track(channel: ChannelKey, work: Promise<void>): Promise<void> {
    return this.remember(channel, work.catch((err: unknown) => this.opts.logger.error({ err, channel }, 'tracked work failed')));
  }

  async drain(filter: ChannelFilter = () => true): Promise<void> {
    const { logger, shutdownGraceMs } = this.opts;
    if (await settlesWithin(this.settled(filter), shutdownGraceMs)) return;
    logger.warn({ graceMs: shutdownGraceMs }, 'drain: grace over, stopping replies in flight');
    this.queues.abortWhere(filter);
    if (!(await settlesWithin(this.settled(filter), SHUTDOWN_ABORT_TAIL_MS))) logger.warn('drain: work did not end in time');
  }

  shutdown(): Promise<void> {
    this.stopping ??= this.stopAll();
    return this.stopping;
  }

  private async admit(turn: Turn, prepare: Prepare, surface: Surface, log: Logger, requestId: string): Promise<void> {
    const { planner } = this.opts;
    let msg: Incoming | undefined;
    try {
      msg = await prepare(turn.signal);
      if (msg && turn.signal.aborted) throw turn.signal.reason;
    } catch (err) {
      this.queues.end(turn);
      if (!turn.signal.aborted) {
        log.error({ err, platform: surface.platform }, 'preparing the message failed');
        await planner.say(surface, 'error.unknown').catch(() => undefined);
      } else await this.sayDropped(surface, msg, log);
      return;
    }
    if (!msg) return this.queues.end(turn);
    const msgLog = log.child({ platform: msg.platform });
    try {
      const plan = await planner.plan(msg, surface, msgLog, requestId);
      if (plan.kind === 'now') {
        // Cheap commands answer at once, even while a reply streams.
        this.queues.end(turn);
        return await plan.answer();
      }
      if (this.queues.ahead(turn) > this.opts.maxWaitingPerChannel) {
        this.queues.end(turn);
        return await planner.notice(surface, `${msg.platform}:${msg.user.id}`, 'busy');
      }
      const outcome = await this.queues.run(turn, plan.run, plan.costly ? this.slots : undefined);
      if (outcome === 'dropped') await this.sayDropped(surface, msg, msgLog);
    } catch (err) {
      msgLog.error({ err }, 'handling failed');
      await planner.say(surface, 'error.unknown').catch(() => undefined);
    } finally {
      this.queues.end(turn);
    }
  }

  /** A message aborted before it ran: by shutdown (told once per user) or by `stop`. */
  private async sayDropped(surface: Surface, msg: Incoming | undefined, log: Logger): Promise<void> {
    if (!this.closing) {
      log.info('stopped before it started');
      return await this.opts.planner.say(surface, 'stopped').catch(() => undefined);
    }
    log.info('dropped by shutdown');
    // Before its preparation finished the user is unknown; the channel stands in for them.
    const who = msg ? `${msg.platform}:${msg.user.id}` : `channel:${surface.channel}`;
    await this.opts.planner.notice(surface, who, 'shutting_down').catch(() => undefined);
  }

  private async stopAll(): Promise<void> {
    this.closing = true;
    const { logger, shutdownGraceMs } = this.opts;
    const dropped = this.queues.dropWaiting();
    logger.info({ dropped, running: this.queues.runningCount, graceMs: shutdownGraceMs }, 'shutdown: queued messages dropped');
    if (await settlesWithin(this.settled(), shutdownGraceMs)) return;
    logger.warn({ running: this.queues.runningCount }, 'shutdown: grace over, stopping replies in flight');
    this.queues.abortRunning();
    if (!(await settlesWithin(this.settled(), SHUTDOWN_ABORT_TAIL_MS))) logger.warn('shutdown: replies did not end in time');
  }

  private remember(channel: ChannelKey, work: Promise<void>): Promise<void> {
    this.inFlight.set(work, channel);
    void work.finally(() => this.inFlight.delete(work));
    return work;
  }

  /** Settles when no work of the matching channels is in flight (work added meanwhile included). */
  private async settled(filter: ChannelFilter = () => true): Promise<void> {
    for (;;) {
      const pending = [...this.inFlight].filter(([, channel]) => filter(channel)).map(([work]) => work);
      if (pending.length === 0) return;
      await Promise.allSettled(pending);
    }
  }
}

/** True if `work` settled within `ms`. */
async function settlesWithin(work: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([work.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
