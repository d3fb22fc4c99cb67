// Bench section `redis`: what Redis adds to one message in a multi-instance deployment
// (issue 11, goal <= 5 ms p99). Every Redis round trip a Telegram message costs, in order:
// dedupe + XADD at ingest, XREADGROUP by the owner, the marker lookup, the history read, the
// fenced question write, the fenced answer write, the fenced XACK + done. Against a local
// redis-server started for the run. Numbers, not assertions.
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { runAsEntry } from '../src/scale/entry-context.js';
import { Inbox, INBOX_GROUP, inboxKey, type InboxEntry } from '../src/scale/inbox.js';
import { Lease } from '../src/scale/lease.js';
import { connectRedis, type RedisClient } from '../src/scale/redis.js';
import { RedisStore } from '../src/store/redis.js';
import { createLogger } from '../src/log.js';
import { startRedis } from '../test/helpers/redis.js';

const SEQUENTIAL_MESSAGES = 2_000;
const CONCURRENT_CHATS = 100;
const MESSAGES_PER_CHAT = 20;
/** Arrivals per second for the steady-load row: far above what two instances on two cores
 * answer (replies take seconds of streaming), far below what one Redis connection carries. */
const STEADY_RATE = 200;
const STEADY_SECONDS = 5;
const PARTITIONS = 64;
const HISTORY_TURNS = 40;
const quiet = createLogger('silent');

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
};

interface Rig {
  inbox: Inbox;
  store: RedisStore;
  reader: RedisClient;
  leases: Map<string, Lease>;
}

async function rig(url: string): Promise<Rig> {
  const redis = await connectRedis(url, quiet);
  const reader = await connectRedis(url, quiet);
  const prefix = 'bench:';
  const slots = Array.from({ length: PARTITIONS }, (_, i) => `tg:${i}`);
  const leases = new Map((await Lease.acquireMany(slots, PARTITIONS, { redis, prefix, owner: 'bench', leaseMs: 60_000, logger: quiet })).map((l) => [l.slot, l]));
  for (const slot of slots) await redis.xGroupCreate(inboxKey(prefix, slot), INBOX_GROUP, '0', { MKSTREAM: true });
  const slotOf = (chat: number) => `tg:${chat % PARTITIONS}`;
  const store = new RedisStore(redis, { prefix, fenceOf: (channel) => leases.get(slotOf(Number(channel.split(':')[1])))?.fence });
  return { inbox: new Inbox(redis, prefix), store, reader, leases };
}

/** Microseconds Redis spent executing commands, from INFO commandstats. */
function commandMicros(info: string): number {
  let total = 0;
  for (const m of info.matchAll(/^cmdstat_[^:]+:calls=\d+,usec=(\d+)/gm)) total += Number(m[1]);
  return total;
}

let updateId = 0;

/** One message through every Redis step it costs; returns the time spent in Redis (ms). */
async function oneMessage(r: Rig, chat: number): Promise<number> {
  const slot = `tg:${chat % PARTITIONS}`;
  const channel = `telegram:${chat}`;
  const id = ++updateId;
  const ref = `tg:${id}`;
  const t0 = performance.now();
  await r.inbox.add(slot, { ref, kind: 'message', channel, payload: JSON.stringify({ text: `question ${id}` }) }, `tg:upd:${id}`);
  // One consumer per chat here (the bench plays every owner), so its read sees its own entry.
  const read = (await r.reader.xReadGroup(INBOX_GROUP, `c${chat}`, { key: inboxKey('bench:', slot), id: '>' }, { COUNT: 1 })) as Array<{
    messages: Array<{ id: string }>;
  }> | null;
  const entryId = read?.[0]?.messages[0]?.id ?? '0-0';
  const state = await r.inbox.state(ref);
  await runAsEntry({ ref, channel, state: state === 'done' ? 'new' : state }, async () => {
    await r.store.load(channel);
    await r.store.append(channel, [{ role: 'user', content: `question ${id}`, at: Date.now() }], HISTORY_TURNS);
    await r.store.append(channel, [{ role: 'assistant', content: 'an answer of a few sentences '.repeat(8), at: Date.now() }], HISTORY_TURNS);
  });
  const entry: InboxEntry = { slot, id: entryId, ref, kind: 'message', channel, payload: '' };
  await r.inbox.settle(r.leases.get(slot)!.fence, entry);
  return performance.now() - t0;
}

export async function redisOverhead(): Promise<void> {
  const server = await startRedis();
  try {
    const r = await rig(server.url);
    // Chats that only ever get one message at a time each: the partition streams still interleave.
    for (let i = 0; i < 200; i++) await oneMessage(r, i % CONCURRENT_CHATS);
    await r.reader.configResetStat();
    const sequential: number[] = [];
    for (let i = 0; i < SEQUENTIAL_MESSAGES; i++) sequential.push(await oneMessage(r, i % CONCURRENT_CHATS));
    const serverUs = commandMicros(await r.reader.info('commandstats')) / SEQUENTIAL_MESSAGES;
    // Steady load: messages arrive at STEADY_RATE over CONCURRENT_CHATS chats, each chat's in order.
    const steady: number[] = [];
    const chains = new Map<number, Promise<void>>();
    for (let i = 0; i < STEADY_RATE * STEADY_SECONDS; i++) {
      const chat = i % CONCURRENT_CHATS;
      chains.set(chat, (chains.get(chat) ?? Promise.resolve()).then(async () => void steady.push(await oneMessage(r, chat))));
      await new Promise((resolve) => setTimeout(resolve, 1000 / STEADY_RATE));
    }
    await Promise.all(chains.values());
    // Saturation: every chat sends its next message as soon as the last is through.
    const loaded: number[] = [];
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENT_CHATS }, async (_, chat) => {
        for (let k = 0; k < MESSAGES_PER_CHAT; k++) loaded.push(await oneMessage(r, chat));
      }),
    );
    const wall = performance.now() - t0;
    const fmt = (n: number) => n.toFixed(2);
    console.log(`\n== redis overhead per message (7 round trips: dedupe+XADD, XREADGROUP, markers, history read, question, answer, XACK+done; local redis-server; load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores)`);
    console.log(`one at a time:        p50 ${fmt(pct(sequential, 50))} ms   p99 ${fmt(pct(sequential, 99))} ms   (${SEQUENTIAL_MESSAGES} messages; goal <= 5 ms p99); Redis's own work ${serverUs.toFixed(0)} us per message`);
    console.log(`${STEADY_RATE} messages/s:     p50 ${fmt(pct(steady, 50))} ms   p99 ${fmt(pct(steady, 99))} ms   (${steady.length} messages over ${CONCURRENT_CHATS} chats)`);
    console.log(`saturated (${CONCURRENT_CHATS} chats): ${Math.round((loaded.length * 1000) / wall)} messages/s through one connection (p50 ${fmt(pct(loaded, 50))} ms, mostly queueing)`);
    for (const l of r.leases.values()) l.abandon();
  } finally {
    await server.stop();
  }
}
