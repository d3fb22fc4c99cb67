// The harnesses' shared teardown: main.ts's stop order, nothing left running when a step or a
// start fails.
import { describe, expect, it } from 'vitest';
import type { Adapter } from '../../src/types.js';
import { testEnv } from './env.js';
import { assemble, startBot, Teardown } from './stack.js';

const NO_UPSTREAM = { url: 'http://127.0.0.1:9/v1' };

/** An adapter that only records; `failStart` makes start() reject. */
function recordingAdapter(order: string[], failStart = false): Adapter {
  return {
    platform: 'console',
    start: async () => {
      order.push('adapter.start');
      if (failStart) throw new Error('no login');
    },
    stop: async () => {
      order.push('adapter.stop');
    },
  };
}

describe('Teardown', () => {
  it('runs its steps last-added first, every one even after a failure, then throws the first failure', async () => {
    const order: string[] = [];
    const teardown = new Teardown();
    teardown.add(() => order.push('first'));
    teardown.add(() => {
      throw new Error('second failed');
    });
    teardown.add(async () => {
      order.push('third');
      throw new Error('third failed');
    });
    await expect(teardown.run()).rejects.toThrow('third failed');
    expect(order).toEqual(['third', 'first']);
    // Run again: nothing is left to undo.
    await teardown.run();
    expect(order).toEqual(['third', 'first']);
  });

  it('assemble closes what a failed build had started, then passes its error on', async () => {
    const closed: string[] = [];
    const server = (name: string) => ({ close: async () => void closed.push(name) });
    const failing = assemble(async (teardown) => {
      teardown.closes(server('upstream'));
      teardown.closes(server('platform'));
      throw new Error('the bot would not start');
    });
    await expect(failing).rejects.toThrow('the bot would not start');
    expect(closed).toEqual(['platform', 'upstream']);
  });
});

describe('startBot', () => {
  const recordingCore = (order: string[], failStart = false) =>
    startBot(testEnv(NO_UPSTREAM), (core) => {
      const shutdown = core.manager.shutdown.bind(core.manager);
      const close = core.close.bind(core);
      // core.close() shuts the manager down itself: only the harness's own calls count.
      let closing = false;
      core.manager.shutdown = () => (closing || order.push('manager.shutdown'), shutdown());
      core.close = () => ((closing = true), order.push('core.close'), close());
      return recordingAdapter(order, failStart);
    });

  it('stops as main.ts does: the dispatcher drains, then the adapter disconnects, then the core closes', async () => {
    const order: string[] = [];
    const bot = await recordingCore(order);
    await bot.close();
    expect(order).toEqual(['adapter.start', 'manager.shutdown', 'adapter.stop', 'core.close']);
  });

  it('after stopAdapter() (a slot given back), close() does not stop the adapter again', async () => {
    const order: string[] = [];
    const bot = await recordingCore(order);
    await bot.stopAdapter();
    await bot.close();
    expect(order).toEqual(['adapter.start', 'adapter.stop', 'manager.shutdown', 'core.close']);
  });

  it('a start that fails closes the core before the error goes on', async () => {
    const order: string[] = [];
    await expect(recordingCore(order, true)).rejects.toThrow('no login');
    expect(order).toEqual(['adapter.start', 'manager.shutdown', 'adapter.stop', 'core.close']);
  });
});
