// Fenced leases against a real redis-server: one owner at a time, a stale token cannot write, an
// owner that cannot renew stops itself before anyone else can take the slot.
import { afterEach, describe, expect, it } from 'vitest';
import { FencedScript, Lease, LeaseLostError, leaseKey, type LeaseEnd, type LeaseOptions } from '../../src/scale/lease.js';
import { connectRedis, type RedisClient } from '../../src/scale/redis.js';
import { quietLogger, startGate, useRedis } from '../helpers/redis.js';

const redis = useRedis();
const LEASE_MS = 600;
let n = 0;
const leases: Lease[] = [];
afterEach(() => {
  for (const l of leases.splice(0)) l.abandon();
});

function options(client: RedisClient, owner: string, onLost?: LeaseOptions['onLost']): LeaseOptions {
  return { redis: client, prefix: `t${++n}:`, owner, leaseMs: LEASE_MS, logger: quietLogger, onLost };
}

async function acquire(slot: string, opts: LeaseOptions): Promise<Lease | undefined> {
  const l = await Lease.acquire(slot, opts);
  if (l) leases.push(l);
  return l;
}

/** Tries every few ms until the slot is taken (waits on the event, not a fixed time). */
async function acquireWhenFree(slot: string, opts: LeaseOptions): Promise<Lease> {
  for (;;) {
    const l = await acquire(slot, opts);
    if (l) return l;
    await new Promise((r) => setTimeout(r, 10));
  }
}

// KEYS[2] = the history list; ARGV[2] = the value.
const write = new FencedScript(`return redis.call('RPUSH', KEYS[2], ARGV[2])`);

describe('lease', () => {
  it('one owner at a time; the epoch grows with each new owner', async () => {
    const c = await redis().client();
    const a = options(c, 'a');
    const first = await acquire('dc:0', a);
    expect(first?.token).toBe('a/1');
    expect(await acquire('dc:0', { ...a, owner: 'b' })).toBeUndefined();
    await first!.release();
    const second = await acquire('dc:0', { ...a, owner: 'b' });
    expect(second?.epoch).toBe(2);
    expect(await c.get(leaseKey(a.prefix, 'dc:0'))).toBe('b/2');
  });

  it('after expiry another instance takes over, and the stale token is rejected: the ex-owner cannot write', async () => {
    const c = await redis().client();
    const a = options(c, 'a');
    const old = (await acquire('tg:3', a))!;
    await write.run(c, old.fence, ['h:x'], ['from a']);
    old.abandon(); // paused: stops renewing, still believes it owns the slot
    const next = await acquireWhenFree('tg:3', { ...a, owner: 'b' });
    await expect(write.run(c, old.fence, ['h:x'], ['late a'])).rejects.toBeInstanceOf(LeaseLostError);
    await write.run(c, next.fence, ['h:x'], ['from b']);
    expect(await c.lRange('h:x', 0, -1)).toEqual(['from a', 'from b']);
  });

  it('renewal keeps the lease past its lifetime', async () => {
    const c = await redis().client();
    const a = options(c, 'a');
    const l = (await acquire('mud:x', a))!;
    const b = { ...a, owner: 'b' };
    // Several lifetimes' worth of attempts by another instance, all refused.
    for (let i = 0; i < 4; i++) {
      await new Promise((r) => setTimeout(r, LEASE_MS / 2));
      expect(await acquire('mud:x', b)).toBeUndefined();
    }
    expect(l.held).toBe(true);
  });

  it('an owner that cannot reach Redis stops its slot before another instance can take it', async () => {
    const gate = await startGate(redis());
    const held = await connectRedis(gate.url, quietLogger);
    const direct = await redis().client();
    const events: string[] = [];
    const prefix = `t${++n}:`;
    let stopped!: (why: LeaseEnd) => void;
    const lost = new Promise<LeaseEnd>((resolve) => (stopped = resolve));
    const onLost = (_l: Lease, why: LeaseEnd) => {
      events.push('a stopped');
      stopped(why);
    };
    expect(await acquire('dc:1', { redis: held, prefix, owner: 'a', leaseMs: LEASE_MS, logger: quietLogger, onLost })).toBeDefined();
    gate.hold();
    const taker = acquireWhenFree('dc:1', { redis: direct, prefix, owner: 'b', leaseMs: LEASE_MS, logger: quietLogger }).then((l) => {
      events.push('b took over');
      return l;
    });
    expect(await lost).toBe('expired');
    const next = await taker;
    expect(events).toEqual(['a stopped', 'b took over']);
    expect(next.epoch).toBe(2);
    gate.open();
    held.destroy();
    await gate.close();
  });

  it('a lease taken over while its owner was away ends as taken at the next renewal', async () => {
    const c = await redis().client();
    const a = options(c, 'a');
    let why: LeaseEnd | undefined;
    const l = (await acquire('tgpoll', { ...a, onLost: (_l, w) => (why = w) }))!;
    // Another owner's token in place of ours (as after an expiry we slept through).
    await c.set(leaseKey(a.prefix, 'tgpoll'), 'b/9', { PX: LEASE_MS });
    expect(await l.renew()).toBe(false);
    expect(why).toBe('taken');
    expect(l.held).toBe(false);
  });

  it('acquireMany takes at most the limit, only free slots', async () => {
    const c = await redis().client();
    const a = options(c, 'a');
    await acquire('tg:1', { ...a, owner: 'other' });
    const got = await Lease.acquireMany(['tg:0', 'tg:1', 'tg:2', 'tg:3'], 2, a);
    leases.push(...got);
    expect(got.map((l) => l.slot)).toEqual(['tg:0', 'tg:2']);
  });
});
