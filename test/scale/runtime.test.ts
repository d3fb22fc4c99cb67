// core.scale as adapters use it: slot owners made through it, store writes fenced by the slots'
// leases, and close() (what SIGTERM ends in) handing every lease back so a successor takes over
// at its next round instead of after expiry.
import { describe, expect, it } from 'vitest';
import { loadScaleConfig } from '../../src/scale/config.js';
import { LeaseLostError, leaseKey } from '../../src/scale/lease.js';
import { startScale } from '../../src/scale/runtime.js';
import { quietLogger, useRedis } from '../helpers/redis.js';

const redis = useRedis();
let n = 0;

function config(id: string, prefix: string) {
  return loadScaleConfig({ REDIS_URL: redis().url, REDIS_PREFIX: prefix, PARLEY_INSTANCE_ID: id, PARLEY_LEASE_MS: '30000' });
}

describe('scale runtime', () => {
  it('reads the settings with their defaults', () => {
    const c = loadScaleConfig({ REDIS_URL: 'redis://127.0.0.1:6379/0' });
    expect(c).toMatchObject({ prefix: 'parley:', leaseMs: 10_000, partitions: 64, discordShardCount: 'auto' });
    expect(c.instanceId).toMatch(/-\d+$/);
    expect(loadScaleConfig({ DISCORD_SHARD_COUNT: '4' }).discordShardCount).toBe(4);
    expect(() => loadScaleConfig({ REDIS_URL: 'http://x' })).toThrow(/redis:\/\//);
  });

  it('close() hands the leases back at once: a successor takes the slot at its next round', async () => {
    const prefix = `rt${++n}:`;
    const a = await startScale(config('a', prefix), quietLogger);
    const b = await startScale(config('b', prefix), quietLogger);
    try {
      const ownerA = a.ownSlots(['mud:hero']);
      await ownerA.start();
      const ownerB = b.ownSlots(['mud:hero']);
      await ownerB.start();
      expect(ownerA.owns('mud:hero')).toBe(true);
      expect(ownerB.owns('mud:hero')).toBe(false);
      await a.close();
      expect(await b.redis.get(leaseKey(prefix, 'mud:hero'))).toBeNull();
      await ownerB.rebalance();
      expect(ownerB.owns('mud:hero')).toBe(true);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("the store fences a channel's writes with the slot an adapter maps it to", async () => {
    const prefix = `rt${++n}:`;
    const a = await startScale(config('a', prefix), quietLogger);
    try {
      const owner = a.ownSlots(['tg:0']);
      a.addFenceSource((channel) => (channel.startsWith('telegram:') ? owner.fence('tg:0') : undefined));
      // Not held yet: the write is refused rather than made unchecked.
      await expect(a.store.append('telegram:1', [{ role: 'user', content: 'q', at: 1 }], 10)).rejects.toBeInstanceOf(LeaseLostError);
      await owner.start();
      await a.store.append('telegram:1', [{ role: 'user', content: 'q', at: 1 }], 10);
      // Channels no adapter maps are written unchecked.
      await a.store.append('console:local', [{ role: 'user', content: 'c', at: 1 }], 10);
      expect((await a.store.load('telegram:1')).map((t) => t.content)).toEqual(['q']);
    } finally {
      await a.close();
    }
  });
});
