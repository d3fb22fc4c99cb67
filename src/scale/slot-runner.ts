// Runs a piece of per-process work (a Discord shard's client, a MUD character's connection) only
// while this instance holds the slot's lease. Starts and stops of one slot never overlap, so a
// slot given back and taken again cannot run twice; a graceful give-back (surplus, SIGTERM)
// waits for the work to finish before the lease is deleted. History writes of the slot's
// channels are fenced with its lease, so a paused ex-holder cannot write after a takeover.
import type { Lease, LeaseEnd } from './lease.js';
import type { ScaleRuntime } from './runtime.js';
import type { Fence } from './script.js';
import type { SlotOwner } from './slots.js';
import type { ChannelKey } from '../types.js';

/** What runs while a slot is held. */
export interface SlotWork {
  /** `now`: the lease is gone (expired or taken), someone else may start at any moment: stop at
   * once, without waiting for replies in flight. Otherwise finish what is in flight first. */
  stop(now: boolean): Promise<void>;
}

export interface SlotRunnerOptions {
  scale: ScaleRuntime;
  /** The slots this runner competes for, e.g. dc:0..n-1 or mud:<id>. */
  slots: readonly string[];
  /** The slot a channel of this runner belongs to; undefined for other platforms' channels. */
  slotOf(channel: ChannelKey): string | undefined;
  /** Starts the slot's work; called once this instance holds the lease. */
  start(slot: string, lease: Lease): Promise<SlotWork>;
  /** A start that failed after begin() returned (begin() itself rejects with the first one). */
  onStartFailed?(slot: string, err: unknown): void;
  /** Slots kept over an even share (SlotOwner's slack; default 1). */
  slack?: number;
}

export class SlotRunner {
  private readonly works = new Map<string, SlotWork>();
  /** The tail of each slot's start/stop sequence. */
  private readonly chains = new Map<string, Promise<void>>();
  /** Each running slot's fence, kept until its work stopped: replies finishing during a graceful
   * give-back still write (the lease is deleted only after). */
  private readonly fences = new Map<string, Fence>();
  private owner: SlotOwner | undefined;
  private startup: unknown[] | undefined = [];

  constructor(private readonly opts: SlotRunnerOptions) {}

  /** Slots whose work is running now. */
  get running(): ReadonlySet<string> {
    return new Set(this.works.keys());
  }

  /** Joins the members, takes this instance's share, and resolves once those slots' work started. */
  async begin(): Promise<void> {
    const { scale } = this.opts;
    const owner = scale.ownSlots(this.opts.slots, { slack: this.opts.slack, drain: (slot) => this.chains.get(slot) ?? Promise.resolve() });
    this.owner = owner;
    scale.addFenceSource((channel) => {
      const slot = this.opts.slotOf(channel);
      return slot === undefined ? undefined : (this.fences.get(slot) ?? owner.fence(slot));
    });
    owner.on('gained', (slot, lease) => this.enqueue(slot, () => this.startSlot(slot, lease)));
    owner.on('lost', (slot, why) => this.enqueue(slot, () => this.stopSlot(slot, why)));
    await owner.start();
    await Promise.allSettled([...this.chains.values()]);
    const failures = this.startup ?? [];
    this.startup = undefined;
    if (failures.length > 0) throw failures[0];
  }

  /** Gives every slot back (each slot's work finishes first). */
  async end(): Promise<void> {
    await this.owner?.releaseAll();
    await Promise.allSettled([...this.chains.values()]);
  }

  private enqueue(slot: string, step: () => Promise<void>): void {
    const next = (this.chains.get(slot) ?? Promise.resolve()).then(step).catch((err: unknown) => {
      this.opts.scale.logger.error({ err, slot }, 'slot work failed');
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
    this.fences.set(slot, lease.fence);
  }

  private async stopSlot(slot: string, why: LeaseEnd): Promise<void> {
    const work = this.works.get(slot);
    this.works.delete(slot);
    try {
      await work?.stop(why !== 'released');
    } finally {
      this.fences.delete(slot);
    }
  }
}
