// The owner's side of the inbox: reads the streams of the slots it holds through the consumer
// group, first claiming whatever a previous owner left pending (XAUTOCLAIM), and hands each entry
// to the adapter with where it stands (new, to regenerate, already done). Entries are handed over
// in stream order and not awaited, so `/stop` behind a running reply reaches the manager at once;
// each is settled (XACK + done) when its reply has settled.
// Redis gives a new entry to whichever reader has waited longest on the stream, so a read still
// blocked on a slot its reader gave back would take the next entry while the new owner answers
// the one after it. A give-back therefore ends that read before the lease goes, and an owner
// claims entries another consumer took meanwhile (a paused ex-owner) before answering later ones.
import type { Logger } from '../log.js';
import { runAsEntry, type EntryState } from './entry-context.js';
import { compareEntryIds, entryFrom, INBOX_GROUP, inboxKey, type Inbox, type InboxEntry } from './inbox.js';
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

/** How often drain repeats CLIENT UNBLOCK while a read of the slot is still outstanding: one sent
 * just before the read reached the server finds nothing to unblock. */
const UNBLOCK_RETRY_MS = 20;

interface Marked {
  entry: InboxEntry;
  state: EntryState;
  sentIds: string[];
}

interface StreamsReply {
  name: string;
  messages: Array<{ id: string; message: Record<string, string> } | null>;
}

export class InboxReader {
  private readonly slots = new Set<string>();
  /** Bumped by every add and removal of a slot: an addSlot overtaken by a removal adds nothing. */
  private readonly generations = new Map<string, number>();
  /** addSlot calls not finished yet, by slot. */
  private readonly adding = new Map<string, Promise<void>>();
  /** The read on its way (XREADGROUP and the hand-over of what it returned), with its slots. */
  private reading: { slots: ReadonlySet<string>; done: Promise<void> } | undefined;
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
  addSlot(slot: string): Promise<void> {
    const generation = this.bump(slot);
    const adding = this.claimThenRead(slot, generation).finally(() => {
      if (this.adding.get(slot) === adding) this.adding.delete(slot);
    });
    this.adding.set(slot, adding);
    return adding;
  }

  /** Stops reading a slot (lost or released); what is pending stays for the next owner. */
  removeSlot(slot: string): void {
    this.bump(slot);
    this.slots.delete(slot);
    if (this.reading?.slots.has(slot)) void this.interrupt();
  }

  /** For a graceful release (SlotOwner's drain): stops reading the slot and waits until no read
   * of it is outstanding (what such a read took stays pending, for the next owner to claim
   * first), then for its replies in flight to settle and be acknowledged while the lease is
   * still held. */
  async drain(slot: string): Promise<void> {
    this.removeSlot(slot);
    await this.adding.get(slot)?.catch(() => undefined);
    await this.endReads((slots) => slots.has(slot));
    await Promise.allSettled([...this.inflight].filter(([, s]) => s === slot).map(([p]) => p));
  }

