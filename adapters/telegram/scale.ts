// Telegram on several instances sharing one Redis (issue 11). Whichever instance receives an
// update (webhook.ts behind the load balancer, or the poller on the owner of `tgpoll`) stores it
// in the inbox of its chat's slot `tg:<p>`; the slot's owner runs it through telegraf exactly as
// a single instance would, and the inbox settles it once the reply has settled. An entry an
// earlier owner left half answered comes back with the ids of the messages its reply had sent:
// they are deleted, in the chat's order, before the question is answered again (the store sees
// to it that the question is not stored twice).
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Update } from 'telegraf/types';
import type { Logger } from '../../src/log.js';
import type { OpsEvents } from '../../src/ops/events.js';
import { Inbox, type InboxEntry } from '../../src/scale/inbox.js';
import { InboxReader, type Delivery } from '../../src/scale/inbox-reader.js';
import { LeaseLostError, type Lease } from '../../src/scale/lease.js';
import type { ScaleRuntime } from '../../src/scale/runtime.js';
import type { Fence } from '../../src/scale/script.js';
import { numberedSlots, TELEGRAM_POLL_SLOT, telegramSlot, type SlotOwner } from '../../src/scale/slots.js';
import type { ChannelKey } from '../../src/types.js';
import { channelKeyOf } from './inbound.js';
import type { Poller } from './polling.js';
import type { BotApi } from './surface.js';

/** One inbox entry being handled: set around telegraf's handleUpdate (index.ts reads it). */
export interface EntryScope {
  /** The work the update started (its reply); the entry is settled once all of it settled. */
  readonly work: Promise<void>[];
  /** The Bot API for this entry's replies, recording the id of every message it sends. */
  readonly api?: BotApi;
  /** Runs in the chat's order before the answer: deletes a dead owner's partial reply. */
  readonly cleanup?: () => Promise<void>;
  /** The lease the entry was taken up under: its writes are fenced with it, and once it is
   * gone the reply may not touch the chat any more (a successor answers it). */
  readonly lease?: Lease;
}

export const entryScope = new AsyncLocalStorage<EntryScope>();

/** Methods that leave a message in the chat: what a regeneration must delete first. */
const SENDS_A_MESSAGE = new Set(['sendMessage', 'sendPhoto', 'sendVoice', 'sendDocument']);

/** A Bot API that records the id of each message it sends before the caller sees it, so the
 * reply's later edits never run ahead of the record. */
