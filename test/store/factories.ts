// The store contract runs over every implementation: memory, SQLite (a temp directory per store)
// and Redis (a real redis-server for the file, a fresh key prefix per store).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll } from 'vitest';
import type { RedisClient } from '../../src/scale/redis.js';
import { MemoryStore } from '../../src/store/memory.js';
import { RedisStore } from '../../src/store/redis.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import type { HistoryStore } from '../../src/store/types.js';
import { useRedis } from '../helpers/redis.js';

export type StoreFactory = [name: string, make: () => HistoryStore];

/** Call at the top of a test file: registers the redis-server and temp-dir hooks. */
export function storeFactories(): StoreFactory[] {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const server = useRedis();
  let client: RedisClient | undefined;
  beforeAll(async () => {
    client = await server().client();
  });
  let n = 0;
  return [
    ['memory', () => new MemoryStore()],
    [
      'sqlite',
      () => {
        const d = mkdtempSync(join(tmpdir(), 'parley-store-'));
        dirs.push(d);
        return new SqliteStore(d);
      },
    ],
    [
      'redis',
      () => {
        if (!client) throw new Error('the redis client connects in beforeAll');
        return new RedisStore(client, { prefix: `store${++n}:` });
      },
    ],
  ];
}
