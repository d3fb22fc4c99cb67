// Slot ownership across 1, 2 and 3 instances on a real redis-server. Rounds are run by hand (the
// lease is long, so the timers never fire during a test): every step is deterministic.
import { afterEach, describe, expect, it } from 'vitest';
import { leaseKey } from '../../src/scale/lease.js';
import { SlotOwner, slotCap, type SlotOwnerOptions } from '../../src/scale/slots.js';
import { quietLogger, useRedis } from '../helpers/redis.js';

const redis = useRedis();
const SLOTS = Array.from({ length: 12 }, (_, i) => `tg:${i}`);
const owners: SlotOwner[] = [];
let n = 0;
afterEach(async () => {
  await Promise.all(owners.splice(0).map((o) => o.releaseAll()));
});

async function owner(id: string, prefix: string, extra: Partial<SlotOwnerOptions> = {}): Promise<SlotOwner> {
  const o = new SlotOwner({ redis: await redis().client(), prefix, instanceId: id, leaseMs: 30_000, logger: quietLogger, slots: SLOTS, ...extra });
  owners.push(o);
  return o;
}

/** Every slot held by exactly one owner. */
function expectPartition(all: SlotOwner[]): void {
  const held = all.flatMap((o) => [...o.held.keys()]);
  expect(held.sort()).toEqual([...SLOTS].sort());
}

describe('SlotOwner', () => {
  it('the cap is an even share plus the slack', () => {
    expect(slotCap(64, 1, 1)).toBe(65);
    expect(slotCap(64, 3, 1)).toBe(23);
    expect(slotCap(2, 2, 0)).toBe(1);
  });

  it('one member holds every slot and says so through gained', async () => {
    const a = await owner('a', `s${++n}:`);
    const gained: string[] = [];
    a.on('gained', (slot) => gained.push(slot));
    await a.rebalance();
    expect(gained.sort()).toEqual([...SLOTS].sort());
    expect(a.owns('tg:0')).toBe(true);
  });

  it('two members: the first gives back its surplus, the second takes it', async () => {
    const prefix = `s${++n}:`;
    const a = await owner('a', prefix);
    const b = await owner('b', prefix);
    await a.rebalance();
    await b.rebalance(); // joins: now 2 members, nothing free yet
    expect(b.held.size).toBe(0);
    const lost: string[] = [];
    a.on('lost', (slot, why) => lost.push(`${slot}:${why}`));
    await a.rebalance();
    expect(a.held.size).toBe(slotCap(12, 2, 1));
    expect(lost).toHaveLength(12 - 7);
    expect(lost.every((l) => l.endsWith(':released'))).toBe(true);
    await b.rebalance();
    expect(b.held.size).toBe(5);
    expectPartition([a, b]);
  });

  it('three members with no slack end exactly even; with slack 1 nobody exceeds share + 1', async () => {
    for (const slack of [0, 1]) {
      const prefix = `s${++n}:`;
      const all = [await owner('a', prefix, { slack }), await owner('b', prefix, { slack }), await owner('c', prefix, { slack })];
      await all[0]!.rebalance();
      // Every member heartbeats, then two full rounds settle the surplus.
      for (let round = 0; round < 3; round++) for (const o of all) await o.rebalance();
      expectPartition(all);
      for (const o of all) expect(o.held.size).toBeLessThanOrEqual(slotCap(12, 3, slack));
      if (slack === 0) expect(all.map((o) => o.held.size)).toEqual([4, 4, 4]);
      await Promise.all(all.map((o) => o.releaseAll()));
    }
  });

  it('releaseAll drains each slot while still holding it, then a successor takes over at once', async () => {
    const prefix = `s${++n}:`;
    const c = await redis().client();
    const drained: string[] = [];
    const a = await owner('a', prefix, {
      slots: ['dc:0'],
      drain: async (slot) => {
        // Still ours while the slot's work finishes.
        drained.push(`${slot}=${await c.get(leaseKey(prefix, slot))}`);
      },
    });
    const b = await owner('b', prefix, { slots: ['dc:0'] });
    await a.rebalance();
    await b.rebalance();
    expect(b.owns('dc:0')).toBe(false);
    await a.releaseAll(); // SIGTERM
    expect(drained).toEqual(['dc:0=a/1']);
    // No waiting for the 30 s lease to expire: the next round takes it.
    await b.rebalance();
    expect(b.owns('dc:0')).toBe(true);
    expect(b.lease('dc:0')?.epoch).toBe(2);
  });

  it('a member that left (releaseAll) no longer counts toward the share', async () => {
    const prefix = `s${++n}:`;
    const a = await owner('a', prefix, { leaseMs: 300 });
    const b = await owner('b', prefix, { leaseMs: 300 });
    await a.rebalance();
    await b.rebalance();
    b.removeAllListeners();
    await b.releaseAll(); // leaves the member set at once
    await a.rebalance();
    expect(a.held.size).toBe(12);
  });
});
