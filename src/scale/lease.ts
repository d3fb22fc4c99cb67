// A fenced lease on one slot: `lease:<slot>` holds "<instance>/<epoch>" with a TTL, `epoch:<slot>`
// counts owners. The holder renews every third of the lease (compare-and-PEXPIRE) and, when it
// has not managed to for 0.8 of the lease, gives the slot up itself: its lost callback runs while
// the key still blocks everyone else, so two owners never act at once. Writes made on behalf of
// the slot carry `fence` and are checked by FENCE_LUA on the server.
import type { Logger } from '../log.js';
import { withDeadline, type RedisClient } from './redis.js';
import { Script, type Fence } from './script.js';

export { FENCE_LUA, FencedScript, LeaseLostError, type Fence } from './script.js';

/** Why a lease ended: renewals failed ('expired'), another owner holds it ('taken'), or it was
 * given back ('released'). */
export type LeaseEnd = 'expired' | 'taken' | 'released';

export interface LeaseOptions {
  redis: RedisClient;
  /** REDIS_PREFIX. */
  prefix: string;
  /** This instance (PARLEY_INSTANCE_ID). */
  owner: string;
  leaseMs: number;
  logger: Logger;
  /** Runs once when the lease ends by expiry or takeover (not on release()): stop the slot's work. */
  onLost?: (lease: Lease, why: LeaseEnd) => void;
}

/** Stop acting this far into a lease that could not be renewed: leaves 20% for timer lag. */
export const SELF_STOP_FRACTION = 0.8;

export const leaseKey = (prefix: string, slot: string) => `${prefix}lease:${slot}`;
export const epochKey = (prefix: string, slot: string) => `${prefix}epoch:${slot}`;

// KEYS: lease, epoch pairs; ARGV: owner, lease ms, how many to take. Returns [index, token, ...]
// (1-based pair index) for the free slots it took, in KEYS order.
const ACQUIRE = new Script(`
local taken, out = 0, {}
local limit = tonumber(ARGV[3])
for i = 1, #KEYS, 2 do
  if taken >= limit then break end
  if redis.call('EXISTS', KEYS[i]) == 0 then
    local token = ARGV[1] .. '/' .. redis.call('INCR', KEYS[i + 1])
    redis.call('SET', KEYS[i], token, 'PX', ARGV[2])
    taken = taken + 1
    out[#out + 1] = (i + 1) / 2
    out[#out + 1] = token
  end
end
return out`);

const RENEW = new Script(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`);

const RELEASE = new Script(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`);

export class Lease {
  readonly fence: Fence;
  /** Fencing epoch: grows by one with every new owner of the slot. */
  readonly epoch: number;
  private ended: LeaseEnd | undefined;
  private validUntil: number;
  private renewing = false;
  private readonly renewTimer: NodeJS.Timeout;
  private watchdog: NodeJS.Timeout | undefined;

  private constructor(
    readonly slot: string,
    readonly token: string,
    sentAt: number,
    private readonly opts: LeaseOptions,
  ) {
    this.fence = { slot, key: leaseKey(opts.prefix, slot), token };
    this.epoch = Number(token.slice(token.lastIndexOf('/') + 1));
    this.validUntil = sentAt + opts.leaseMs * SELF_STOP_FRACTION;
    this.armWatchdog();
    this.renewTimer = setInterval(() => void this.renew(), Math.max(1, Math.floor(opts.leaseMs / 3)));
    this.renewTimer.unref();
  }

  /** Takes the slot when it is free; undefined when someone holds it. */
  static async acquire(slot: string, opts: LeaseOptions): Promise<Lease | undefined> {
    return (await Lease.acquireMany([slot], 1, opts))[0];
  }

  /** Takes up to `limit` of the free slots among `slots` (in that order) in one round trip. */
  static async acquireMany(slots: readonly string[], limit: number, opts: LeaseOptions): Promise<Lease[]> {
    if (slots.length === 0 || limit <= 0) return [];
    const keys = slots.flatMap((s) => [leaseKey(opts.prefix, s), epochKey(opts.prefix, s)]);
    // The lease is counted from when the request left: never later than the server's clock.
    const sentAt = performance.now();
    const reply = (await ACQUIRE.run(opts.redis, keys, [opts.owner, opts.leaseMs, limit])) as Array<number | string>;
    const leases: Lease[] = [];
    for (let i = 0; i + 1 < reply.length; i += 2) {
      const slot = slots[Number(reply[i]) - 1];
      if (slot !== undefined) leases.push(new Lease(slot, String(reply[i + 1]), sentAt, opts));
    }
    return leases;
  }

  /** True until the lease expired, was taken or was released. */
  get held(): boolean {
    return this.ended === undefined;
  }

  /** How it ended, once it has. */
  get end(): LeaseEnd | undefined {
    return this.ended;
  }

  /** Extends the lease; false once it is no longer held. Runs by itself every third of the lease. */
  async renew(): Promise<boolean> {
    if (this.ended || this.renewing) return !this.ended;
    this.renewing = true;
    const sentAt = performance.now();
    try {
      const renewal = RENEW.run(this.opts.redis, [this.fence.key], [this.token, this.opts.leaseMs]);
      const ok = await withDeadline(renewal, Math.max(1, Math.floor(this.opts.leaseMs / 3)), `renewing ${this.slot}`);
      if (this.ended) return false;
      if (ok !== 1) {
        this.finish('taken');
        return false;
      }
      this.validUntil = sentAt + this.opts.leaseMs * SELF_STOP_FRACTION;
      this.armWatchdog();
      return true;
    } catch (err) {
      // Retried at the next tick; the watchdog stops the slot if that goes on too long.
      this.opts.logger.debug({ err, slot: this.slot }, 'lease renewal failed');
      return !this.ended;
    } finally {
      this.renewing = false;
    }
  }

  /** Gives the slot back at once (compare-and-DEL), so a successor need not wait for expiry. */
  async release(): Promise<void> {
    if (this.ended) return;
    this.stopTimers();
    this.ended = 'released';
    await RELEASE.run(this.opts.redis, [this.fence.key], [this.token]);
  }

  /** Stops renewing without telling Redis; the key then expires on its own (tests, crash paths). */
  abandon(): void {
    this.stopTimers();
    this.ended ??= 'released';
  }

  private armWatchdog(): void {
    if (this.watchdog) clearTimeout(this.watchdog);
    this.watchdog = setTimeout(() => this.expire(), Math.max(0, this.validUntil - performance.now()));
    this.watchdog.unref();
  }

  private expire(): void {
    if (this.ended) return;
    this.finish('expired');
    // The key may still be ours (Redis slow, not gone): hand it back rather than block the slot.
    RELEASE.run(this.opts.redis, [this.fence.key], [this.token]).catch(() => undefined);
  }

  private finish(why: LeaseEnd): void {
    this.stopTimers();
    this.ended = why;
    this.opts.logger.warn({ slot: this.slot, epoch: this.epoch, why }, 'lease lost; slot stopped');
    this.opts.onLost?.(this, why);
  }

  private stopTimers(): void {
    clearInterval(this.renewTimer);
    if (this.watchdog) clearTimeout(this.watchdog);
  }
}
