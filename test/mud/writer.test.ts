import { afterEach, describe, expect, it, vi } from 'vitest';
import { PacedWriter, WriterClosedError } from '../../adapters/mud/writer.js';

describe('PacedWriter', () => {
  afterEach(() => vi.useRealTimers());

  function setup(pacingMs = 100) {
    vi.useFakeTimers();
    const out: [string, number][] = [];
    const w = new PacedWriter({ pacingMs });
    w.attach((c) => {
      out.push([c, performance.now()]);
      return true;
    });
    return { w, out };
  }

  it('writes at most one command per pacing interval, in order', async () => {
    const { w, out } = setup(100);
    w.openChat(true);
    const done = Promise.all(['a', 'b', 'c', 'd'].map((c) => w.enqueue(c)));
    await vi.advanceTimersByTimeAsync(350);
    await done;
    expect(out.map(([c]) => c)).toEqual(['a', 'b', 'c', 'd']);
    for (let i = 1; i < out.length; i++) expect(out[i]![1] - out[i - 1]![1]).toBeGreaterThanOrEqual(100);
  });

  it('holds chat until the character is in the game; control goes first', async () => {
    const { w, out } = setup(50);
    void w.enqueue('reply');
    void w.enqueue('password', 'control');
    await vi.advanceTimersByTimeAsync(200);
    expect(out.map(([c]) => c)).toEqual(['password']);
    w.openChat(true);
    await vi.advanceTimersByTimeAsync(100);
    expect(out.map(([c]) => c)).toEqual(['password', 'reply']);
  });

  it('keeps chat queued while detached and resumes on the next connection', async () => {
    const { w, out } = setup(10);
    w.attach(undefined);
    const p = w.enqueue('later');
    await vi.advanceTimersByTimeAsync(100);
    expect(out).toEqual([]);
    w.attach((c) => {
      out.push([c, 0]);
      return true;
    });
    w.openChat(true);
    await vi.advanceTimersByTimeAsync(20);
    await p;
    expect(out.map(([c]) => c)).toEqual(['later']);
  });

  it('close rejects what is still queued', async () => {
    const { w } = setup(10);
    const p = w.enqueue('never');
    w.close();
    await expect(p).rejects.toBeInstanceOf(WriterClosedError);
    await expect(w.enqueue('x')).rejects.toBeInstanceOf(WriterClosedError);
  });

  it('drops the oldest chat line beyond the queue cap', async () => {
    vi.useFakeTimers();
    const dropped: string[] = [];
    const w = new PacedWriter({ pacingMs: 10, maxQueued: 2, onDrop: (c) => dropped.push(c) });
    const settled = ['1', '2', '3'].map((c) => w.enqueue(c).catch((err: Error) => err.name));
    expect(dropped).toEqual(['1']);
    expect(w.queued).toBe(2);
    w.close();
    expect(await Promise.all(settled)).toEqual([undefined, 'WriterClosedError', 'WriterClosedError']);
  });
});
