// Runs a piece of per-process work (a Discord shard's client, a MUD character's connection) only
// while this instance holds the slot's lease. Starts and stops of one slot never overlap, so a
// slot given back and taken again cannot run twice; a graceful give-back (surplus, SIGTERM)
// waits for the work to finish before the lease is deleted.
import type { Logger } from './log.js';
import type { Lease, LeaseEnd } from './scale/lease.js';
import type { RedisClient } from './scale/redis.js';
import type { ScaleConfig } from './scale/config.js';
import { SlotOwner } from './scale/slots.js';

/** What runs while a slot is held. */
export interface SlotWork {
  /** `now`: the lease is gone (expired or taken), someone else may start at any moment: stop at
   * once, without waiting for replies in flight. Otherwise finish what is in flight first. */
  stop(now: boolean): Promise<void>;
}

export interface SlotRunnerOptions {
  scale: ScaleConfig;
  logger: Logger;
  /** The slots this runner competes for, e.g. dc:0..n-1 or mud:<id>. */
  slots: readonly string[];
  /** Starts the slot's work; called once this instance holds the lease. */
  start(slot: string, lease: Lease): Promise<SlotWork>;
  /** A start that failed after begin() returned (begin() itself rejects with the first one). */
  onStartFailed?(slot: string, err: unknown): void;
  /** Slots kept over an even share (SlotOwner's slack; default 1). */
  slack?: number;
  /** An already connected client; otherwise one is connected from scale.redisUrl. */
  redis?: RedisClient;
}

export class SlotRunner {
  private readonly works = new Map<string, SlotWork>();
  /** The tail of each slot's start/stop sequence. */
  private readonly chains = new Map<string, Promise<void>>();
  private owner: SlotOwner | undefined;
  private redis: RedisClient | undefined;
  private ownsRedis = false;
  private startup: unknown[] | undefined = [];

  constructor(private readonly opts: SlotRunnerOptions) {}

  /** Slots whose work is running now. */
  get running(): ReadonlySet<string> {
    return new Set(this.works.keys());
  }

  get redisClient(): RedisClient | undefined {
    return this.redis;
  }

  /** Joins the members, takes this instance's share, and resolves once those slots' work started. */
  async begin(redis?: RedisClient): Promise<void> {
    const { scale, logger } = this.opts;
    this.redis = redis ?? this.opts.redis;
    if (!this.redis) {
      // Loaded here: node-redis costs start-up time a single instance never needs.
      const { connectRedis } = await import('./scale/redis.js');
      this.redis = await connectRedis(scale.redisUrl ?? '', logger, { clientName: scale.instanceId });
      this.ownsRedis = true;
    }
    const owner = new SlotOwner({
      redis: this.redis,
      prefix: scale.prefix,
      instanceId: scale.instanceId,
      leaseMs: scale.leaseMs,
      logger,
      slots: this.opts.slots,
      slack: this.opts.slack,
      drain: (slot) => this.chains.get(slot) ?? Promise.resolve(),
    });
    this.owner = owner;
    owner.on('gained', (slot, lease) => this.enqueue(slot, () => this.startSlot(slot, lease)));
    owner.on('lost', (slot, why) => this.enqueue(slot, () => this.stopSlot(slot, why)));
    await owner.start();
    await Promise.allSettled([...this.chains.values()]);
    const failures = this.startup ?? [];
    this.startup = undefined;
    if (failures.length > 0) throw failures[0];
  }

  /** Gives every slot back (each slot's work finishes first) and disconnects. */
  async end(): Promise<void> {
    await this.owner?.releaseAll();
    await Promise.allSettled([...this.chains.values()]);
    if (this.ownsRedis) this.redis?.destroy();
  }

  private enqueue(slot: string, step: () => Promise<void>): void {
    const next = (this.chains.get(slot) ?? Promise.resolve()).then(step).catch((err: unknown) => {
      this.opts.logger.error({ err, slot }, 'slot work failed');
    });
    this.chains.set(slot, next);
  }

  private async startSlot(slot: string, lease: Lease): Promise<void> {
    let work: SlotWork;
    try {
      work = await this.opts.start(slot, lease);
    } catch (err) {
      if (this.startup) this.startup.push(err);
      else this.opts.onStartFailed?.(slot, err);
      return;
    }
    // Lost while starting: the lost step already ran and found nothing to stop.
    if (!lease.held) return work.stop(lease.end !== 'released');
    this.works.set(slot, work);
  }

  private async stopSlot(slot: string, why: LeaseEnd): Promise<void> {
    const work = this.works.get(slot);
    this.works.delete(slot);
    await work?.stop(why !== 'released');
  }
}
