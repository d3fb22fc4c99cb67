// Telegram on several instances sharing one Redis (issue 11). Updates are stored in the inbox
// of their chat's slot `tg:<p>` by whichever instance received them (webhook.ts, or the poller
// when this instance owns `tgpoll`); the slot's owner runs them through telegraf like a
// single instance would, and acknowledges each once its reply has settled.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { BotApi } from './surface.js';

/** One inbox entry being handled: set around telegraf's handleUpdate (index.ts reads it). */
export interface EntryScope {
  /** The work the update started (its reply); the entry is acknowledged once all of it settled. */
  readonly work: Promise<void>[];
  /** The question is in history already (an earlier owner died mid-reply): answer it again. */
  readonly regenerate: boolean;
  /** The Bot API for this entry's replies, recording the id of every message it sends. */
  readonly api?: BotApi;
}

export const entryScope = new AsyncLocalStorage<EntryScope>();

/** Methods that leave a message in the chat: what a regeneration must delete first. */
const SENDS_A_MESSAGE = new Set(['sendMessage', 'sendPhoto', 'sendVoice', 'sendDocument']);

/** The slot of a chat, `tg:<p>`: every topic of a chat in one (Telegram's flood limits are per
 * chat). FNV-1a over the id's digits: stable across processes and versions. */
export function chatSlot(chatId: number, partitions: number): string {
  let hash = 0x811c9dc5;
  for (const ch of String(chatId)) {
    hash ^= ch.charCodeAt(0);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `tg:${hash % partitions}`;
}

/** The slot names for all chats. */
export function chatSlots(partitions: number): string[] {
  return Array.from({ length: partitions }, (_, p) => `tg:${p}`);
}

/** A Bot API that records the id of each message it sends before the caller sees it, so the
 * reply's later edits never run ahead of the record. */
export function recordingApi(api: BotApi, record: (messageId: number) => Promise<void>): BotApi {
  return {
    async callApi(method, payload) {
      const result = await api.callApi(method, payload);
      const id = (result as { message_id?: unknown } | undefined)?.message_id;
      if (SENDS_A_MESSAGE.has(method) && typeof id === 'number') await record(id);
      return result;
    },
  };
}

/** Runs `handle` (telegraf's handleUpdate) inside `scope`; resolves when what it started settled. */
export async function runInScope(scope: EntryScope, handle: () => Promise<void>): Promise<void> {
  await entryScope.run(scope, handle);
  // Work may start more work (a reply, then its keyboard); wait until none is left.
  for (let seen = 0; seen < scope.work.length; ) {
    const batch = scope.work.slice(seen);
    seen = scope.work.length;
    await Promise.allSettled(batch);
  }
}
