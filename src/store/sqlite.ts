// Embedded persistent store (better-sqlite3). Every write is its own transaction in WAL mode, so
// a crash (even kill -9) loses at most the reply that was being written. An lru-cache in front
// serves repeated loads; it is owned here and invalidated on every write to that channel.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { LRUCache } from 'lru-cache';
import type { ChannelKey } from '../types.js';
import { mergeSettings } from './memory.js';
import type { ChannelSettings, HistoryStore, StoredTurn } from './types.js';

const READ_CACHE_CHANNELS = 2_000;
/** Expired counters are swept at most this often: rate-limit keys are per user per minute, so
 * without a sweep the table gains a row per active user per minute for as long as it runs. */
export const COUNTER_PURGE_INTERVAL_MS = 60_000;
export const SQLITE_FILE = 'parley.sqlite';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS turns (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  channel TEXT NOT NULL,
  role TEXT NOT NULL,
  name TEXT,
  content TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS turns_channel ON turns(channel, id);
CREATE TABLE IF NOT EXISTS settings (channel TEXT PRIMARY KEY, json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS counters (key TEXT PRIMARY KEY, value INTEGER NOT NULL, expires_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS counters_expiry ON counters(expires_at);
`;

/** The history database cannot be opened: says which file and why, in one line, for start-up. */
export class StoreOpenError extends Error {
  constructor(
    readonly file: string,
    cause: unknown,
  ) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(`cannot open the history database ${file}: ${why} (fix or move it, or set HISTORY_STORE=memory)`, { cause });
    this.name = 'StoreOpenError';
  }
}

/** Opens (creating if need be) the database and its schema; any failure names the file. */
function openDatabase(path: string): Database.Database {
  const file = path === ':memory:' ? path : join(path, SQLITE_FILE);
  let db: Database.Database | undefined;
  try {
    if (path !== ':memory:') mkdirSync(path, { recursive: true });
    db = new Database(file);
    db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode: committed transactions survive a process crash; only an OS crash
    // could lose the last few, which is the right trade for chat history.
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    db.exec(SCHEMA);
    // Files made before answers could be marked interrupted lack the column.
    const columns = db.pragma('table_info(turns)') as Array<{ name: string }>;
    if (!columns.some((c) => c.name === 'interrupted')) db.exec('ALTER TABLE turns ADD COLUMN interrupted INTEGER NOT NULL DEFAULT 0');
    // Tool calls and the call a tool turn answers, as JSON; files from before tools lack it.
    if (!columns.some((c) => c.name === 'tools')) db.exec('ALTER TABLE turns ADD COLUMN tools TEXT');
    return db;
  } catch (err) {
    // better-sqlite3 opens lazily: a corrupted file only fails at the first statement.
    db?.close();
    throw new StoreOpenError(file, err);
  }
}

interface TurnRow {
  role: StoredTurn['role'];
  name: string | null;
  content: string;
  at: number;
  interrupted: number;
  tools: string | null;
}

/** The `tools` column: what a turn says about tool calls, or null for plain turns. */
function toolsColumn(t: StoredTurn): string | null {
  if (!t.toolCalls?.length && t.toolCallId === undefined) return null;
  return JSON.stringify({ toolCalls: t.toolCalls, toolCallId: t.toolCallId });
}

function readToolsColumn(turn: StoredTurn, json: string | null): void {
  if (!json) return;
  try {
    const v = JSON.parse(json) as Pick<StoredTurn, 'toolCalls' | 'toolCallId'>;
    if (Array.isArray(v.toolCalls)) turn.toolCalls = v.toolCalls;
    if (typeof v.toolCallId === 'string') turn.toolCallId = v.toolCallId;
  } catch {
    // A damaged cell loses only the tool detail of one turn; its text stays.
  }
}

export class SqliteStore implements HistoryStore {
  private readonly db: Database.Database;
  private readonly cache = new LRUCache<ChannelKey, StoredTurn[]>({ max: READ_CACHE_CHANNELS });
  private readonly stmt;
  private nextCounterPurgeAt = 0;

  /** `path` is a directory (the file is created inside) or ':memory:'. */
  constructor(path: string) {
    this.db = openDatabase(path);
    this.stmt = {
      load: this.db.prepare<[string], TurnRow>('SELECT role, name, content, at, interrupted, tools FROM turns WHERE channel = ? ORDER BY id'),
      insert: this.db.prepare('INSERT INTO turns (channel, role, name, content, at, interrupted, tools) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      trim: this.db.prepare(
        'DELETE FROM turns WHERE channel = ? AND id NOT IN (SELECT id FROM turns WHERE channel = ? ORDER BY id DESC LIMIT ?)',
      ),
      dropLast: this.db.prepare(
        'DELETE FROM turns WHERE id IN (SELECT id FROM turns WHERE channel = ? ORDER BY id DESC LIMIT ?)',
      ),
      reset: this.db.prepare('DELETE FROM turns WHERE channel = ?'),
      getSettings: this.db.prepare<[string], { json: string }>('SELECT json FROM settings WHERE channel = ?'),
      putSettings: this.db.prepare(
        'INSERT INTO settings (channel, json) VALUES (?, ?) ON CONFLICT(channel) DO UPDATE SET json = excluded.json',
      ),
      getCounter: this.db.prepare<[string], { value: number; expires_at: number }>(
        'SELECT value, expires_at FROM counters WHERE key = ?',
      ),
      putCounter: this.db.prepare(
        'INSERT INTO counters (key, value, expires_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at',
      ),
      purgeCounters: this.db.prepare('DELETE FROM counters WHERE expires_at <= ?'),
    };
    this.purgeExpiredCounters(Date.now());
  }

  private purgeExpiredCounters(now: number): void {
    this.stmt.purgeCounters.run(now);
    this.nextCounterPurgeAt = now + COUNTER_PURGE_INTERVAL_MS;
  }

  async load(channel: ChannelKey): Promise<StoredTurn[]> {
    const cached = this.cache.get(channel);
    if (cached) return [...cached];
    const turns = this.stmt.load.all(channel).map((r): StoredTurn => {
      const turn: StoredTurn = r.name ? { role: r.role, name: r.name, content: r.content, at: r.at } : { role: r.role, content: r.content, at: r.at };
      if (r.interrupted) turn.interrupted = true;
      readToolsColumn(turn, r.tools);
      return turn;
    });
    this.cache.set(channel, turns);
    return [...turns];
  }

  private readonly appendTx = (channel: ChannelKey, turns: StoredTurn[], maxMessages: number) =>
    this.db.transaction(() => {
      for (const t of turns) this.stmt.insert.run(channel, t.role, t.name ?? null, t.content, t.at, t.interrupted ? 1 : 0, toolsColumn(t));
      this.stmt.trim.run(channel, channel, maxMessages);
    })();

  async append(channel: ChannelKey, turns: StoredTurn[], maxMessages: number): Promise<void> {
    this.cache.delete(channel);
    this.appendTx(channel, turns, maxMessages);
  }

  async dropLast(channel: ChannelKey, count: number): Promise<void> {
    this.cache.delete(channel);
    this.stmt.dropLast.run(channel, count);
  }

  async reset(channel: ChannelKey): Promise<void> {
    this.cache.delete(channel);
    this.stmt.reset.run(channel);
  }

  async getSettings(channel: ChannelKey): Promise<ChannelSettings> {
    const row = this.stmt.getSettings.get(channel);
    if (!row) return {};
    try {
      return JSON.parse(row.json) as ChannelSettings;
    } catch {
      return {};
    }
  }

  async setSettings(channel: ChannelKey, patch: Partial<ChannelSettings>): Promise<void> {
    const next = mergeSettings(await this.getSettings(channel), patch);
    this.stmt.putSettings.run(channel, JSON.stringify(next));
  }

  async increment(key: string, by: number, ttlMs: number): Promise<number> {
    const now = Date.now();
    if (now >= this.nextCounterPurgeAt) this.purgeExpiredCounters(now);
    return this.db.transaction(() => {
      const row = this.stmt.getCounter.get(key);
      const live = row && row.expires_at > now ? row : { value: 0, expires_at: now + ttlMs };
      const value = live.value + by;
      this.stmt.putCounter.run(key, value, live.expires_at);
      return value;
    })();
  }

  async counter(key: string): Promise<number> {
    const row = this.stmt.getCounter.get(key);
    return row && row.expires_at > Date.now() ? row.value : 0;
  }

  async close(): Promise<void> {
    this.cache.clear();
    if (this.db.open) this.db.close();
  }
}
