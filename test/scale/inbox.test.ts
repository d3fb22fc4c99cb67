// The inbox on a real redis-server: duplicates dropped at ingest, entries acknowledged once their
// reply settles, a new owner claims what the old one left pending, and a redelivered entry is
// either skipped (done) or answered again without storing its question twice.
import { afterEach, describe, expect, it } from 'vitest';
import { doneKey } from '../../src/scale/entry-context.js';
import { Inbox, INBOX_GROUP, inboxKey, type InboxEntry } from '../../src/scale/inbox.js';
import { InboxReader, type Delivery } from '../../src/scale/inbox-reader.js';
import { Lease } from '../../src/scale/lease.js';
import type { RedisClient } from '../../src/scale/redis.js';
import { RedisStore } from '../../src/store/redis.js';
import { quietLogger, useRedis } from '../helpers/redis.js';

const redis = useRedis();
const SLOT = 'tg:7';
const CHANNEL = 'telegram:42';
let n = 0;
const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

const event = (ref: string, text: string) => ({ ref, kind: 'message', channel: CHANNEL, payload: JSON.stringify({ text }) });

/** Polls until `check` is true (waits on the outcome itself, never a fixed time). */
async function until(check: () => Promise<boolean> | boolean): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 10));
}

interface Instance {
  lease: Lease;
  store: RedisStore;
  reader: InboxReader;
  seen: Array<{ ref: string; delivery: Delivery }>;
}

/**
 * One instance owning SLOT. Its onEntry does what the manager does for a chat message: stores
 * the question, then the answer; `hang` keeps a reply from ever settling (a killed owner).
 */
async function instance(prefix: string, id: string, hang = false): Promise<Instance> {
  const c = await redis().client();
  const blocking = await redis().client();
  const lease = (await Lease.acquire(SLOT, { redis: c, prefix, owner: id, leaseMs: 30_000, logger: quietLogger }))!;
  const store = new RedisStore(c, { prefix, fenceOf: () => lease.fence });
  const inbox = new Inbox(c, prefix);
  const seen: Instance['seen'] = [];
  // One channel's replies run one after another, as the manager's queue runs them.
  let queue = Promise.resolve();
  const reader = new InboxReader({
    redis: c,
    blocking,
    inbox,
    consumer: id,
    logger: quietLogger,
    fence: () => lease.fence,
    blockMs: 200,
    onEntry: (entry: InboxEntry, delivery) => {
      seen.push({ ref: entry.ref, delivery });
      const run = queue.then(() => answer(entry));
      queue = run.catch(() => undefined);
      return run;
    },
  });
  const answer = async (entry: InboxEntry) => {
    const history = await store.load(entry.channel);
    const text = (JSON.parse(entry.payload) as { text: string }).text;
    await store.append(entry.channel, [{ role: 'user', content: text, at: 1 }], 50);
    await inbox.recordSent(lease.fence, entry.ref, `msg-${id}-${entry.ref}`);
    if (hang) return new Promise<void>(() => undefined);
    await store.append(entry.channel, [{ role: 'assistant', content: `${id} answers ${text} after ${history.length}`, at: 2 }], 50);
  };
  reader.start();
  cleanup.push(() => reader.stop(!hang), () => lease.abandon());
  return { lease, store, reader, seen };
}

const pending = async (c: RedisClient, prefix: string) => (await c.xPending(inboxKey(prefix, SLOT), INBOX_GROUP)).pending;

