// Telegram on several instances sharing one Redis (issue 11). Updates are stored in the inbox
// of their chat's slot `tg:<p>` by whichever instance received them (webhook.ts, or the poller
// when this instance owns `tgpoll`); the slot's owner runs them through telegraf like a
// single instance would, and acknowledges each once its reply has settled.
import { AsyncLocalStorage } from 'node:async_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Update } from 'telegraf/types';
import type { Logger } from '../../src/log.js';
import { leaseKey, type Lease } from '../../src/scale/lease.js';
import type { RedisClient } from '../../src/scale/redis.js';
import type { ScaleRuntime } from '../../src/scale/runtime.js';
import type { Fence } from '../../src/scale/script.js';
import type { SlotOwner } from '../../src/scale/slots.js';
import type { HistoryStore, StoredTurn } from '../../src/store/types.js';
import { TelegramInbox, type InboxEntry } from './inbox.js';
import { channelKeyOf } from './inbound.js';
import type { Poller } from './polling.js';
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

/** Resolves once all the work of an entry has settled. */
export async function settled(scope: EntryScope): Promise<void> {
  // Work may start more work (a reply, then its keyboard); wait until none is left.
  for (let seen = 0; seen < scope.work.length; ) {
    const batch = scope.work.slice(seen);
    seen = scope.work.length;
    await Promise.allSettled(batch);
  }
}

/** The chat an update belongs to (0 for kinds without one, which we do not ask for). */
export function chatOf(update: Update): number {
  if ('message' in update) return update.message.chat.id;
  if ('callback_query' in update) return update.callback_query.message?.chat.id ?? 0;
  return 0;
}

/**
 * Where a redelivered update's question stands in its channel's history: `answered` (its answer
 * was stored too), `asked` (stored, its answer not: answer again without storing it twice), or
 * `new`. The chat's updates run in order, so only the newest question can be this one; the text
 * and the time it was sent tell it from an older one.
 */
export function questionState(history: StoredTurn[], update: Update): 'answered' | 'asked' | 'new' {
  if (!('message' in update)) return 'new';
  const msg = update.message as { text?: string; caption?: string; date: number };
  const text = (msg.text ?? msg.caption ?? '').trim();
  let i = history.length - 1;
  while (i >= 0 && history[i]!.role !== 'user') i--;
  const question = history[i];
  if (!question || question.at < msg.date * 1000 || (text !== '' && !question.content.includes(text))) return 'new';
  return i === history.length - 1 ? 'asked' : 'answered';
}

/** The slot whose owner runs the getUpdates loop in polling mode. */
export const POLL_SLOT = 'tgpoll';
/** How long one read waits for new entries; also how soon a newly gained slot is read. */
const READ_BLOCK_MS = 250;

export interface TelegramScaleOptions {
  scale: ScaleRuntime;
  store: HistoryStore;
  /** The plain Bot API (deletes partial replies; wrapped to record what replies send). */
  api: BotApi;
  /** telegraf's handleUpdate: the same path a single instance takes. */
  handleUpdate(update: Update): Promise<void>;
  /** Polling mode: starts getUpdates with this batch handler (only the tgpoll owner polls). */
  startPoller?: (handle: (updates: Update[]) => Promise<void>) => Poller;
  logger: Logger;
}

/** Telegram on several instances: stores what arrives, answers what its slots own. */
export class TelegramScale {
  private readonly inbox: TelegramInbox;
  private readonly owner: SlotOwner;
  private readonly partitions: number;
  /** Slots being read, once their earlier owners' entries were taken over. */
  private readonly reading = new Set<string>();
  /** Per slot, entries handed to telegraf and not yet settled. */
  private readonly unsettled = new Map<string, Set<Promise<void>>>();
  /** The newest lease per slot, still used while a released slot drains. */
  private readonly fences = new Map<string, Fence>();
  private poller: Poller | undefined;
  private reader: RedisClient | undefined;
  private loop: Promise<void> | undefined;
  private running = false;

  constructor(private readonly o: TelegramScaleOptions) {
    this.partitions = o.scale.config.partitions;
    this.inbox = new TelegramInbox(o.scale.redis, o.scale.config.prefix);
    const slots = [...chatSlots(this.partitions), ...(o.startPoller ? [POLL_SLOT] : [])];
    this.owner = o.scale.ownSlots(slots, { drain: (slot) => this.drain(slot) });
    this.owner.on('gained', (slot, lease) => void this.gained(slot, lease));
    this.owner.on('lost', (slot) => this.lost(slot));
    o.scale.addFenceSource((channel) => this.fenceOf(channel));
  }

  /** Stores an update for its chat's owner (webhook, poller); rejects when Redis cannot take it. */
  async accept(update: Update): Promise<void> {
    const stored = await this.inbox.add(chatSlot(chatOf(update), this.partitions), update);
    if (!stored) this.o.logger.debug({ updateId: update.update_id }, 'update delivered again; already stored');
  }

  async start(): Promise<void> {
    this.running = true;
    this.reader = await this.o.scale.connection();
    await this.owner.start();
    this.loop = this.readLoop();
  }

