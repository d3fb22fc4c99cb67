// The virtual clock itself: time order, abort, and no listener left behind on a long-lived signal.
import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { FakeClock } from './fake-clock.js';

describe('FakeClock', () => {
  it('fires sleeps in time order and moves time to each', async () => {
    const clock = new FakeClock();
    const order: Array<[string, number]> = [];
    await Promise.all([
      clock.sleep(30).then(() => order.push(['b', clock.now()])),
      clock.sleep(10).then(() => order.push(['a', clock.now()])),
    ]);
    expect(order).toEqual([
      ['a', 10],
      ['b', 30],
    ]);
  });

  it('a sleep that fires leaves no abort listener on its signal (one signal spans many sleeps)', async () => {
    const clock = new FakeClock();
    const ac = new AbortController();
    for (let i = 0; i < 20; i++) await clock.sleep(100, ac.signal);
    expect(clock.now()).toBe(2_000);
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
  });

  it('an abort ends a pending sleep early and drops its timer', async () => {
    const clock = new FakeClock();
    const ac = new AbortController();
    const slept = clock.sleep(1_000, ac.signal);
    expect(clock.pendingTimers).toBe(1);
    ac.abort();
    await slept;
    expect(clock.pendingTimers).toBe(0);
    expect(clock.now()).toBe(0);
  });
});
