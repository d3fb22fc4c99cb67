// In-process store: bounded by channel count and idle TTL. For tests and for deployments that
// accept losing history on restart.
import { LRUCache } from 'lru-cache';
import type { ChannelKey } from '../types.js';
import type { ChannelSettings, HistoryStore, StoredTurn } from './types.js';

export interface MemoryStoreOptions {
  /** Channels kept; the least recently used one is forgotten past this. */
  maxChannels?: number;
  /** A channel untouched this long is forgotten. */
  ttlMs?: number;
}

const DEFAULT_MAX_CHANNELS = 10_000;
const DEFAULT_TTL_MS = 7 * 24 * 3600_000;
const MAX_COUNTERS = 100_000;

interface Counter {
  value: number;
  expiresAt: number;
}

export class MemoryStore implements HistoryStore {
  private readonly turns: LRUCache<ChannelKey, StoredTurn[]>;
  private readonly settings: LRUCache<ChannelKey, ChannelSettings>;
  private readonly counters = new LRUCache<string, Counter>({ max: MAX_COUNTERS });

  constructor(opts: MemoryStoreOptions = {}) {
    const max = opts.maxChannels ?? DEFAULT_MAX_CHANNELS;
    const ttl = opts.ttlMs ?? DEFAULT_TTL_MS;
    this.turns = new LRUCache({ max, ttl, updateAgeOnGet: true });
    this.settings = new LRUCache({ max, ttl, updateAgeOnGet: true });
  }

  async load(channel: ChannelKey): Promise<StoredTurn[]> {
    return [...(this.turns.get(channel) ?? [])];
  }

  async append(channel: ChannelKey, turns: StoredTurn[], maxMessages: number): Promise<void> {
    const next = [...(this.turns.get(channel) ?? []), ...turns];
    this.turns.set(channel, next.slice(Math.max(0, next.length - maxMessages)));
  }

  async dropLast(channel: ChannelKey, count: number): Promise<void> {
    const cur = this.turns.get(channel);
    if (cur) this.turns.set(channel, cur.slice(0, Math.max(0, cur.length - count)));
  }

  async reset(channel: ChannelKey): Promise<void> {
    this.turns.delete(channel);
  }

  async getSettings(channel: ChannelKey): Promise<ChannelSettings> {
    return { ...(this.settings.get(channel) ?? {}) };
  }

  async setSettings(channel: ChannelKey, patch: Partial<ChannelSettings>): Promise<void> {
    this.settings.set(channel, mergeSettings(this.settings.get(channel) ?? {}, patch));
  }

  async increment(key: string, by: number, ttlMs: number): Promise<number> {
    const now = Date.now();
    const cur = this.counters.get(key);
    const live = cur && cur.expiresAt > now ? cur : { value: 0, expiresAt: now + ttlMs };
    live.value += by;
    this.counters.set(key, live);
    return live.value;
  }

  async counter(key: string): Promise<number> {
    const cur = this.counters.get(key);
    return cur && cur.expiresAt > Date.now() ? cur.value : 0;
  }

  async close(): Promise<void> {
    this.turns.clear();
    this.settings.clear();
    this.counters.clear();
  }
}

/** Applies a settings patch: undefined values clear the field. */
export function mergeSettings(base: ChannelSettings, patch: Partial<ChannelSettings>): ChannelSettings {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) delete out[k];
    else out[k] = v;
  }
  return out as ChannelSettings;
}
