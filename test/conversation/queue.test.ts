import { describe, expect, it } from 'vitest';
import { ChannelQueues } from '../../src/conversation/queue.js';

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

describe('ChannelQueues', () => {
  it('runs one task per channel at a time, in order, channels independent', async () => {
    const q = new ChannelQueues(5);
    const log: string[] = [];
    const gate = deferred();
    const a = q.tryEnqueue('c1', async () => {
      log.push('a start');
      await gate.promise;
      log.push('a end');
    });
    const b = q.tryEnqueue('c1', async () => {
      log.push('b');
    });
    const other = q.tryEnqueue('c2', async () => {
      log.push('other');
    });
    await other;
    expect(log).toEqual(['a start', 'other']);
    gate.resolve();
    await Promise.all([a, b]);
    expect(log).toEqual(['a start', 'other', 'a end', 'b']);
  });

  it('refuses past the bound and recovers after', async () => {
    const q = new ChannelQueues(1);
    const gate = deferred();
    const running = q.tryEnqueue('c', () => gate.promise);
    const waiting = q.tryEnqueue('c', async () => undefined);
    expect(running).toBeDefined();
    expect(waiting).toBeDefined();
    expect(q.tryEnqueue('c', async () => undefined)).toBeUndefined();
    gate.resolve();
    await Promise.all([running, waiting]);
    expect(q.isBusy('c')).toBe(false);
    expect(q.tryEnqueue('c', async () => undefined)).toBeDefined();
  });

  it('abort signals only the running task; a failing task does not block the next', async () => {
    const q = new ChannelQueues(5);
    let seen: AbortSignal | undefined;
    const first = q.tryEnqueue('c', (signal) => {
      seen = signal;
      return new Promise<void>((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));
    });
    const second = q.tryEnqueue('c', async (signal) => {
      expect(signal.aborted).toBe(false);
    });
    await new Promise((r) => setTimeout(r, 0));
    expect(q.abort('c')).toBe(true);
    await expect(first).rejects.toThrow('aborted');
    await second;
    expect(seen?.aborted).toBe(true);
    expect(q.abort('c')).toBe(false);
  });

  it('drain waits for everything', async () => {
    const q = new ChannelQueues(5);
    let done = 0;
    for (const c of ['a', 'b', 'c']) q.tryEnqueue(c, async () => { await new Promise((r) => setTimeout(r, 5)); done++; });
    await q.drain();
    expect(done).toBe(3);
  });
});
