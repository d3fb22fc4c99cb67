// A slot's stream changing hands between live readers on a real redis-server. Redis hands a new
// entry to the reader that has been blocked on the stream longest; a reader still blocked on a
// slot it no longer owns would take the next entry of the chat into its own pending list while
// the new owner answers the one after it (a history stored as [q2, q1, a1, a2]). These tests
// force that interleaving: a long BLOCK keeps the stray read waiting for as long as the test runs.
import { afterEach, describe, expect, it } from 'vitest';
import { Inbox, INBOX_GROUP, inboxKey, type InboxEntry } from '../../src/scale/inbox.js';
import { InboxReader } from '../../src/scale/inbox-reader.js';
import { Lease } from '../../src/scale/lease.js';
import type { RedisClient } from '../../src/scale/redis.js';
import { quietLogger, useRedis } from '../helpers/redis.js';

const redis = useRedis();
const SLOT = 'tg:3';
const OTHER = 'tg:4';
const CHANNEL = 'telegram:77';
/** Longer than any test: a read only ends early when it is served or interrupted. */
const BLOCK_MS = 60_000;
let n = 0;
const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function until(check: () => Promise<boolean> | boolean): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 10));
}

const event = (ref: string) => ({ ref, kind: 'message', channel: CHANNEL, payload: '{}' });

/** Clients blocked in XREADGROUP right now. */
async function blockedReads(c: RedisClient): Promise<number> {
  const list = String(await c.sendCommand(['CLIENT', 'LIST']));
  return list.split('\n').filter((l) => / flags=\S*b/.test(l) && l.includes('cmd=xreadgroup')).length;
}

interface Reader {
  reader: InboxReader;
  seen: string[];
}

/** A reader named `id` answering at once; `leases` gives each slot's fence. */
async function reader(prefix: string, id: string): Promise<Reader> {
  const c = await redis().client();
  const seen: string[] = [];
  const lease = (await Lease.acquire(`${id}-${prefix}`, { redis: c, prefix, owner: id, leaseMs: 60_000, logger: quietLogger }))!;
  cleanup.push(() => lease.abandon());
  // Settling is not what these tests look at: every slot's writes use this reader's own lease.
  const reader = new InboxReader({
    redis: c,
    blocking: await redis().client(),
    inbox: new Inbox(c, prefix),
    consumer: id,
    logger: quietLogger,
    fence: () => lease.fence,
    blockMs: BLOCK_MS,
    onEntry: (entry: InboxEntry) => {
      seen.push(entry.ref);
      return Promise.resolve();
    },
  });
  reader.start();
  cleanup.push(() => reader.stop(false));
  return { reader, seen };
}

describe('a slot handed between live readers', () => {
  it('drain returns only once no read of the slot is waiting on the server', async () => {
    const c = await redis().client();
    const prefix = `h${++n}:`;
    const a = await reader(prefix, 'a');
    await a.reader.addSlot(SLOT);
    await until(async () => (await blockedReads(c)) === 1);
    await a.reader.drain(SLOT);
    expect(await blockedReads(c)).toBe(0);
  });

  it('the next owner gets every entry after a graceful give-back, in order', async () => {
    const c = await redis().client();
    const prefix = `h${++n}:`;
    const a = await reader(prefix, 'a');
    await a.reader.addSlot(SLOT);
    await a.reader.addSlot(OTHER);
    await until(async () => (await blockedReads(c)) === 1);
    await a.reader.drain(SLOT);
    const b = await reader(prefix, 'b');
    await b.reader.addSlot(SLOT);
    await until(async () => (await blockedReads(c)) === 2);
    const inbox = new Inbox(c, prefix);
    await inbox.add(SLOT, event('q1'));
    await inbox.add(SLOT, event('q2'));
    await until(() => b.seen.includes('q2'));
    expect(b.seen).toEqual(['q1', 'q2']);
    expect(a.seen).toEqual([]);
  });

  it('a slot removed while it was being added is not read', async () => {
    const c = await redis().client();
    const prefix = `h${++n}:`;
    const a = await reader(prefix, 'a');
    await a.reader.addSlot(OTHER);
    const adding = a.reader.addSlot(SLOT);
    a.reader.removeSlot(SLOT);
    await adding;
    await until(async () => (await blockedReads(c)) === 1);
    const b = await reader(prefix, 'b');
    await b.reader.addSlot(SLOT);
    await until(async () => (await blockedReads(c)) === 2);
    await new Inbox(c, prefix).add(SLOT, event('q1'));
    // Either b answers it, or a's read took it (then it waits in a's pending list).
    const heldByA = async () => ((await c.xPending(inboxKey(prefix, SLOT), INBOX_GROUP)).consumers ?? []).some((x) => x.name === 'a');
    await until(async () => b.seen.length > 0 || (await heldByA()));
    expect(b.seen).toEqual(['q1']);
  });

  it('entries a stray read took (a paused ex-owner still blocked on the stream) are claimed and answered first', async () => {
    const c = await redis().client();
    const prefix = `h${++n}:`;
    const key = inboxKey(prefix, SLOT);
    await c.xGroupCreate(key, INBOX_GROUP, '0', { MKSTREAM: true });
    const ghost = await redis().client();
    const stray = ghost.xReadGroup(INBOX_GROUP, 'ghost', { key, id: '>' }, { COUNT: 10, BLOCK: BLOCK_MS });
    await until(async () => (await blockedReads(c)) === 1);
    const b = await reader(prefix, 'b');
    await b.reader.addSlot(SLOT);
    await until(async () => (await blockedReads(c)) === 2);
    const inbox = new Inbox(c, prefix);
    await inbox.add(SLOT, event('q1'));
    await stray;
    await inbox.add(SLOT, event('q2'));
    await until(() => b.seen.includes('q2'));
    expect(b.seen).toEqual(['q1', 'q2']);
  });
});