export function recordingApi(api: BotApi, record: (messageId: number) => Promise<void>, lease?: Lease): BotApi {
  return {
    async callApi(method, payload) {
      // An owner that lost its slot (stalled past the lease) goes quiet at once rather than
      // write next to its successor: the reply fails here, before reaching Telegram.
      if (lease && !lease.held) throw new LeaseLostError(lease.slot);
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

type ChatMessage = { chat: { id: number }; is_topic_message?: boolean; message_thread_id?: number };

/** The message an update is about: the user's, or the one under a pressed button. */
function messageOf(update: Update): ChatMessage | undefined {
  if ('message' in update) return update.message as ChatMessage;
  if ('callback_query' in update) return update.callback_query.message as ChatMessage | undefined;
  return undefined;
}

/** The chat an update belongs to (0 for kinds without one, which we do not ask for). */
export function chatOf(update: Update): number {
  return messageOf(update)?.chat.id ?? 0;
}

/** The history channel of an update, as classify names it (a topic is a channel of its own). */
export function channelOf(update: Update): ChannelKey {
  const msg = messageOf(update);
  return channelKeyOf(msg?.chat.id ?? 0, msg?.is_topic_message ? msg.message_thread_id : undefined);
}

export interface TelegramScaleOptions {
  scale: ScaleRuntime;
  /** The plain Bot API (deletes partial replies; wrapped to record what replies send). */
  api: BotApi;
  /** telegraf's handleUpdate: the same path a single instance takes. */
  handleUpdate(update: Update): Promise<void>;
  /** Polling mode: starts getUpdates with this batch handler (only the tgpoll owner polls). */
  startPoller?: (handle: (updates: Update[]) => Promise<void>) => Poller;
  /** The dispatcher's drain (core.manager.drain): waits, within its grace, for the replies and
   * tracked work of the channels the filter picks. */
  drainChannels(filter: (channel: ChannelKey) => boolean): Promise<void>;
  logger: Logger;
  /** The core's events: on 'shutdown' this instance stops taking entries up. */
  events: OpsEvents;
}

/** Telegram on several instances: stores what arrives, answers what its slots own. */
export class TelegramScale {
  private readonly inbox: Inbox;
  private readonly owner: SlotOwner;
  private readonly partitions: number;
  private reader: InboxReader | undefined;
  /** The newest lease per slot: still valid while a released slot drains (Redis checks it). */
  private readonly fences = new Map<string, Fence>();
  /** Entries this process is answering, by ref: a slot lost and taken back (a stall longer
   * than the lease) hands them over again, and they must not be answered twice. */
  private readonly answering = new Map<string, { done: Promise<void>; lease?: Lease }>();
  private poller: Poller | undefined;
  private shuttingDown = false;

  constructor(private readonly o: TelegramScaleOptions) {
    this.partitions = o.scale.config.partitions;
    this.inbox = new Inbox(o.scale.redis, o.scale.config.prefix);
    const slots = [...numberedSlots('tg', this.partitions), ...(o.startPoller ? [TELEGRAM_POLL_SLOT] : [])];
    this.owner = o.scale.ownSlots(slots, { drain: (slot) => this.drain(slot) });
    this.owner.on('gained', (slot, lease) => void this.gained(slot, lease));
    this.owner.on('lost', (slot) => this.lost(slot));
    o.scale.addFenceSource((channel) => (channel.startsWith('telegram:') ? this.fenceOfChannel(channel) : undefined));
  }

  /** Stores an update for its chat's owner; rejects when Redis cannot take it. A repeated
   * update_id is accepted and dropped. */
  async accept(update: Update): Promise<void> {
    const slot = telegramSlot(chatOf(update), this.partitions);
    const event = { ref: `tg:${update.update_id}`, kind: 'update', channel: channelOf(update), payload: JSON.stringify(update) };
    const id = await this.inbox.add(slot, event, `tg:upd:${update.update_id}`);
    if (id === undefined) this.o.logger.debug({ updateId: update.update_id }, 'update delivered again; already stored');
  }

  async start(): Promise<void> {
    const { scale, logger } = this.o;
    const blocking = await scale.connection();
    this.reader = new InboxReader({
      redis: scale.redis,
      blocking,
      inbox: this.inbox,
      consumer: scale.config.instanceId,
      logger,
      fence: (slot) => this.fence(slot),
      onEntry: (entry, delivery) => this.answer(entry, delivery),
    });
    this.reader.start();
    this.o.events.on((e) => {
      if (e.type !== 'shutdown') return;
      // The manager drops what waits and stops what runs: none of it is settled from here on,
      // so the successor answers it (the markers tell it what was answered already).
      this.shuttingDown = true;
      void this.reader?.stop(false);
    });
    await this.owner.start();
  }

  /** Gives every slot back (replies in flight settle first), so others take over at once. */
  async stop(): Promise<void> {
    await this.owner.releaseAll();
    await this.reader?.stop();
    await this.poller?.stop();
  }

  /** A reply writes under the lease its entry came with; other writes under the slot's now. */
  private fenceOfChannel(channel: ChannelKey): Fence {
    const slot = this.slotOfChannel(channel);
    const lease = entryScope.getStore()?.lease;
    return lease?.slot === slot ? lease.fence : this.fence(slot);
  }

  private fence(slot: string): Fence {
    return this.owner.lease(slot)?.fence ?? this.fences.get(slot) ?? this.owner.fence(slot);
  }

  private async gained(slot: string, lease: Lease): Promise<void> {
    this.fences.set(slot, lease.fence);
    if (slot === TELEGRAM_POLL_SLOT) {
      this.poller = this.o.startPoller?.((updates) => this.acceptAll(updates, lease));
      return;
    }
    // Retried while the slot is ours: without its backlog it cannot be served in order.
    while (lease.held) {
      try {
        await this.reader?.addSlot(slot);
        return;
      } catch (err) {
        this.o.logger.warn({ err, slot }, 'could not take the slot over yet; retrying');
        await new Promise((resolve) => setTimeout(resolve, this.o.scale.config.leaseMs / 3));
      }
    }
  }

  /** Polled updates are stored like webhook ones; a Redis outage holds the poller (getUpdates
   * is not called again, so Telegram keeps the updates) rather than dropping them. */
  private async acceptAll(updates: Update[], lease: Lease): Promise<void> {
    for (const update of updates) {
      for (;;) {
        try {
          await this.accept(update);
          break;
        } catch (err) {
          if (!lease.held) throw err;
          this.o.logger.warn({ err, updateId: update.update_id }, 'polled update not stored yet; retrying');
          await new Promise((resolve) => setTimeout(resolve, this.o.scale.config.leaseMs / 3));
        }
      }
    }
  }

  private lost(slot: string): void {
    this.reader?.removeSlot(slot);
    if (slot === TELEGRAM_POLL_SLOT) void this.poller?.stop();
  }

  /** Before a graceful release: no new entries; the slot's chats finish through the dispatcher
   * (within its grace), then the reader acknowledges their entries while the lease holds. */
  private async drain(slot: string): Promise<void> {
    this.reader?.removeSlot(slot);
    await this.o.drainChannels((channel) => channel.startsWith('telegram:') && this.slotOfChannel(channel) === slot);
    await this.reader?.drain(slot);
  }

  private slotOfChannel(channel: ChannelKey): string {
    return telegramSlot(channel.split(':')[1]!, this.partitions);
  }

  /** Hands one entry to telegraf (before any await: that keeps the chat's order); resolves once
   * what it started has settled. */
  private answer(entry: InboxEntry, delivery: Delivery): Promise<void> {
    // Still answering it under a lease that held throughout: the same answer, not a second one.
    const running = this.answering.get(entry.ref);
    if (running?.lease?.held) return running.done;
    const lease = this.owner.lease(entry.slot);
    // Handed over while the slot was being given back (or after it was lost): it stays pending,
    // and the slot's next owner answers it.
    if (!lease?.held) return Promise.reject(new LeaseLostError(entry.slot));
    const update = JSON.parse(entry.payload) as Update;
    const scope: EntryScope = {
      work: [],
      api: recordingApi(this.o.api, (id) => this.inbox.recordSent(lease?.fence ?? this.fence(entry.slot), entry.ref, String(id)), lease),
      lease,
      ...(delivery.sentIds.length > 0 ? { cleanup: () => this.deletePartial(chatOf(update), delivery.sentIds) } : {}),
    };
    if (delivery.state === 'started') this.o.logger.info({ slot: entry.slot, ref: entry.ref }, 'answering an update again after its owner stopped');
    const done = entryScope
      .run(scope, () => this.o.handleUpdate(update))
      .then(() => settled(scope))
      .then(() => {
        if (this.shuttingDown) throw new Error('shutting down: left pending for the next owner');
        // Its lease ended on the way: the reply was cut off, and whoever holds the slot now answers it.
        if (lease && !lease.held) throw new LeaseLostError(lease.slot);
      });
    const answering = { done, lease };
    this.answering.set(entry.ref, answering);
    void done.catch(() => undefined).finally(() => this.answering.get(entry.ref) === answering && this.answering.delete(entry.ref));
    return done;
  }

  private async deletePartial(chatId: number, messageIds: string[]): Promise<void> {
    for (const id of messageIds) {
      await this.o.api
        .callApi('deleteMessage', { chat_id: chatId, message_id: Number(id) })
        .catch((err: unknown) => this.o.logger.warn({ err, chatId, messageId: id }, 'partial reply not deleted'));
    }
  }
}
