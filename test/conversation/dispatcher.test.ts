// The dispatcher is the one owner of in-flight work: submitted messages and tracked side work
// (autocomplete answers, notices outside a reply). drain(filter) waits for the matching
// channels only (one shard given back); shutdown waits for tracked work too.
import { describe, expect, it } from 'vitest';
import { LocalDispatcher, type Planner } from '../../src/conversation/dispatcher.js';
import { createLogger } from '../../src/log.js';
import type { ChannelKey, Incoming, Surface } from '../../src/types.js';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** Each submitted message's reply runs until its channel's gate opens (or its signal aborts). */
function setup(shutdownGraceMs = 10_000) {
  const gates = new Map<ChannelKey, ReturnType<typeof deferred>>();
  const aborted: ChannelKey[] = [];
  const said: string[] = [];
  const planner: Planner = {
    plan: async (msg) => ({
      kind: 'queued',
      costly: false,
      run: (signal) =>
        new Promise<void>((resolve) => {
          signal.addEventListener('abort', () => (aborted.push(msg.channel), resolve()), { once: true });
          void gates.get(msg.channel)!.promise.then(resolve);
        }),
    }),
    say: async (_surface, id) => void said.push(id),
    notice: async (_surface, _who, id) => void said.push(id),
  };
  const dispatcher = new LocalDispatcher({ planner, logger: createLogger('silent'), maxWaitingPerChannel: 5, providerConcurrency: 4, shutdownGraceMs });
  const submit = (channel: ChannelKey) => {
    gates.set(channel, deferred());
    const msg: Incoming = { platform: 'discord', channel, user: { id: 'u', name: 'U' }, text: 'hi', mentionsBot: true, isDirect: false, replyToBot: false };
    return dispatcher.submit(channel, async () => msg, surfaceOf(channel));
  };
  return { dispatcher, submit, open: (channel: ChannelKey) => gates.get(channel)!.resolve(), aborted, said };
}

function surfaceOf(channel: ChannelKey): Surface {
  return {
    platform: 'discord',
    channel,
    limits: { maxChars: 2000, canEdit: true, minEditIntervalMs: 0 },
    commandPrefix: '/',
    send: async () => undefined,
    edit: async () => undefined,
    sendImage: async () => undefined,
    sendAudio: async () => undefined,
    typing: async () => undefined,
  };
}

/** Runs after every pending promise callback: a drain that resolved too early has done so by then. */
const afterMicrotasks = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('LocalDispatcher in-flight work', () => {
  it('drain(filter) waits for the submitted and tracked work of the matching channels only', async () => {
    const { dispatcher, submit, open } = setup();
    const events: string[] = [];
    const shard0 = (c: ChannelKey) => c.startsWith('discord:g0:');
    const replyA = submit('discord:g0:a').then(() => events.push('a reply'));
    const replyB = submit('discord:g1:b').then(() => events.push('b reply'));
    const notice = deferred();
    void dispatcher.track('discord:g0:a', notice.promise.then(() => void events.push('a notice')));

    const drained = dispatcher.drain(shard0).then(() => events.push('drained'));
    open('discord:g0:a');
    await replyA;
    await afterMicrotasks();
    notice.resolve();
    await drained;

    // The other shard's reply is still running: drain did not wait for it.
    expect(events).toEqual(['a reply', 'a notice', 'drained']);
    open('discord:g1:b');
    await replyB;
  });

  it('drain aborts the matching replies that outlast the grace period, and only those', async () => {
    const { dispatcher, submit, open, aborted } = setup(50);
    const slow = submit('mud:x:tell');
    const other = submit('mud:y:tell');
    await dispatcher.drain((c) => c.startsWith('mud:x:'));
    await slow;
    expect(aborted).toEqual(['mud:x:tell']);
    open('mud:y:tell');
    await other;
    expect(aborted).toEqual(['mud:x:tell']);
  });

  it('shutdown waits for tracked work as for replies; a failing tracked work is logged, not thrown', async () => {
    const { dispatcher } = setup();
    const events: string[] = [];
    const notice = deferred();
    void dispatcher.track('mud:x:tell', notice.promise.then(() => void events.push('notice')));
    await expect(dispatcher.track('mud:x:say', Promise.reject(new Error('socket gone')))).resolves.toBeUndefined();

    const stopped = dispatcher.shutdown().then(() => events.push('shut down'));
    await afterMicrotasks();
    notice.resolve();
    await stopped;
    expect(events).toEqual(['notice', 'shut down']);
  });
});
