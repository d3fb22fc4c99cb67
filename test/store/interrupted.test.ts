// An answer cut short keeps its `interrupted` mark through every store, and SQLite files made
// before the mark existed gain the column when opened.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { SQLITE_FILE, SqliteStore } from '../../src/store/sqlite.js';
import { storeFactories } from './factories.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'parley-interrupted-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe.each(storeFactories())('%s store', (_name, make) => {
  it('keeps the interrupted mark of an answer, and only there', async () => {
    const store = make();
    await store.append('c', [{ role: 'user', content: 'q', at: 1 }, { role: 'assistant', content: 'half an ans', at: 2, interrupted: true }], 10);
    await store.append('c', [{ role: 'assistant', content: 'whole', at: 3 }], 10);
    expect(await store.load('c')).toEqual([
      { role: 'user', content: 'q', at: 1 },
      { role: 'assistant', content: 'half an ans', at: 2, interrupted: true },
      { role: 'assistant', content: 'whole', at: 3 },
    ]);
    await store.close();
  });
});

describe('sqlite file from before the interrupted mark', () => {
  it('opens, keeps its turns and stores marks from then on', async () => {
    const dir = tempDir();
    const old = new Database(join(dir, SQLITE_FILE));
    old.exec('CREATE TABLE turns (id INTEGER PRIMARY KEY AUTOINCREMENT, channel TEXT NOT NULL, role TEXT NOT NULL, name TEXT, content TEXT NOT NULL, at INTEGER NOT NULL)');
    old.prepare('INSERT INTO turns (channel, role, name, content, at) VALUES (?, ?, ?, ?, ?)').run('c', 'user', null, 'old question', 1);
    old.close();
    const store = new SqliteStore(dir);
    await store.append('c', [{ role: 'assistant', content: 'cut', at: 2, interrupted: true }], 10);
    expect(await store.load('c')).toEqual([
      { role: 'user', content: 'old question', at: 1 },
      { role: 'assistant', content: 'cut', at: 2, interrupted: true },
    ]);
    await store.close();
  });
});
