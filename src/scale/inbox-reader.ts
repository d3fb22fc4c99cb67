// The owner's side of the inbox: reads the streams of the slots it holds through the consumer
// group, first claiming whatever a previous owner left pending (XAUTOCLAIM), and hands each entry
// to the adapter with where it stands (new, to regenerate, already done). Entries are handed over
// in stream order and not awaited, so `/stop` behind a running reply reaches the manager at once;
// each is settled (XACK + done) when its reply has settled.
import type { Logger } from '../log.js';
import { runAsEntry, type EntryState } from './entry-context.js';
import { entryFrom, INBOX_GROUP, inboxKey, type Inbox, type InboxEntry } from './inbox.js';
import type { RedisClient } from './redis.js';
import type { Fence } from './script.js';

/** How a (re)delivered entry is to be answered. */
export interface Delivery {
  state: Exclude<EntryState, 'done'>;
  /** 'started': platform messages of the interrupted reply, to delete before answering again. */
  sentIds: string[];
}

export interface InboxReaderOptions {
  /** For group set-up, claims and unblocking. */
  redis: RedisClient;
  /** A connection of its own: XREADGROUP BLOCK holds it. */
  blocking: RedisClient;
  inbox: Inbox;
  /** This instance's id: the consumer name in the group. */
  consumer: string;
  logger: Logger;
  /** The fence of a held slot (SlotOwner.fence). */
  fence: (slot: string) => Fence;
  /** Must hand the entry to the manager before its first await (that keeps each chat's order);
   * resolves when the reply has settled. Runs inside runAsEntry, so the store writes the
   * entry's markers with its history. A rejection leaves the entry pending for redelivery. */
  onEntry: (entry: InboxEntry, delivery: Delivery) => Promise<void>;
  blockMs?: number;
  count?: number;
}

interface StreamsReply {
  name: string;
  messages: Array<{ id: string; message: Record<string, string> } | null>;
}

export class InboxReader {
  private readonly slots = new Set<string>();
  /** Replies not yet settled, with their slot. */
  private readonly inflight = new Map<Promise<void>, string>();
  private loop: Promise<void> | undefined;
  private stopped = false;
  private blockingId: number | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly opts: InboxReaderOptions) {}

  start(): void {
    this.loop ??= this.run();
  }

  /** Starts reading a slot just gained: first the entries its previous owner left pending. */
  async addSlot(slot: string): Promise<void> {
    const { redis, consumer } = this.opts;
    const key = inboxKey(this.opts.inbox.prefix, slot);
    try {
      await redis.xGroupCreate(key, INBOX_GROUP, '0', { MKSTREAM: true });
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('BUSYGROUP')) throw err;
    }
    let start = '0-0';
    do {
      const r = await redis.xAutoClaim(key, INBOX_GROUP, consumer, 0, start, { COUNT: this.opts.count ?? 100 });
      const claimed = r.messages.flatMap((m) => (m ? [entryFrom(slot, m.id, m.message as Record<string, string>)] : []));
      await this.deliver(claimed.filter((e): e is InboxEntry => e !== undefined));
      start = r.nextId;
    } while (start !== '0-0');
    this.slots.add(slot);
    await this.interrupt();
  }

  /** Stops reading a slot (lost or released); what is pending stays for the next owner. */
  removeSlot(slot: string): void {
    this.slots.delete(slot);
  }

  /** For a graceful release (SlotOwner's drain): stops reading the slot, then waits for its
   * replies in flight to settle and be acknowledged while the lease is still held. */
  async drain(slot: string): Promise<void> {
    this.slots.delete(slot);
    await Promise.allSettled([...this.inflight].filter(([, s]) => s === slot).map(([p]) => p));
  }

  /** Ends the loop, then (unless told not to) waits for the replies in flight to settle. */
  async stop(waitForReplies = true): Promise<void> {
    this.stopped = true;
    await this.interrupt();
    await this.loop;
    if (waitForReplies) await Promise.allSettled([...this.inflight.keys()]);
  }

  private async interrupt(): Promise<void> {
    this.wake?.();
    if (this.blockingId !== undefined) await this.opts.redis.sendCommand(['CLIENT', 'UNBLOCK', String(this.blockingId)]).catch(() => undefined);
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      if (this.slots.size === 0) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        continue;
      }
      try {
        // Fetched again after a failure: a reconnected connection has a new id.
        if (this.blockingId === undefined || failures > 0) this.blockingId = Number(await this.opts.blocking.sendCommand(['CLIENT', 'ID']));
        await this.readOnce();
        failures = 0;
      } catch (err) {
        if (failures++ === 0) this.opts.logger.warn({ err }, 'inbox read failed; retrying');
        await new Promise((r) => setTimeout(r, Math.min(1_000, 50 * 2 ** failures)));
      }
    }
  }

  private async readOnce(): Promise<void> {
    const { blocking, consumer } = this.opts;
    const streams = [...this.slots].map((slot) => ({ key: inboxKey(this.opts.inbox.prefix, slot), id: '>' }));
    const reply = (await blocking.xReadGroup(INBOX_GROUP, consumer, streams, { COUNT: this.opts.count ?? 100, BLOCK: this.opts.blockMs ?? 5_000 })) as StreamsReply[] | null;
    const entries: InboxEntry[] = [];
    for (const stream of reply ?? []) {
      const slot = stream.name.slice(inboxKey(this.opts.inbox.prefix, '').length);
      // Lost while the read was on its way: leave the entries pending for the new owner.
      if (!this.slots.has(slot)) continue;
      for (const m of stream.messages) {
        const e = m && entryFrom(slot, m.id, m.message);
        if (e) entries.push(e);
      }
    }
    await this.deliver(entries);
  }

  /** Looks up every entry's markers in one round trip, then hands them over in order. */
  private async deliver(entries: InboxEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const { inbox } = this.opts;
    const states = await Promise.all(entries.map((e) => inbox.state(e.ref)));
    const sent = await Promise.all(entries.map((e, i) => (states[i] === 'started' ? inbox.sentIds(e.ref) : Promise.resolve([]))));
    entries.forEach((entry, i) => {
      const state = states[i] ?? 'new';
      let work: Promise<void>;
      try {
        work = state === 'done' ? Promise.resolve() : runAsEntry({ ref: entry.ref, channel: entry.channel, state }, () => this.opts.onEntry(entry, { state, sentIds: sent[i] ?? [] }));
      } catch (err) {
        // A throw before the first await must not cost the entries after it their turn.
        work = Promise.reject(err);
      }
      const settled = work
        .then(() => inbox.settle(this.opts.fence(entry.slot), entry))
        .catch((err: unknown) => this.opts.logger.warn({ err, slot: entry.slot, ref: entry.ref }, 'inbox entry left pending for redelivery'))
        .finally(() => this.inflight.delete(settled));
      this.inflight.set(settled, entry.slot);
    });
  }
}