  /** Gives every slot back (replies in flight settle first), so others take over at once. */
  async stop(): Promise<void> {
    this.running = false;
    await this.owner.releaseAll();
    await this.loop;
    await this.poller?.stop();
  }

  /** Writes to a chat's history are fenced with its slot's lease; one never held fails them. */
  private fenceOf(channel: string): Fence | undefined {
    const chat = /^telegram:(-?\d+)/.exec(channel)?.[1];
    if (chat === undefined) return undefined;
    const slot = chatSlot(Number(chat), this.partitions);
    return this.owner.lease(slot)?.fence ?? this.fences.get(slot) ?? { slot, key: leaseKey(this.o.scale.config.prefix, slot), token: 'never-held' };
  }

  private async gained(slot: string, lease: Lease): Promise<void> {
    this.fences.set(slot, lease.fence);
    if (slot === POLL_SLOT) {
      this.poller = this.o.startPoller?.(async (updates) => {
        for (const u of updates) await this.accept(u);
      });
      return;
    }
    try {
      await this.inbox.prepare(slot);
      // Entries an earlier owner read and did not settle go first, in their order.
      for (const entry of await this.inbox.claimPending(slot, this.o.scale.config.instanceId)) {
        if (!lease.held) return;
        await this.dispatch(slot, entry, true);
      }
      if (lease.held) this.reading.add(slot);
    } catch (err) {
      // Without its backlog the slot cannot be served in order: give it up for another try.
      this.o.logger.warn({ err, slot }, 'could not take over the slot; giving it back');
      lease.abandon();
    }
  }

  private lost(slot: string): void {
    this.reading.delete(slot);
    if (slot === POLL_SLOT) void this.poller?.stop();
  }

  /** Before a graceful release: what this slot started settles (and is acknowledged) first. */
  private async drain(slot: string): Promise<void> {
    this.reading.delete(slot);
    await Promise.allSettled([...(this.unsettled.get(slot) ?? [])]);
  }

  private async readLoop(): Promise<void> {
    while (this.running) {
      const slots = [...this.reading];
      try {
        if (slots.length === 0) {
          await sleep(READ_BLOCK_MS);
          continue;
        }
        for (const { slot, entry } of await this.inbox.read(this.reader!, slots, this.o.scale.config.instanceId, READ_BLOCK_MS)) {
          // A slot lost meanwhile leaves the entry pending: its next owner claims it.
          if (this.reading.has(slot)) await this.dispatch(slot, entry, false);
        }
      } catch (err) {
        if (!this.running) return;
        this.o.logger.warn({ err }, 'reading the inbox failed; retrying');
        await sleep(READ_BLOCK_MS);
      }
    }
  }

  /** Hands one entry to telegraf (resolves once it took its place in the chat's order). */
  private async dispatch(slot: string, entry: InboxEntry, redelivered: boolean): Promise<void> {
    let regenerate = false;
    if (redelivered) {
      const resume = await this.resume(slot, entry);
      if (resume === 'settled') return;
      regenerate = resume === 'regenerate';
    }
    const scope: EntryScope = { work: [], regenerate, api: recordingApi(this.o.api, (id) => this.inbox.recordSent(entry.ref, id)) };
    await entryScope.run(scope, () => this.o.handleUpdate(entry.update));
    const done = settled(scope)
      .then(() => this.inbox.settle(this.owner.lease(slot)?.fence ?? this.fences.get(slot)!, slot, entry))
      .catch((err: unknown) => this.o.logger.warn({ err, slot, ref: entry.ref }, 'entry not acknowledged; its next owner answers it'));
    const set = this.unsettled.get(slot) ?? new Set();
    this.unsettled.set(slot, set);
    set.add(done);
    void done.finally(() => set.delete(done));
  }

  /** An entry an earlier owner read: done → acknowledge; else delete its partial reply and
   * say whether the question must be answered again without being stored twice. */
  private async resume(slot: string, entry: InboxEntry): Promise<'settled' | 'regenerate' | 'answer'> {
    if (await this.inbox.isDone(entry.ref)) {
      await this.inbox.ack(slot, entry);
      return 'settled';
    }
    const channel = channelOf(entry.update);
    const state = channel ? questionState(await this.o.store.load(channel), entry.update) : 'new';
    if (state === 'answered') {
      await this.inbox.settle(this.owner.lease(slot)!.fence, slot, entry);
      return 'settled';
    }
    const chatId = chatOf(entry.update);
    for (const messageId of await this.inbox.sentIds(entry.ref)) {
      await this.o.api.callApi('deleteMessage', { chat_id: chatId, message_id: messageId }).catch((err: unknown) => this.o.logger.warn({ err, chatId, messageId }, 'partial reply not deleted'));
    }
    await this.inbox.forgetSent(entry.ref);
    this.o.logger.info({ slot, ref: entry.ref, state }, 'answering an update again after its owner stopped');
    return state === 'asked' ? 'regenerate' : 'answer';
  }
}

/** The history channel of a message update (as classify names it). */
function channelOf(update: Update): string | undefined {
  if (!('message' in update)) return undefined;
  const msg = update.message as { chat: { id: number }; is_topic_message?: boolean; message_thread_id?: number };
  return channelKeyOf(msg.chat.id, msg.is_topic_message ? msg.message_thread_id : undefined);
}