describe('inbox', () => {
  it('a duplicate delivery is dropped at ingest', async () => {
    const c = await redis().client();
    const prefix = `i${++n}:`;
    const inbox = new Inbox(c, prefix);
    expect(await inbox.add(SLOT, event('tg:42:1', 'hi'), 'tg:upd:1001')).toMatch(/^\d+-\d+$/);
    expect(await inbox.add(SLOT, event('tg:42:1', 'hi'), 'tg:upd:1001')).toBeUndefined();
    expect(await c.xLen(inboxKey(prefix, SLOT))).toBe(1);
  });

  it('entries are answered in order and acknowledged once their reply settles', async () => {
    const c = await redis().client();
    const prefix = `i${++n}:`;
    const a = await instance(prefix, 'a');
    await a.reader.addSlot(SLOT);
    const inbox = new Inbox(c, prefix);
    for (const i of [1, 2, 3]) await inbox.add(SLOT, event(`r${i}`, `q${i}`), `u${i}`);
    await until(async () => (await c.get(doneKey(prefix, 'r3'))) !== null && (await pending(c, prefix)) === 0);
    expect(a.seen.map((s) => `${s.ref}:${s.delivery.state}`)).toEqual(['r1:new', 'r2:new', 'r3:new']);
    expect((await a.store.load(CHANNEL)).map((t) => t.content)).toEqual(['q1', 'a answers q1 after 0', 'q2', 'a answers q2 after 2', 'q3', 'a answers q3 after 4']);
  });

  it('a new owner claims the entry its killed predecessor left, is told which partial messages to delete, and answers without storing the question twice', async () => {
    const c = await redis().client();
    const prefix = `i${++n}:`;
    const a = await instance(prefix, 'a', true);
    await a.reader.addSlot(SLOT);
    const inbox = new Inbox(c, prefix);
    await inbox.add(SLOT, event('r1', 'q1'), 'u1');
    await until(async () => (await inbox.sentIds('r1')).length === 1);
    // a dies mid-reply: its lease is gone, its entry still pending under its name.
    await a.lease.release();
    const b = await instance(prefix, 'b');
    await b.reader.addSlot(SLOT);
    await until(async () => (await pending(c, prefix)) === 0);
    expect(b.seen).toEqual([{ ref: 'r1', delivery: { state: 'started', sentIds: ['msg-a-r1'] } }]);
    // The question once, then b's answer, which saw no earlier history besides it.
    expect((await b.store.load(CHANNEL)).map((t) => t.content)).toEqual(['q1', 'b answers q1 after 0']);
    expect(await inbox.sentIds('r1')).toEqual([]);
  });

  it('a redelivered entry whose answer is stored is only acknowledged', async () => {
    const c = await redis().client();
    const prefix = `i${++n}:`;
    // a answers but dies before its XACK: the done marker is there, the entry still pending.
    const a = await instance(prefix, 'a');
    const inbox = new Inbox(c, prefix);
    await inbox.add(SLOT, event('r1', 'q1'), 'u1');
    await c.xGroupCreate(inboxKey(prefix, SLOT), INBOX_GROUP, '0');
    await c.xReadGroup(INBOX_GROUP, 'a', { key: inboxKey(prefix, SLOT), id: '>' });
    await c.set(doneKey(prefix, 'r1'), '1');
    await a.lease.release();
    const b = await instance(prefix, 'b');
    await b.reader.addSlot(SLOT);
    await until(async () => (await pending(c, prefix)) === 0);
    expect(b.seen).toEqual([]);
  });

  it('an ex-owner cannot acknowledge: its entry stays pending for the next owner', async () => {
    const c = await redis().client();
    const prefix = `i${++n}:`;
    const a = await instance(prefix, 'a');
    const inbox = new Inbox(c, prefix);
    await inbox.add(SLOT, event('r1', 'q1'));
    await c.xGroupCreate(inboxKey(prefix, SLOT), INBOX_GROUP, '0');
    const read = (await c.xReadGroup(INBOX_GROUP, 'a', { key: inboxKey(prefix, SLOT), id: '>' })) as Array<{ messages: Array<{ id: string }> }>;
    const id = read[0]!.messages[0]!.id;
    const stale = a.lease.fence;
    await a.lease.release();
    await expect(inbox.settle(stale, { slot: SLOT, id, ...event('r1', 'q1') })).rejects.toThrow(/lease on tg:7 lost/);
    expect(await pending(c, prefix)).toBe(1);
  });

  it('drain (a graceful release) stops reading the slot and resolves once its replies are acknowledged', async () => {
    const c = await redis().client();
    const prefix = `i${++n}:`;
    const lease = (await Lease.acquire(SLOT, { redis: c, prefix, owner: 'a', leaseMs: 30_000, logger: quietLogger }))!;
    cleanup.push(() => lease.abandon());
    const inbox = new Inbox(c, prefix);
    let finish!: () => void;
    const reply = new Promise<void>((resolve) => (finish = resolve));
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const reader = new InboxReader({
      redis: c,
      blocking: await redis().client(),
      inbox,
      consumer: 'a',
      logger: quietLogger,
      fence: () => lease.fence,
      blockMs: 200,
      onEntry: () => (started(), reply),
    });
    reader.start();
    cleanup.push(() => reader.stop());
    await reader.addSlot(SLOT);
    await inbox.add(SLOT, event('r1', 'q1'));
    await running;
    const draining = reader.drain(SLOT);
    finish();
    await draining;
    // Acknowledged before drain resolved, i.e. while the lease was still this instance's.
    expect(await pending(c, prefix)).toBe(0);
  });
});
