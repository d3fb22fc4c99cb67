// Which slots this instance owns. Every sixth of a lease it heartbeats into the `members` set,
// counts the live members and evens out: it takes free (or expired) slots up to its share,
// ceil(slots / members), and gives back any beyond share + slack. Releases are graceful: `lost`
// fires and `drain` is awaited before the lease is deleted. On SIGTERM, releaseAll() hands every
// slot back at once so a successor takes over at its next round instead of after expiry.
import { EventEmitter } from 'node:events';
import type { Logger } from '../log.js';
import { Lease, leaseKey, type LeaseEnd } from './lease.js';
import type { RedisClient } from './redis.js';
import { Script, type Fence } from './script.js';

export interface SlotOwnerOptions {
  redis: RedisClient;
  prefix: string;
  instanceId: string;
  leaseMs: number;
  logger: Logger;
  /** Every slot of the deployment, e.g. dc:0, dc:1, tg:0..63, mud:<profile>, tgpoll. */
  slots: readonly string[];
  /** Slots over an even share kept before giving some back; damps churn while members come
   * and go. Default 1. */
  slack?: number;
  /** Awaited after `lost` and before a graceful release, so the slot's work can finish. */
  drain?: (slot: string) => Promise<void>;
}

export interface SlotOwnerEvents {
  gained: [slot: string, lease: Lease];
  lost: [slot: string, why: LeaseEnd];
}

export const membersKey = (prefix: string) => `${prefix}members`;

/** Rebalancing rounds per lease period: more take over sooner, each costs one short script. */
const ROUNDS_PER_LEASE = 6;
/** A member whose heartbeat is older than this share of a lease no longer counts: the others'
 * share grows before its leases expire, so they take its slots as soon as those are free. A
 * live member counted out for a moment costs nothing: only free slots are ever taken. */
const MEMBER_TTL_FRACTION = 0.5;

