// What every platform's e2e harness shares: a core from test settings with one real adapter on
// it, and a teardown that undoes a start in reverse, so the order main.ts stops things in (the
// dispatcher drains while the platform client is still connected, then the adapter disconnects,
// then the core closes its stores, the fakes last) is written once.
import { afterAll, beforeAll } from 'vitest';
import { createCore, type Core, type CoreOptions } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import type { Adapter } from '../../src/types.js';

/** Steps run last-added first; a harness adds one for everything it starts. */
export class Teardown {
  private readonly steps: Array<() => unknown> = [];

  add(step: () => unknown): void {
    this.steps.push(step);
  }

  /** Registers `server.close()` and hands the server back. */
  closes<T extends { close(): Promise<unknown> }>(server: T): T {
    this.add(() => server.close());
    return server;
  }

  /** Runs every step even when one fails (nothing is left running), then throws the first failure. */
  async run(): Promise<void> {
    const failures: unknown[] = [];
    for (let step = this.steps.pop(); step; step = this.steps.pop()) {
      await Promise.resolve()
        .then(step)
        .catch((err: unknown) => failures.push(err));
    }
    if (failures.length > 0) throw failures[0];
  }
}

/**
 * Runs `build` with a fresh Teardown and adds `close()` (that teardown) to what it returns. If
 * `build` throws, what it had started is closed before the error goes on: a failed beforeAll
 * leaves no server holding the test process open.
 */
export async function assemble<T extends object>(build: (teardown: Teardown) => Promise<T>): Promise<T & { close(): Promise<void> }> {
  const teardown = new Teardown();
  try {
    return Object.assign(await build(teardown), { close: () => teardown.run() });
  } catch (err) {
    await teardown.run().catch(() => undefined);
    throw err;
  }
}

/**
 * Starts a stack in beforeAll and closes it in afterAll, for a describe block. The object
 * returned is filled in once beforeAll has run: tests read its fields, the describe body cannot.
 */
export function useStack<T extends { close(): Promise<void> }>(start: () => Promise<T>, timeoutMs?: number): T {
  const stack: Partial<T> = {};
  beforeAll(async () => {
    Object.assign(stack, await start());
  }, timeoutMs);
  afterAll(() => stack.close?.());
  return stack as T;
}

export interface RunningBot<A extends Adapter> {
  core: Core;
  adapter: A;
  /** Every reason the adapter gave through onFatal, in order. */
  fatal: string[];
  /** Resolves with the first onFatal reason. */
  firstFatal: Promise<string>;
  /** adapter.stop() alone (a shard or MUD slot given back without a shutdown); close() then skips it. */
  stopAdapter(): Promise<void>;
  /** core.manager.shutdown(), adapter.stop() unless stopAdapter() ran, core.close(). */
  close(): Promise<void>;
}

/** Loads `settings` into a core, makes the adapter on it, records its fatal reports, starts it. */
export async function startBot<A extends Adapter>(settings: Record<string, string>, make: (core: Core) => A, coreOptions: CoreOptions = {}): Promise<RunningBot<A>> {
  const core = await createCore(loadConfig(settings), coreOptions);
  const fatal: string[] = [];
  let reportFirst: (reason: string) => void = () => undefined;
  const firstFatal = new Promise<string>((resolve) => (reportFirst = resolve));
  let adapterStopped = false;
  return assemble(async (teardown) => {
    teardown.add(() => core.close());
    const adapter = make(core);
    teardown.add(() => (adapterStopped ? undefined : adapter.stop()));
    teardown.add(() => core.manager.shutdown());
    adapter.onFatal = (reason) => {
      fatal.push(reason);
      reportFirst(reason);
    };
    await adapter.start();
    const stopAdapter = async () => {
      adapterStopped = true;
      await adapter.stop();
    };
    return { core, adapter, fatal, firstFatal, stopAdapter };
  });
}
