// Inbound events on their way to a slot's owner. Any instance may ingest (a webhook behind a load
// balancer): the event is deduplicated and appended to the slot's stream in one atomic step, so
// "stored" means both. The owner reads it (InboxReader), answers, and settles it: XACK plus the
// `done` marker, fenced by the slot's lease so an ex-owner cannot ack what it did not finish.
import { doneKey, MARKER_TTL_S, sentKey, startedKey, type EntryState } from './entry-context.js';
import type { RedisClient } from './redis.js';
import { FencedScript, Script, type Fence } from './script.js';

export const INBOX_GROUP = 'parley';
/** Entries older than this are trimmed as new ones arrive; an answer a day late is no answer. */
const STREAM_WINDOW_MS = 24 * 3600_000;
/** Webhook dedupe: Telegram redelivers for at most a day. */
export const DEDUPE_TTL_S = 24 * 3600;
/** Platform ids of partial replies: needed only until the entry is settled or redelivered. */
const SENT_TTL_S = 24 * 3600;
/** Strays claimed per consumer and look; more wait for the next read. */
const STRAYS_PER_CLAIM = 100;

/** What an adapter puts in: enough to rebuild the Incoming and its Surface on any instance. */
export interface InboxEvent {
  /** Stable id of the event on its platform, e.g. `tg:<chat>:<message_id>`: names the markers. */
  ref: string;
  /** Adapter-defined, e.g. 'message', 'callback', 'command'. */
  kind: string;
  channel: string;
  /** JSON the adapter reads back. */
  payload: string;
}

export interface InboxEntry extends InboxEvent {
  slot: string;
  /** Stream entry id. */
  id: string;
}

export const inboxKey = (prefix: string, slot: string) => `${prefix}in:${slot}`;
export const dedupeKey = (prefix: string, key: string) => `${prefix}dd:${key}`;

// KEYS[1] stream, KEYS[2] dedupe key; ARGV[1] dedupe ttl s ('' = no dedupe), ARGV[2] window ms,
// ARGV[3..] fields. Returns the entry id, or false for a duplicate.
const ADD = new Script(`
if ARGV[1] ~= '' and not redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[1]) then return false end
local t = redis.call('TIME')
local minid = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) - tonumber(ARGV[2])
return redis.call('XADD', KEYS[1], 'MINID', '~', math.max(0, minid), '*', unpack(ARGV, 3))`);

// KEYS[2] stream, KEYS[3] done, KEYS[4] sent; ARGV[2] group, ARGV[3] id, ARGV[4] ttl.
const SETTLE = new FencedScript(`
redis.call('SET', KEYS[3], '1', 'EX', ARGV[4])
redis.call('DEL', KEYS[4])
return redis.call('XACK', KEYS[2], ARGV[2], ARGV[3])`);

// KEYS[2] sent list; ARGV[2] ttl, ARGV[3] platform message id.
const RECORD_SENT = new FencedScript(`
redis.call('RPUSH', KEYS[2], ARGV[3])
return redis.call('EXPIRE', KEYS[2], ARGV[2])`);

export function entryFields(e: InboxEvent): string[] {
  return ['ref', e.ref, 'kind', e.kind, 'channel', e.channel, 'payload', e.payload];
}

/** Orders stream entry ids ("<ms>-<seq>"). */
export function compareEntryIds(a: string, b: string): number {
  const [am = 0, as = 0] = a.split('-').map(Number);
  const [bm = 0, bs = 0] = b.split('-').map(Number);
  return am - bm || as - bs;
}

/** An entry from its stream fields; undefined when a field is missing (written by someone else). */
export function entryFrom(slot: string, id: string, fields: Record<string, string>): InboxEntry | undefined {
  const { ref, kind, channel, payload } = fields;
  if (ref === undefined || kind === undefined || channel === undefined || payload === undefined) return undefined;
  return { slot, id, ref, kind, channel, payload };
}

export class Inbox {
  constructor(
    private readonly redis: RedisClient,
    readonly prefix: string,
  ) {}

  /**
   * Stores an event in its slot's stream. With `dedupe` (e.g. `tg:upd:<update_id>`) a second
   * delivery of the same event within a day is dropped: returns undefined for it. Resolves only
   * once Redis has the entry (a webhook may answer 200 then); rejects when Redis is unreachable.
   */
  async add(slot: string, event: InboxEvent, dedupe?: string): Promise<string | undefined> {
    const keys = [inboxKey(this.prefix, slot), dedupe ? dedupeKey(this.prefix, dedupe) : inboxKey(this.prefix, slot)];
    const id = await ADD.run(this.redis, keys, [dedupe ? DEDUPE_TTL_S : '', STREAM_WINDOW_MS, ...entryFields(event)]);
    return typeof id === 'string' ? id : undefined;
  }

  /**
   * Entries of `slot` another consumer holds, claimed for `consumer` (oldest first). While
   * `consumer` owns the slot no one else should hold any: a read that stayed blocked on the
   * stream after its reader lost the slot (a paused ex-owner) took them, and they come before
   * the entries read after them. Costs one XPENDING when there are none.
   */
  async claimStrays(slot: string, consumer: string): Promise<InboxEntry[]> {
    const key = inboxKey(this.prefix, slot);
    const others = ((await this.redis.xPending(key, INBOX_GROUP)).consumers ?? []).filter((c) => c.name !== consumer);
    if (others.length === 0) return [];
    const held = await Promise.all(others.map((c) => this.redis.xPendingRange(key, INBOX_GROUP, '-', '+', STRAYS_PER_CLAIM, { consumer: c.name })));
    const ids = held.flat().map((p) => p.id);
    if (ids.length === 0) return [];
    const claimed = await this.redis.xClaim(key, INBOX_GROUP, consumer, 0, ids);
    return claimed
      .flatMap((m) => (m ? [entryFrom(slot, m.id, m.message as Record<string, string>)] : []))
      .filter((e): e is InboxEntry => e !== undefined)
      .sort((a, b) => compareEntryIds(a.id, b.id));
  }

  /** Where a (possibly redelivered) entry stands: answer it ('new'), regenerate ('started') or
   * only settle it ('done'). */
  async state(ref: string): Promise<EntryState> {
    const [started, done] = await this.redis.mGet([startedKey(this.prefix, ref), doneKey(this.prefix, ref)]);
    return done ? 'done' : started ? 'started' : 'new';
  }

  /** Remembers a platform message sent for the entry, so a regeneration can delete it. */
  async recordSent(fence: Fence, ref: string, messageId: string): Promise<void> {
    await RECORD_SENT.run(this.redis, fence, [sentKey(this.prefix, ref)], [SENT_TTL_S, messageId]);
  }

  /** Platform messages sent for the entry so far (oldest first). */
  async sentIds(ref: string): Promise<string[]> {
    return this.redis.lRange(sentKey(this.prefix, ref), 0, -1);
  }

  /** The reply is settled: mark it done and acknowledge it. Fails with LeaseLostError when the
   * slot moved on; the entry then stays pending for the new owner. */
  async settle(fence: Fence, entry: InboxEntry): Promise<void> {
    const keys = [inboxKey(this.prefix, entry.slot), doneKey(this.prefix, entry.ref), sentKey(this.prefix, entry.ref)];
    await SETTLE.run(this.redis, fence, keys, [INBOX_GROUP, entry.id, MARKER_TTL_S]);
  }
}
