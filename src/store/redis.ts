// The history store on Redis, shared by every instance: a list of JSON turns per channel
// (RPUSH + LTRIM), settings in a hash, counters as INCRBY + PEXPIRE NX. Writes to a channel
// owned through a slot are fenced: `fenceOf` names the slot's lease, and a script checks the
// token before it writes, so an instance that lost the slot cannot append to its history.
import { currentEntry, doneKey, MARKER_TTL_S, startedKey, type EntryContext } from '../scale/entry-context.js';
import type { RedisClient } from '../scale/redis.js';
import { FencedScript, Script, type Fence } from '../scale/script.js';
import type { ChannelKey } from '../types.js';
import type { ChannelSettings, HistoryStore, StoredTurn } from './types.js';

/** The fence for a channel's writes; undefined for channels no slot owns (written unchecked). */
export type FenceOf = (channel: ChannelKey) => Fence | undefined;

export interface RedisStoreOptions {
  /** REDIS_PREFIX. */
  prefix: string;
  fenceOf?: FenceOf;
  /** close() also closes the client (it was opened for this store). */
  ownsClient?: boolean;
}

// KEYS[2] list; ARGV[2] keep, ARGV[3..] JSON turns.
const APPEND = new FencedScript(`
redis.call('RPUSH', KEYS[2], unpack(ARGV, 3))
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[2]), -1)
return 1`);

// KEYS[2] list; ARGV[2] how many of the newest to drop.
// For an inbox entry: KEYS[2] list, KEYS[3] the entry's marker; ARGV[2] keep, ARGV[3] marker
// ttl, ARGV[4..] turns. Writes once: a redelivered entry cannot store its question (or answer)
// twice, and the marker is set in the same step as the turns.
const APPEND_ONCE = new FencedScript(`
if redis.call('EXISTS', KEYS[3]) == 1 then return 0 end
redis.call('RPUSH', KEYS[2], unpack(ARGV, 4))
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[2]), -1)
redis.call('SET', KEYS[3], '1', 'EX', ARGV[3])
return 1`);

const DROP_LAST = new FencedScript(`
local n = tonumber(ARGV[2])
if n > 0 then redis.call('LTRIM', KEYS[2], 0, -n - 1) end
return 1`);

const RESET = new FencedScript(`return redis.call('DEL', KEYS[2])`);

// KEYS[2] hash; ARGV[2..]: field, JSON value pairs; an empty value clears the field.
const SET_SETTINGS = new FencedScript(`
for i = 2, #ARGV, 2 do
  if ARGV[i + 1] == '' then redis.call('HDEL', KEYS[2], ARGV[i]) else redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]) end
end
return 1`);

// The expiry is set by the first increment only (NX), as in the other stores.
const INCREMENT = new Script(`
local v = redis.call('INCRBY', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2], 'NX')
return v`);

function parseTurn(json: string): StoredTurn | undefined {
  try {
    return JSON.parse(json) as StoredTurn;
  } catch {
    return undefined;
  }
}

export class RedisStore implements HistoryStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly opts: RedisStoreOptions,
  ) {}

  private historyKey(channel: ChannelKey): string {
    return `${this.opts.prefix}h:${channel}`;
  }

  private settingsKey(channel: ChannelKey): string {
    return `${this.opts.prefix}set:${channel}`;
  }

  private fence(channel: ChannelKey): Fence | undefined {
    return this.opts.fenceOf?.(channel);
  }

  async load(channel: ChannelKey): Promise<StoredTurn[]> {
    const rows = await this.redis.lRange(this.historyKey(channel), 0, -1);
    // A damaged entry costs that one turn, not the channel's history.
    const turns = rows.map(parseTurn).filter((t): t is StoredTurn => t !== undefined);
    // Regenerating a redelivered entry: its question is already the last stored turn, and the
    // manager adds it to the request itself.
    if (currentEntry(channel)?.state === 'started' && turns.at(-1)?.role === 'user') turns.pop();
    return turns;
  }

  async append(channel: ChannelKey, turns: StoredTurn[], maxMessages: number): Promise<void> {
    if (turns.length === 0) return;
    const rows = turns.map((t) => JSON.stringify(t));
    const entry = currentEntry(channel);
    if (entry) return this.appendOnce(channel, entry, rows, turns[0]?.role === 'user', maxMessages);
    await APPEND.run(this.redis, this.fence(channel), [this.historyKey(channel)], [maxMessages, ...rows]);
  }

  /** The question (first write of an entry) sets `started`, the answer `done`. */
  private async appendOnce(channel: ChannelKey, entry: EntryContext, rows: string[], question: boolean, maxMessages: number): Promise<void> {
    const marker = question ? startedKey(this.opts.prefix, entry.ref) : doneKey(this.opts.prefix, entry.ref);
    await APPEND_ONCE.run(this.redis, this.fence(channel), [this.historyKey(channel), marker], [maxMessages, MARKER_TTL_S, ...rows]);
  }

  async dropLast(channel: ChannelKey, count: number): Promise<void> {
    await DROP_LAST.run(this.redis, this.fence(channel), [this.historyKey(channel)], [count]);
  }

  async reset(channel: ChannelKey): Promise<void> {
    await RESET.run(this.redis, this.fence(channel), [this.historyKey(channel)]);
  }

  async getSettings(channel: ChannelKey): Promise<ChannelSettings> {
    const hash = await this.redis.hGetAll(this.settingsKey(channel));
    const out: Record<string, unknown> = {};
    for (const [field, json] of Object.entries(hash)) {
      try {
        out[field] = JSON.parse(json);
      } catch {
        // A damaged field reads as unset: the global default applies.
      }
    }
    return out as ChannelSettings;
  }

  async setSettings(channel: ChannelKey, patch: Partial<ChannelSettings>): Promise<void> {
    const pairs = Object.entries(patch).flatMap(([field, v]) => [field, v === undefined ? '' : JSON.stringify(v)]);
    if (pairs.length === 0) return;
    await SET_SETTINGS.run(this.redis, this.fence(channel), [this.settingsKey(channel)], pairs);
  }

  async increment(key: string, by: number, ttlMs: number): Promise<number> {
    return Number(await INCREMENT.run(this.redis, [`${this.opts.prefix}n:${key}`], [by, Math.max(1, Math.ceil(ttlMs))]));
  }

  async counter(key: string): Promise<number> {
    return Number((await this.redis.get(`${this.opts.prefix}n:${key}`)) ?? 0);
  }

  async close(): Promise<void> {
    if (this.opts.ownsClient && this.redis.isOpen) await this.redis.close();
  }
}
