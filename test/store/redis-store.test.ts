// What only the Redis store does: fenced writes (an instance that lost the slot cannot touch the
// channel), keys under REDIS_PREFIX, counters that expire on the server.
import { afterEach, describe, expect, it } from 'vitest';
import { Lease, LeaseLostError } from '../../src/scale/lease.js';
import { RedisStore } from '../../src/store/redis.js';
import type { StoredTurn } from '../../src/store/types.js';
import { quietLogger, useRedis } from '../helpers/redis.js';

const redis = useRedis();
const turn = (content: string): StoredTurn => ({ role: 'user', content, at: 1 });
const leases: Lease[] = [];
afterEach(() => {
  for (const l of leases.splice(0)) l.abandon();
});

describe('RedisStore', () => {
  it('keeps every key under the prefix: history list, settings hash, counters', async () => {
    const c = await redis().client();
    const s = new RedisStore(c, { prefix: 'pfx1:' });
    await s.append('telegram:5', [turn('a')], 10);
    await s.setSettings('telegram:5', { model: 'm', voice: false });
    await s.increment('rate:telegram:7:1', 1, 60_000);
    expect((await c.keys('pfx1:*')).sort()).toEqual(['pfx1:h:telegram:5', 'pfx1:n:rate:telegram:7:1', 'pfx1:set:telegram:5']);
    expect(await c.type('pfx1:h:telegram:5')).toBe('list');
    expect(await c.type('pfx1:set:telegram:5')).toBe('hash');
    expect(await s.getSettings('telegram:5')).toEqual({ model: 'm', voice: false });
    const ttl = await c.pTTL('pfx1:n:rate:telegram:7:1');
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it("a later increment does not push a counter's expiry back (PEXPIRE NX)", async () => {
    const c = await redis().client();
    const s = new RedisStore(c, { prefix: 'pfx2:' });
    await s.increment('k', 1, 60_000);
    await s.increment('k', 1, 3_600_000);
    expect(await c.pTTL('pfx2:n:k')).toBeLessThanOrEqual(60_000);
    expect(await s.counter('k')).toBe(2);
  });

  it('writes for a channel go through its lease: the owner writes, an ex-owner is refused', async () => {
    const c = await redis().client();
    const prefix = 'pfx3:';
    const opts = { redis: c, prefix, leaseMs: 30_000, logger: quietLogger };
    const mine = (await Lease.acquire('tg:1', { ...opts, owner: 'a' }))!;
    leases.push(mine);
    let fence = mine.fence;
    const s = new RedisStore(c, { prefix, fenceOf: () => fence });
    await s.append('telegram:1', [turn('q1')], 10);
    await s.setSettings('telegram:1', { model: 'm' });
    // The slot moves on: a's fence is stale from now on.
    await mine.release();
    const theirs = (await Lease.acquire('tg:1', { ...opts, owner: 'b' }))!;
    leases.push(theirs);
    await expect(s.append('telegram:1', [turn('late')], 10)).rejects.toBeInstanceOf(LeaseLostError);
    await expect(s.dropLast('telegram:1', 1)).rejects.toBeInstanceOf(LeaseLostError);
    await expect(s.reset('telegram:1')).rejects.toBeInstanceOf(LeaseLostError);
    await expect(s.setSettings('telegram:1', { model: 'x' })).rejects.toBeInstanceOf(LeaseLostError);
    expect((await s.load('telegram:1')).map((t) => t.content)).toEqual(['q1']);
    fence = theirs.fence;
    await s.append('telegram:1', [turn('q2')], 10);
    expect((await s.load('telegram:1')).map((t) => t.content)).toEqual(['q1', 'q2']);
  });

  it('a damaged entry costs one turn, not the channel', async () => {
    const c = await redis().client();
    const s = new RedisStore(c, { prefix: 'pfx4:' });
    await s.append('c', [turn('a')], 10);
    await c.rPush('pfx4:h:c', '{not json');
    await s.append('c', [turn('b')], 10);
    expect((await s.load('c')).map((t) => t.content)).toEqual(['a', 'b']);
  });
});
