import type { Config } from '../config/index.js';
import { MemoryStore } from './memory.js';
import { SqliteStore } from './sqlite.js';
import type { HistoryStore } from './types.js';

export type { ChannelSettings, HistoryStore, StoredTurn } from './types.js';
export { MemoryStore } from './memory.js';
export { SqliteStore } from './sqlite.js';

/** The embedded stores; HISTORY_STORE=redis is opened (async) by src/scale/runtime.ts. */
export function createStore(config: Config['store']): HistoryStore {
  if (config.kind === 'redis') throw new Error('HISTORY_STORE=redis: the store comes from startScale()');
  return config.kind === 'memory' ? new MemoryStore() : new SqliteStore(config.dataDir);
}
