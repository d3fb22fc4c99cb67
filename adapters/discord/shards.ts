// Discord on several instances sharing one Redis (issue 11): shard k is the slot `dc:k`, and
// only its holder runs a discord.js client for it (`shards: [k], shardCount`). Losing the slot
// destroys that client. IDENTIFYs of every instance share one window through a Redis key, as
// Discord allows one per 5 s (per max_concurrency bucket).
import { REST, Routes, type APIGatewayBotInfo, type Client, type ClientOptions } from 'discord.js';
import type { IIdentifyThrottler } from '@discordjs/ws';
import type { Core } from '../../src/app.js';
import type { Logger } from '../../src/log.js';
import type { RedisClient } from '../../src/scale/redis.js';
import { discordSlot, numberedSlots } from '../../src/scale/slots.js';
import { SlotRunner, type SlotWork } from '../../src/scale/slot-runner.js';
import type { ChannelFilter } from '../../src/conversation/dispatcher.js';
import type { Adapter, ChannelKey } from '../../src/types.js';

/** Discord's identify window: one IDENTIFY per bucket per 5 s. */
export const IDENTIFY_WINDOW_MS = 5_000;
/** How often a waiting shard looks at the identify key again at most. */
const IDENTIFY_POLL_MAX_MS = 250;

/** A single-shard Discord adapter: what index.ts builds for one slot. */
export interface ShardAdapter extends Adapter {
  readonly client: Client;
  /**
   * Stops accepting, lets the dispatcher finish the work of the channels `drain` matches (none
   * when absent: at once), then disconnects without stopping the core.
   */
  detach(drain?: ChannelFilter): Promise<void>;
}

export type ShardAdapterFactory = (clientOptions: Partial<ClientOptions>) => ShardAdapter;

/** The slot of a Discord channel key (`discord:<guild|dm>:<channel>`); undefined for others. */
export function slotOfChannel(channel: ChannelKey, shardCount: number): string | undefined {
  const m = /^discord:([^:]+):/.exec(channel);
  return m ? discordSlot(m[1] === 'dm' ? null : m[1], shardCount) : undefined;
}

/**
 * The deployment's shard count: DISCORD_SHARD_COUNT, or Discord's recommendation for `auto`.
 * The first instance records it in Redis and every later one uses that value, so all agree
 * even if the recommendation changes while they start.
 */
export async function agreeShardCount(redis: RedisClient, prefix: string, setting: number | 'auto', recommended: () => Promise<number>): Promise<number> {
  const wanted = setting === 'auto' ? await recommended() : setting;
  const key = `${prefix}dc:shards`;
  await redis.set(key, String(wanted), { condition: 'NX' });
  return Number(await redis.get(key)) || wanted;
}

/** GET /gateway/bot's `shards`. */
export async function recommendedShards(token: string, apiUrl: string | undefined): Promise<number> {
  const rest = new REST(apiUrl ? { api: apiUrl, version: '10' } : { version: '10' }).setToken(token);
  const info = (await rest.get(Routes.gatewayBot())) as APIGatewayBotInfo;
  return Math.max(1, info.shards);
}

/** Lets one IDENTIFY through per window across every instance: SET NX PX on a shared key. */
export function redisIdentifyThrottler(redis: RedisClient, key: string, owner: string, windowMs = IDENTIFY_WINDOW_MS): IIdentifyThrottler {
  return {
    async waitForIdentify(shardId: number, signal: AbortSignal): Promise<void> {
      for (;;) {
        signal.throwIfAborted();
        if ((await redis.set(key, `${owner}/${shardId}`, { condition: 'NX', expiration: { type: 'PX', value: windowMs } })) === 'OK') return;
        const left = await redis.pTTL(key);
        await sleep(Math.min(IDENTIFY_POLL_MAX_MS, Math.max(10, left)), signal);
      }
    },
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * The Discord surface of one instance among several: joins the `dc:*` slots and runs a
 * single-shard adapter for each shard it holds. `client` is the lowest running shard's.
 */
export function createShardedDiscordAdapter(core: Core, forShard: ShardAdapterFactory): ShardAdapter {
  const settings = core.config.discord;
  if (!settings) throw new Error('Discord is not configured: set DISCORD_TOKEN');
  const scale = core.scale;
  if (!scale) throw new Error('Discord shards need HISTORY_STORE=redis');
  const logger: Logger = core.logger.child({ platform: 'discord' });
  const shards = new Map<number, ShardAdapter>();
  let runner: SlotRunner | undefined;

  const adapter: ShardAdapter = {
    platform: 'discord',
    get client(): Client {
      const lowest = [...shards.keys()].sort((a, b) => a - b)[0];
      if (lowest === undefined) throw new Error('this instance runs no Discord shard right now');
      return shards.get(lowest)!.client;
    },
    isUp: () => [...shards.values()].every((s) => s.isUp?.() ?? true),
    async start() {
      const { redis, config } = scale;
      const shardCount = await agreeShardCount(redis, config.prefix, config.discordShardCount, () => recommendedShards(settings.token, settings.apiUrl));
      const throttler = redisIdentifyThrottler(redis, `${config.prefix}dc:identify`, config.instanceId);
      logger.info({ shardCount, instance: config.instanceId }, 'discord sharded across instances');
      runner = new SlotRunner({
        scale,
        slots: numberedSlots('dc', shardCount),
        slotOf: (channel) => slotOfChannel(channel, shardCount),
        // A shard is the unit of load: with the usual +1 slack, 2 shards on 2 instances would
        // stay 2/0 for good. Moving one costs a reconnect, and happens only when members change.
        slack: 0,
        start: (slot) => startShard(Number(slot.slice('dc:'.length)), shardCount, throttler),
        onStartFailed: (slot, err) => adapter.onFatal?.(`Discord shard ${slot}: ${err instanceof Error ? err.message : String(err)}`),
      });
      await runner.begin();
    },
    async stop() {
      await runner?.end();
    },
    async detach() {
      await adapter.stop();
    },
  };

  async function startShard(shard: number, shardCount: number, throttler: IIdentifyThrottler): Promise<SlotWork> {
    const one = forShard({ shards: [shard], shardCount, ws: { buildIdentifyThrottler: () => throttler } });
    one.onFatal = (reason) => adapter.onFatal?.(reason);
    shards.set(shard, one);
    try {
      await one.start();
    } catch (err) {
      shards.delete(shard);
      await one.detach().catch(() => undefined);
      throw err;
    }
    logger.info({ shard, shardCount }, 'discord shard running');
    return {
      async stop(now) {
        shards.delete(shard);
        // Given back gracefully: this shard's channels finish their replies, the others' go on.
        await one.detach(now ? undefined : (channel) => slotOfChannel(channel, shardCount) === `dc:${shard}`);
        logger.info({ shard, now }, 'discord shard stopped');
      },
    };
  }
  return adapter;
}
