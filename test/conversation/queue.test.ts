import { describe, expect, it } from 'vitest';
import { ChannelQueues } from '../../src/conversation/queue.js';
import { ProviderSlots } from '../../src/conversation/slots.js';

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

describe('ChannelQueues', () => {
  it('runs one turn per channel at a time, in the order the turns were taken, channels independent', async () => {
    const q = new ChannelQueues();
    const log: string[] = [];
    const gate = deferred();
    const a = q.reserve('c1');
    const b = q.reserve('c1');
    const other = q.reserve('c2');
    // b is ready before a (a's preparation is still "downloading"): it must wait for a anyway.
    const bDone = q.run(b, async () => void log.push('b'));
    await q.run(other, async () => void log.push('other'));
    expect(log).toEqual(['other']);
    const aStarted = deferred();
    const aDone = q.run(a, async () => {
      log.push('a start');
      aStarted.resolve();
      await gate.promise;
      log.push('a end');
    });
    await aStarted.promise;
    expect(log).toEqual(['other', 'a start']);
    gate.resolve();
    await Promise.all([aDone, bDone]);
    expect(log).toEqual(['other', 'a start', 'a end', 'b']);
  });

  it('counts the live turns ahead; a turn ended early (a cheap command) lets the next one go', async () => {
    const q = new ChannelQueues();
    const first = q.reserve('c');
    const command = q.reserve('c');
    const third = q.reserve('c');
    expect(q.ahead(third)).toBe(2);
    q.end(command);
    expect(q.ahead(third)).toBe(1);
    const ran: string[] = [];
    const thirdDone = q.run(third, async () => void ran.push('third'));
    await q.run(first, async () => void ran.push('first'));
    await thirdDone;
    expect(ran).toEqual(['first', 'third']);
    expect(q.ahead(q.reserve('c'))).toBe(0);
  });

  it('abort stops the head turn: a running task sees its signal, a waiting one is dropped unrun', async () => {
    const q = new ChannelQueues();
    const running = q.reserve('c');
    const started = deferred();
    const runningDone = q.run(running, (signal) => {
      started.resolve();
      return new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
    });
    await started.promise;
    expect(q.abort('c')).toBe(true);
    await expect(runningDone).resolves.toBe('done');

    const gate = deferred();
    const blocker = q.reserve('c');
    const waiting = q.reserve('c');
    const blockerStarted = deferred();
    const blockerDone = q.run(blocker, () => (blockerStarted.resolve(), gate.promise));
    await blockerStarted.promise;
    let ran = false;
    const waitingDone = q.run(waiting, async () => void (ran = true));
    q.dropWaiting();
    gate.resolve();
    expect(await blockerDone).toBe('done');
    expect(await waitingDone).toBe('dropped');
    expect(ran).toBe(false);
    expect(q.abort('c')).toBe(false);
  });

  it('a failing task does not block the next turn', async () => {
    const q = new ChannelQueues();
    const a = q.reserve('c');
    const b = q.reserve('c');
    const bDone = q.run(b, async () => undefined);
    await expect(q.run(a, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await bDone).toBe('done');
  });
});

describe('ProviderSlots', () => {
  it('never grants more than the limit, serves waiters first come first served, skips aborted ones', async () => {
    const slots = new ProviderSlots(2);
    const r1 = await slots.acquire();
    const r2 = await slots.acquire();
    const order: string[] = [];
    const a = slots.acquire().then((r) => (order.push('a'), r));
    const cancelled = new AbortController();
    const b = slots.acquire(cancelled.signal).then((r) => (order.push('b'), r));
    const c = slots.acquire().then((r) => (order.push('c'), r));
    expect(slots.waiting).toBe(3);
    cancelled.abort(new Error('gone'));
    await expect(b).rejects.toThrow('gone');
    r1();
    r1(); // twice is harmless: it must not free a second slot
    const ra = await a;
    expect(order).toEqual(['a']);
    expect(slots.inUse).toBe(2);
    r2();
    const rc = await c;
    expect(order).toEqual(['a', 'c']);
    ra();
    rc();
    expect(slots.inUse).toBe(0);
  });
});
