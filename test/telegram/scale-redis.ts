// What the Telegram scale e2e reads back from Redis: a channel's history through the real store,
// and how many inbox entries are read but not yet acknowledged.
import { RedisStore } from '../../src/store/redis.js';
import type { StoredTurn } from '../../src/store/types.js';
import type { RedisServer } from '../helpers/redis.js';

const PREFIX = 'parley:';

export async function historyOf(redis: RedisServer, channel: string): Promise<StoredTurn[]> {
  return new RedisStore(await redis.client(), { prefix: PREFIX }).load(channel);
}

/** Entries of every Telegram slot's stream not yet acknowledged (XPENDING). */
export async function pendingEntries(redis: RedisServer): Promise<number> {
  const client = await redis.client();
  let total = 0;
  for (const key of await client.keys(`${PREFIX}in:tg:*`)) {
    const summary = await client.xPending(key, 'parley');
    total += Number(summary.pending);
  }
  return total;
}