// KEYS[1] members zset; ARGV: instance id, member ttl ms. Server time, so clock skew between
// instances cannot make a live member look dead. Returns the live member count.
const HEARTBEAT = new Script(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
return redis.call('ZCARD', KEYS[1])`);

/** The largest number of slots one of `members` instances keeps. */
export function slotCap(slots: number, members: number, slack: number): number {
  return Math.ceil(slots / Math.max(1, members)) + slack;
}

/** A start offset from the instance id, so instances try free slots in different orders. */
function rotation(id: string, n: number): number {
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) >>> 0;
  return n === 0 ? 0 : h % n;
}

export class SlotOwner extends EventEmitter<SlotOwnerEvents> {
  private readonly leases = new Map<string, Lease>();
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> | undefined;
  private closed = false;
  private roundFailed = false;
  private readonly order: string[];

  constructor(private readonly opts: SlotOwnerOptions) {
    super();
    const k = rotation(opts.instanceId, opts.slots.length);
    this.order = [...opts.slots.slice(k), ...opts.slots.slice(0, k)];
  }

  /** Joins and runs the first round; then rounds repeat every sixth of a lease: a slot whose
   * owner died is free one lease after its last renewal, and is taken within a round of that. */
  async start(): Promise<void> {
    await this.rebalance();
    this.timer = setInterval(() => void this.rebalance(), Math.max(1, Math.floor(this.opts.leaseMs / ROUNDS_PER_LEASE)));
    this.timer.unref();
  }

  /** Slots held now, with their leases. */
  get held(): ReadonlyMap<string, Lease> {
    return this.leases;
  }

  lease(slot: string): Lease | undefined {
    return this.leases.get(slot);
  }

  owns(slot: string): boolean {
    return this.leases.get(slot)?.held === true;
  }

  /** The fence for writes on behalf of `slot`: its lease's, or one that never matches when this
   * instance does not hold it (the write then fails with LeaseLostError). */
  fence(slot: string): Fence {
    return this.leases.get(slot)?.fence ?? { slot, key: leaseKey(this.opts.prefix, slot), token: '' };
  }

  /** One round: heartbeat, give back surplus, take free slots up to the share. Rounds never overlap. */
  rebalance(): Promise<void> {
    this.round ??= this.runRound().finally(() => (this.round = undefined));
    return this.round;
  }

  /** Gives every slot back (graceful) and leaves the member set; the owner is finished after. */
  async releaseAll(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.round?.catch(() => undefined);
    await Promise.allSettled([...this.leases.keys()].map((slot) => this.giveBack(slot)));
    await this.opts.redis.zRem(membersKey(this.opts.prefix), this.opts.instanceId).catch(() => undefined);
  }

  private async runRound(): Promise<void> {
    if (this.closed) return;
    const { redis, prefix, instanceId, leaseMs, slots } = this.opts;
    try {
      const members = Number(await HEARTBEAT.run(redis, [membersKey(prefix)], [instanceId, Math.ceil(leaseMs * MEMBER_TTL_FRACTION)]));
      const share = slotCap(slots.length, members, 0);
      const cap = slotCap(slots.length, members, this.opts.slack ?? 1);
      const surplus = [...this.leases.keys()].slice(cap);
      await Promise.all(surplus.map((slot) => this.giveBack(slot)));
      const want = share - this.leases.size;
      if (want > 0 && !this.closed) await this.take(want);
      if (this.roundFailed) this.opts.logger.info({ held: this.leases.size }, 'slot rounds working again');
      this.roundFailed = false;
    } catch (err) {
      if (!this.roundFailed) this.opts.logger.warn({ err }, 'slot round failed; leases stop themselves if this lasts');
      this.roundFailed = true;
    }
  }

  private async take(want: number): Promise<void> {
    const free = this.order.filter((s) => !this.leases.has(s));
    const gained = await Lease.acquireMany(free, want, {
      ...this.opts,
      owner: this.opts.instanceId,
      onLost: (lease, why) => this.onLeaseLost(lease, why),
    });
    for (const lease of gained) {
      this.leases.set(lease.slot, lease);
      this.opts.logger.info({ slot: lease.slot, epoch: lease.epoch }, 'slot gained');
      this.emit('gained', lease.slot, lease);
    }
  }

  private onLeaseLost(lease: Lease, why: LeaseEnd): void {
    if (this.leases.get(lease.slot) !== lease) return;
    this.leases.delete(lease.slot);
    this.emit('lost', lease.slot, why);
  }

  private async giveBack(slot: string): Promise<void> {
    const lease = this.leases.get(slot);
    if (!lease) return;
    this.leases.delete(slot);
    this.emit('lost', slot, 'released');
    try {
      await this.opts.drain?.(slot);
    } finally {
      await lease.release().catch((err: unknown) => this.opts.logger.warn({ err, slot }, 'lease release failed; it expires on its own'));
      this.opts.logger.info({ slot }, 'slot released');
    }
  }
}

/** `dc:<k>`: the Discord shard of a guild, (guild_id >> 22) % shards; DMs (no guild) on shard 0. */
export function discordSlot(guildId: string | null | undefined, shardCount: number): string {
  if (!guildId || !/^\d+$/.test(guildId)) return 'dc:0';
  return `dc:${Number((BigInt(guildId) >> 22n) % BigInt(shardCount))}`;
}

/** `tg:<p>`: a Telegram chat's partition (FNV-1a of the chat id). All topics of a chat share
 * it: Telegram's flood limits are per chat. */
export function telegramSlot(chatId: number | string, partitions: number): string {
  let h = 0x811c9dc5;
  for (const ch of String(chatId)) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return `tg:${h % partitions}`;
}

export const mudSlot = (profileId: string) => `mud:${profileId}`;
/** The single getUpdates loop in Telegram polling mode. */
export const TELEGRAM_POLL_SLOT = 'tgpoll';

/** `<prefix>:0` .. `<prefix>:<count - 1>`. */
export function numberedSlots(prefix: 'dc' | 'tg', count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}:${i}`);
}