  /** Ends the loop, then (unless told not to) waits for the replies in flight to settle. */
  async stop(waitForReplies = true): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.endReads(() => true);
    await this.loop;
    if (waitForReplies) await Promise.allSettled([...this.inflight.keys()]);
  }

  /** Interrupts the read on its way while `which` picks its slots, until it has returned. */
  private async endReads(which: (slots: ReadonlySet<string>) => boolean): Promise<void> {
    while (this.reading && which(this.reading.slots)) {
      const { done } = this.reading;
      await this.interrupt();
      await Promise.race([done, new Promise((resolve) => setTimeout(resolve, UNBLOCK_RETRY_MS))]);
    }
  }

  private bump(slot: string): number {
    const generation = (this.generations.get(slot) ?? 0) + 1;
    this.generations.set(slot, generation);
    return generation;
  }

  private async claimThenRead(slot: string, generation: number): Promise<void> {
    const { redis, consumer } = this.opts;
    const key = inboxKey(this.opts.inbox.prefix, slot);
    try {
      await redis.xGroupCreate(key, INBOX_GROUP, '0', { MKSTREAM: true });
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('BUSYGROUP')) throw err;
    }
    let start = '0-0';
    do {
      if (this.generations.get(slot) !== generation) return;
      const r = await redis.xAutoClaim(key, INBOX_GROUP, consumer, 0, start, { COUNT: this.opts.count ?? 100 });
      const claimed = r.messages.flatMap((m) => (m ? [entryFrom(slot, m.id, m.message as Record<string, string>)] : []));
      await this.deliver(
        claimed.filter((e): e is InboxEntry => e !== undefined),
        () => this.generations.get(slot) === generation,
      );
      start = r.nextId;
    } while (start !== '0-0');
    // Given back while its backlog was being claimed: reading it now would take entries from its
    // next owner.
    if (this.generations.get(slot) !== generation) return;
    this.slots.add(slot);
    await this.interrupt();
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
    const slots = new Set(this.slots);
    let finished!: () => void;
    this.reading = { slots, done: new Promise<void>((resolve) => (finished = resolve)) };
    try {
      const streams = [...slots].map((slot) => ({ key: inboxKey(this.opts.inbox.prefix, slot), id: '>' }));
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
      // Strays are looked for in the streams that had entries, and in all of them when the
      // read came back empty (a stray may have taken a chat's last entry).
      const check = reply ? [...new Set(entries.map((e) => e.slot))] : [...slots];
      await this.deliver(entries, (slot) => this.slots.has(slot), check);
    } finally {
      this.reading = undefined;
      finished();
    }
  }

  /** Looks up every entry's markers (and, for `strayCheck`'s slots, whether another consumer
   * holds entries of them) in one round trip, then hands them over in stream order. */
  private async deliver(entries: InboxEntry[], live: (slot: string) => boolean, strayCheck: readonly string[] = []): Promise<void> {
    const { inbox, consumer } = this.opts;
    const [marked, strays] = await Promise.all([this.marked(entries), Promise.all(strayCheck.map((slot) => inbox.claimStrays(slot, consumer)))]);
    const claimed = strays.flat();
    if (claimed.length > 0) this.opts.logger.warn({ slots: [...new Set(claimed.map((e) => e.slot))], claimed: claimed.length }, 'claimed entries another consumer took while this instance owned their slot');
    const all = claimed.length === 0 ? marked : [...marked, ...(await this.marked(claimed))].sort((a, b) => compareEntryIds(a.entry.id, b.entry.id));
    for (const m of all) if (live(m.entry.slot)) this.handOver(m);
  }

  private async marked(entries: InboxEntry[]): Promise<Marked[]> {
    const { inbox } = this.opts;
    const states = await Promise.all(entries.map((e) => inbox.state(e.ref)));
    const sent = await Promise.all(entries.map((e, i) => (states[i] === 'started' ? inbox.sentIds(e.ref) : Promise.resolve([]))));
    return entries.map((entry, i) => ({ entry, state: states[i] ?? 'new', sentIds: sent[i] ?? [] }));
  }

  private handOver({ entry, state, sentIds }: Marked): void {
    let work: Promise<void>;
    try {
      work = state === 'done' ? Promise.resolve() : runAsEntry({ ref: entry.ref, channel: entry.channel, state }, () => this.opts.onEntry(entry, { state, sentIds }));
    } catch (err) {
      // A throw before the first await must not cost the entries after it their turn.
      work = Promise.reject(err);
    }
    const settled = work
      .then(() => this.opts.inbox.settle(this.opts.fence(entry.slot), entry))
      .catch((err: unknown) => this.opts.logger.warn({ err, slot: entry.slot, ref: entry.ref }, 'inbox entry left pending for redelivery'))
      .finally(() => this.inflight.delete(settled));
    this.inflight.set(settled, entry.slot);
  }
}
