// Tool turns (an assistant turn's tool_calls, a tool result's call id) survive every store, and
// SQLite files from before tools gain the column when opened; channel settings keep `tools`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { SQLITE_FILE, SqliteStore } from '../../src/store/sqlite.js';
import type { StoredTurn } from '../../src/store/types.js';
import { storeFactories } from './factories.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'parley-tool-turns-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const TURNS: StoredTurn[] = [
  { role: 'user', content: 'sum?', at: 1 },
  { role: 'assistant', content: '', at: 2, toolCalls: [{ id: 'call_1', type: 'function', function: { name: 'calc__add', arguments: '{"a":1,"b":2}' } }] },
  { role: 'tool', content: '3', at: 2, toolCallId: 'call_1' },
  { role: 'assistant', content: 'It is 3.', at: 3 },
];

describe.each(storeFactories())('%s store', (_name, make) => {
  it('keeps tool calls and results as they were', async () => {
    const store = make();
    await store.append('c', TURNS, 10);
    expect(await store.load('c')).toEqual(TURNS);
    await store.setSettings('c', { tools: false });
    expect(await store.getSettings('c')).toEqual({ tools: false });
    await store.close();
  });
});

describe('sqlite file from before tools', () => {
  it('opens, keeps its turns and stores tool turns from then on', async () => {
    const dir = tempDir();
    const old = new Database(join(dir, SQLITE_FILE));
    old.exec('CREATE TABLE turns (id INTEGER PRIMARY KEY AUTOINCREMENT, channel TEXT NOT NULL, role TEXT NOT NULL, name TEXT, content TEXT NOT NULL, at INTEGER NOT NULL, interrupted INTEGER NOT NULL DEFAULT 0)');
    old.prepare('INSERT INTO turns (channel, role, name, content, at) VALUES (?, ?, ?, ?, ?)').run('c', 'user', null, 'old question', 0);
    old.close();
    const store = new SqliteStore(dir);
    await store.append('c', TURNS.slice(1), 10);
    expect(await store.load('c')).toEqual([{ role: 'user', content: 'old question', at: 0 }, ...TURNS.slice(1)]);
    await store.close();
  });
});
