import type { Config } from '../config/index.js';
import { MemoryStore } from './memory.js';
import { SqliteStore } from './sqlite.js';
import type { HistoryStore } from './types.js';

export type { ChannelSettings, HistoryStore, StoredTurn } from './types.js';
export { MemoryStore } from './memory.js';
export { SqliteStore } from './sqlite.js';

export function createStore(config: Config['store']): HistoryStore {
  return config.kind === 'memory' ? new MemoryStore() : new SqliteStore(config.dataDir);
}
