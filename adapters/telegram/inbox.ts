// The Telegram inbox on Redis: one stream per chat slot (`in:tg:<p>`), read through one consumer
// group. An update is stored once (its update_id deduplicates repeated deliveries), read by the
// slot's owner, and acknowledged, together with its `done:` marker, only once its reply settled;
// the ids of the messages a reply sent are kept meanwhile, so whoever answers it again after a
// crash can delete the partial reply first.
import type { Update } from 'telegraf/types';
import type { RedisClient } from '../../src/scale/redis.js';
import { FencedScript, Script, type Fence } from '../../src/scale/script.js';

const GROUP = 'parley';
/** Telegram gives up redelivering an update within a day; a repeat after that cannot come. */
const DEDUPE_TTL_S = 86_400;
const DONE_TTL_S = 7 * 86_400;
const SENT_TTL_S = 86_400;
/** Roughly how many entries a slot's stream keeps (acknowledged ones are not needed again). */
const STREAM_MAX_LEN = 10_000;

// KEYS: dedupe, stream; ARGV: ttl s, max len, ref, update JSON. 1 = stored, 0 = a repeat.
const ADD = new Script(`
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return 0 end
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', 'ref', ARGV[3], 'update', ARGV[4])
return 1`);

// After the fence: KEYS[2] done, KEYS[3] stream, KEYS[4] sent; ARGV[2] ttl s, ARGV[3] group, ARGV[4] entry id.
const SETTLE = new FencedScript(`
redis.call('SET', KEYS[2], '1', 'EX', ARGV[2])
redis.call('DEL', KEYS[4])
return redis.call('XACK', KEYS[3], ARGV[3], ARGV[4])`);

export interface InboxEntry {
  /** The stream entry id. */
  id: string;
  /** `tg:<update_id>`: names the update's markers. */
  ref: string;
  update: Update;
}

interface RawEntry {
  id: string;
  message: Record<string, string>;
}

function toEntry(raw: RawEntry | null): InboxEntry | undefined {
  if (!raw?.message.update || !raw.message.ref) return undefined;
  try {
    return { id: raw.id, ref: raw.message.ref, update: JSON.parse(raw.message.update) as Update };
  } catch {
    return undefined;
  }
}

export class TelegramInbox {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  streamKey(slot: string): string {
    return `${this.prefix}in:${slot}`;
  }

  private doneKey(ref: string): string {
    return `${this.prefix}done:${ref}`;
  }

  private sentKey(ref: string): string {
    return `${this.prefix}sent:${ref}`;
  }

  /** Stores an update in its slot's stream; false when this update_id was stored before. */
  async add(slot: string, update: Update): Promise<boolean> {
    const keys = [`${this.prefix}tg:upd:${update.update_id}`, this.streamKey(slot)];
    return Number(await ADD.run(this.redis, keys, [DEDUPE_TTL_S, STREAM_MAX_LEN, `tg:${update.update_id}`, JSON.stringify(update)])) === 1;
  }

  /** Creates the slot's consumer group (and stream) unless it exists. */
  async prepare(slot: string): Promise<void> {
    try {
      await this.redis.xGroupCreate(this.streamKey(slot), GROUP, '0', { MKSTREAM: true });
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('BUSYGROUP')) throw err;
    }
  }

  /** Takes over every entry read but not acknowledged by earlier owners (they stopped before
   * their lease could be taken, so none of them is still working on it). */
  async claimPending(slot: string, consumer: string): Promise<InboxEntry[]> {
    const out: InboxEntry[] = [];
    let cursor = '0-0';
    do {
      const reply = await this.redis.xAutoClaim(this.streamKey(slot), GROUP, consumer, 0, cursor, { COUNT: 100 });
      cursor = reply.nextId;
      for (const raw of reply.messages) {
        const entry = toEntry(raw as RawEntry | null);
        if (entry) out.push(entry);
      }
    } while (cursor !== '0-0');
    return out;
  }

  /** New entries of these slots, waiting up to `blockMs` for some (on a connection of its own). */
  async read(reader: RedisClient, slots: string[], consumer: string, blockMs: number): Promise<{ slot: string; entry: InboxEntry }[]> {
    if (slots.length === 0) return [];
    const streams = slots.map((slot) => ({ key: this.streamKey(slot), id: '>' }));
    const reply = (await reader.xReadGroup(GROUP, consumer, streams, { COUNT: 64, BLOCK: blockMs })) as { name: string; messages: RawEntry[] }[] | null;
    const out: { slot: string; entry: InboxEntry }[] = [];
    for (const stream of reply ?? []) {
      const slot = stream.name.slice(`${this.prefix}in:`.length);
      for (const raw of stream.messages) {
        const entry = toEntry(raw);
        if (entry) out.push({ slot, entry });
      }
    }
    return out;
  }

  async isDone(ref: string): Promise<boolean> {
    return (await this.redis.exists(this.doneKey(ref))) === 1;
  }

  /** Notes a message a reply sent, before the reply goes on (see recordingApi). */
  async recordSent(ref: string, messageId: number): Promise<void> {
    await this.redis.multi().rPush(this.sentKey(ref), String(messageId)).expire(this.sentKey(ref), SENT_TTL_S).exec();
  }

  async sentIds(ref: string): Promise<number[]> {
    return (await this.redis.lRange(this.sentKey(ref), 0, -1)).map(Number);
  }

  async forgetSent(ref: string): Promise<void> {
    await this.redis.del(this.sentKey(ref));
  }

  /** Marks the entry done and acknowledges it, only while `fence` still holds its slot. */
  async settle(fence: Fence, slot: string, entry: InboxEntry): Promise<void> {
    await SETTLE.run(this.redis, fence, [this.doneKey(entry.ref), this.streamKey(slot), this.sentKey(entry.ref)], [DONE_TTL_S, GROUP, entry.id]);
  }

  /** Acknowledges an entry found done already (a repeat of an answered update). */
  async ack(slot: string, entry: InboxEntry): Promise<void> {
    await this.redis.xAck(this.streamKey(slot), GROUP, entry.id);
  }
}
