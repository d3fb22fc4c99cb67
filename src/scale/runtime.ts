// What HISTORY_STORE=redis adds to the core: one Redis connection, the shared store on it, and
// the slot machinery adapters use to own their shards, partitions and characters. Loaded only
// in that mode (the redis client is not imported otherwise).
import type { Logger } from '../log.js';
import { RedisStore, type FenceOf } from '../store/redis.js';
import type { ChannelKey } from '../types.js';
import type { ScaleConfig } from './config.js';
import { connectRedis, type RedisClient } from './redis.js';
import type { Fence } from './script.js';
import { SlotOwner, type SlotOwnerOptions } from './slots.js';

export interface ScaleRuntime {
  config: ScaleConfig;
  redis: RedisClient;
  store: RedisStore;
  logger: Logger;
  /** Adds an adapter's channel-to-slot mapping; the store fences a channel's writes with the
   * first source that knows the channel. */
  addFenceSource(source: FenceOf): void;
  /** A SlotOwner over `slots` (not started); close() releases it if its adapter has not. */
  ownSlots(slots: readonly string[], opts?: Pick<SlotOwnerOptions, 'slack' | 'drain'>): SlotOwner;
  /** Another connection, for blocking reads (XREADGROUP BLOCK would stall every other command). */
  connection(): Promise<RedisClient>;
  /** Releases every slot (a successor takes over at once), then closes the connections. */
  close(): Promise<void>;
}

export async function startScale(config: ScaleConfig, logger: Logger): Promise<ScaleRuntime> {
  const log = logger.child({ component: 'scale', instance: config.instanceId });
  const redis = await connectRedis(config.redisUrl ?? '', log, { clientName: config.instanceId });
  const sources: FenceOf[] = [];
  const fenceOf = (channel: ChannelKey): Fence | undefined => {
    for (const source of sources) {
      const fence = source(channel);
      if (fence) return fence;
    }
    return undefined;
  };
  const owners: SlotOwner[] = [];
  const extra: RedisClient[] = [];
  return {
    config,
    redis,
    logger: log,
    store: new RedisStore(redis, { prefix: config.prefix, fenceOf }),
    addFenceSource: (source) => void sources.push(source),
    ownSlots(slots, opts = {}) {
      const owner = new SlotOwner({ redis, prefix: config.prefix, instanceId: config.instanceId, leaseMs: config.leaseMs, logger: log, slots, ...opts });
      owners.push(owner);
      return owner;
    },
    async connection() {
      const c = await connectRedis(config.redisUrl ?? '', log, { clientName: config.instanceId });
      extra.push(c);
      return c;
    },
    async close() {
      await Promise.allSettled(owners.map((o) => o.releaseAll()));
      for (const c of [...extra, redis]) if (c.isOpen) await c.close().catch(() => c.destroy());
    },
  };
}
