import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SQLITE_FILE, SqliteStore } from '../../src/store/sqlite.js';
import type { StoredTurn } from '../../src/store/types.js';
import { storeFactories } from './factories.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'parley-store-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const turn = (role: 'user' | 'assistant', content: string, name?: string): StoredTurn => ({
  role,
  content,
  at: 1_700_000_000_000,
  ...(name ? { name } : {}),
});

const factories = storeFactories();

describe.each(factories)('%s store', (_name, make) => {
  it('appends in order, trims to maxMessages and keeps names', async () => {
    const s = make();
    await s.append('c1', [turn('user', 'a', 'alice'), turn('assistant', 'b')], 3);
    await s.append('c1', [turn('user', 'c'), turn('assistant', 'd')], 3);
    expect((await s.load('c1')).map((t) => t.content)).toEqual(['b', 'c', 'd']);
    await s.append('c2', [turn('user', 'x', 'bob')], 3);
    expect(await s.load('c2')).toEqual([turn('user', 'x', 'bob')]);
    await s.close();
  });

  it('dropLast and reset affect only their channel; settings survive reset', async () => {
    const s = make();
    await s.append('c1', [turn('user', 'a'), turn('assistant', 'b')], 10);
    await s.append('c2', [turn('user', 'z')], 10);
    await s.setSettings('c1', { model: 'm1', voice: true });
    await s.dropLast('c1', 1);
    expect((await s.load('c1')).map((t) => t.content)).toEqual(['a']);
    await s.reset('c1');
    expect(await s.load('c1')).toEqual([]);
    expect((await s.load('c2')).length).toBe(1);
    expect(await s.getSettings('c1')).toEqual({ model: 'm1', voice: true });
    await s.setSettings('c1', { model: undefined });
    expect(await s.getSettings('c1')).toEqual({ voice: true });
    await s.close();
  });

  it('a loaded array is a copy: mutating it does not change the store', async () => {
    const s = make();
    await s.append('c', [turn('user', 'a')], 10);
    const loaded = await s.load('c');
    loaded.push(turn('assistant', 'rogue'));
    expect((await s.load('c')).length).toBe(1);
    await s.close();
  });

  it('counters add up and expire', async () => {
    const s = make();
    expect(await s.increment('k', 2, 60_000)).toBe(2);
    expect(await s.increment('k', 3, 60_000)).toBe(5);
    expect(await s.counter('k')).toBe(5);
    expect(await s.increment('short', 1, 1)).toBe(1);
    await new Promise((r) => setTimeout(r, 5));
    expect(await s.counter('short')).toBe(0);
    expect(await s.increment('short', 1, 60_000)).toBe(1);
    await s.close();
  });
});

describe('sqlite counters', () => {
  afterEach(() => vi.useRealTimers());

  it('expired counters are purged while running, not only at start (one row per user per minute)', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(1_800_000_000_000);
    const dir = tempDir();
    const s = new SqliteStore(dir);
    const rows = () => {
      const db = new Database(join(dir, SQLITE_FILE), { readonly: true });
      try {
        return db.prepare<[], { key: string }>('SELECT key FROM counters ORDER BY key').all().map((r) => r.key);
      } finally {
        db.close();
      }
    };
    await s.increment('budget:u:day', 10, 86_400_000);
    // Five minutes of one active user, keyed per minute as the rate limiter does.
    for (let minute = 0; minute < 5; minute++) {
      if (minute > 0) vi.setSystemTime(Date.now() + 60_000);
      await s.increment(`rate:console:u:${minute}`, 1, 60_000);
    }
    // Only the counters still live remain: this minute's and the day budget.
    expect(rows()).toEqual(['budget:u:day', 'rate:console:u:4']);
    expect(await s.counter('budget:u:day')).toBe(10);
    await s.close();
  });
});

describe('sqlite store persistence', () => {
  it('history written by one instance is there after a restart', async () => {
    const dir = tempDir();
    const a = new SqliteStore(dir);
    await a.append('telegram:1', [turn('user', '你好'), turn('assistant', 'hi')], 10);
    await a.setSettings('telegram:1', { systemPrompt: 'be brief' });
    await a.close();
    const b = new SqliteStore(dir);
    expect((await b.load('telegram:1')).map((t) => t.content)).toEqual(['你好', 'hi']);
    expect(await b.getSettings('telegram:1')).toEqual({ systemPrompt: 'be brief' });
    await b.close();
  });

  it("a channel's persona survives a restart, and a reset keeps it", async () => {
    const dir = tempDir();
    const a = new SqliteStore(dir);
    await a.setSettings('discord:g:1', { persona: 'pirate' });
    await a.reset('discord:g:1');
    await a.close();
    const b = new SqliteStore(dir);
    expect(await b.getSettings('discord:g:1')).toEqual({ persona: 'pirate' });
    await b.close();
  });

  it('a process killed with SIGKILL right after a write loses nothing it had written', () => {
    const dir = tempDir();
    // A child writes turns then kills itself without closing the database.
    const script = `
      import { SqliteStore } from ${JSON.stringify(join(process.cwd(), 'src/store/sqlite.ts'))};
      const s = new SqliteStore(${JSON.stringify(dir)});
      for (let i = 0; i < 50; i++) await s.append('c', [{ role: 'user', content: 'q' + i, at: i }], 1000);
      process.kill(process.pid, 'SIGKILL');
    `;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(r.signal).toBe('SIGKILL');
    const s = new SqliteStore(dir);
    return s.load('c').then(async (turns) => {
      expect(turns.length).toBe(50);
      expect(turns.at(-1)?.content).toBe('q49');
      await s.close();
    });
  });
});
