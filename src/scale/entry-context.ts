// Which inbox entry the current reply answers, carried through the manager's async calls
// (AsyncLocalStorage) so the store can write the entry's markers with its history writes
// without the conversation code knowing about inboxes.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { ChannelKey } from '../types.js';

/** Where an entry stands: never answered, question stored but no answer, answered. */
export type EntryState = 'new' | 'started' | 'done';

export interface EntryContext {
  ref: string;
  channel: ChannelKey;
  /** The state when the entry was taken up; 'started' means this run regenerates the answer. */
  state: EntryState;
}

const storage = new AsyncLocalStorage<EntryContext>();

/** Runs `work` (which must call the manager before its first await) as the answer to `entry`. */
export function runAsEntry<T>(entry: EntryContext, work: () => T): T {
  return storage.run({ ...entry }, work);
}

/** The entry being answered, when the caller runs inside runAsEntry for this channel. */
export function currentEntry(channel: ChannelKey): EntryContext | undefined {
  const ctx = storage.getStore();
  return ctx && ctx.channel === channel ? ctx : undefined;
}

/** Markers live a week: longer than any redelivery (stream entries are trimmed after a day). */
export const MARKER_TTL_S = 7 * 24 * 3600;
export const startedKey = (prefix: string, ref: string) => `${prefix}started:${ref}`;
export const doneKey = (prefix: string, ref: string) => `${prefix}done:${ref}`;
export const sentKey = (prefix: string, ref: string) => `${prefix}sent:${ref}`;
