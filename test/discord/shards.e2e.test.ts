// Discord on two parley processes sharing one Redis (issue 11): the fake gateway serves 2 shards,
// each process runs a discord.js client only for the shard it holds. Every guild and DM is
// answered by exactly one process (its shard's holder), `stop` reaches the process writing the
// reply, and after a kill -9 the survivor takes the shard over within 1.5 × lease and answers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IDENTIFY_WINDOW_MS } from '../../adapters/discord/shards.js';
import type { RedisClient } from '../../src/scale/redis.js';
import { startFakeDiscord, type FakeDiscord, type StoredMessage } from '../fakes/discord/server.js';
import { startFakeUpstream, type FakeUpstream } from '../fakes/upstream/server.js';
import { killHard, logLines, startInstance, until, type Instance } from '../helpers/instances.js';
import { useRedis } from '../helpers/redis.js';

const LEASE_MS = 1500;
const PREFIX = 'parley:';
/** Two shard IDENTIFYs are 5 s apart, and one shard may move once while both instances join. */
const SETTLE_MS = 40_000;

describe('discord: 2 shards on 2 processes', () => {
  const redis = useRedis();
  let upstream: FakeUpstream;
  let discord: FakeDiscord;
  let admin: RedisClient;
  const instances: Instance[] = [];

  const ownerOf = async (shard: number) => (await admin.get(`${PREFIX}lease:dc:${shard}`))?.split('/')[0];
  const instance = (id: string | undefined) => instances.find((i) => i.id === id)!;
  const repliesTo = (id: string): StoredMessage[] => [...discord.state.messages.values()].filter((m) => m.replyTo === id && !m.deleted);
  const finalReply = (id: string, text: string, what: string) =>
    discord.waitFor(() => repliesTo(id).find((m) => m.content === `You said: ${text}`), what, SETTLE_MS);

  beforeAll(async () => {
    admin = await redis().client();
    upstream = await startFakeUpstream();
    // Under the real window by the jitter of a busy machine (the key is taken before IDENTIFY is
    // sent): unpaced IDENTIFYs land milliseconds apart and are counted.
    discord = await startFakeDiscord({ shards: 2, identifyIntervalMs: IDENTIFY_WINDOW_MS - 1000 });
    for (const id of ['a', 'b']) {
      instances.push(
        startInstance(id, {
          upstream,
          redisUrl: redis().url,
          leaseMs: LEASE_MS,
          env: { DISCORD_TOKEN: discord.token, DISCORD_API_URL: discord.apiUrlFor(id), DISCORD_GUILD_ID: discord.ids.guild },
        }),
      );
    }
    await Promise.all(instances.map((i) => i.main.waitForLog('"platform":"discord"', 'surface started')));
    // Settled: each process holds one shard and its client is connected.
    await until(
      async () => {
        const owners = await Promise.all([ownerOf(0), ownerOf(1)]);
        return owners[0] && owners[1] && owners[0] !== owners[1] && discord.gateway.isConnected(0) && discord.gateway.isConnected(1);
      },
      'one shard per process',
      SETTLE_MS,
    );
  }, SETTLE_MS + 20_000);

  afterAll(async () => {
    await Promise.all(instances.map((i) => i.main.dispose()));
    await discord?.close();
    await upstream?.close();
  });

  it('answers every guild and DM from exactly one process: the holder of its shard', async () => {
    const [g0, g1] = discord.ids.shardGuilds;
    const asked = [
      { shard: 0, id: discord.sendMessage({ content: 'guild zero', mentionBot: true, channelId: g0!.channel }), text: 'guild zero' },
      { shard: 1, id: discord.sendMessage({ content: 'guild one', mentionBot: true, channelId: g1!.channel }), text: 'guild one' },
      { shard: 0, id: discord.sendMessage({ content: 'a dm', dm: true }), text: 'a dm' },
    ];
    for (const q of asked) {
      const reply = await finalReply(q.id, q.text, `the answer to "${q.text}"`);
      expect(reply.sentBy).toBe(await ownerOf(q.shard));
      expect(repliesTo(q.id)).toHaveLength(1);
    }
    expect(discord.gateway.shardOverlaps).toBe(0);
    expect(discord.gateway.identifiesTooSoon).toBe(0);
  });

  it('/stop reaches the process writing the reply and ends it there', async () => {
    const channelId = discord.ids.shardGuilds[1]!.channel;
    const owner = instance(await ownerOf(1));
    upstream.setReply(Array.from({ length: 400 }, (_, i) => `w${i}`).join(' '));
    upstream.setChunking({ tokensPerChunk: 1, chunkDelayMs: 20 });
    try {
      const id = discord.sendMessage({ content: 'talk a lot', mentionBot: true, channelId });
      await discord.waitFor(() => repliesTo(id).length > 0, 'the first words', SETTLE_MS);
      discord.sendCommand('stop', [], { channelId });
      const stopped = await discord.waitFor(() => repliesTo(id).find((m) => m.content.endsWith('(stopped)')), 'the stopped answer', SETTLE_MS);
      expect(stopped.sentBy).toBe(owner.id);
      await owner.main.waitForLog('reply done', '"aborted":true');
    } finally {
      upstream.reset();
    }
  });

  it('after a kill -9 the survivor takes the shard over within 1.5 × lease and answers', async () => {
    const victim = instance(await ownerOf(1));
    const survivor = instances.find((i) => i !== victim)!;
    // Start from a closed identify window, so the takeover measures the lease, not the pacing.
    await until(async () => (await admin.exists(`${PREFIX}dc:identify`)) === 0, 'the identify window to pass', IDENTIFY_WINDOW_MS + 1000);
    const identified = discord.gateway.identifies.length;
    const killedAt = await killHard(victim);
    const identify = await discord.waitFor(() => discord.gateway.identifies.slice(identified).find((i) => i.shard === 1), 'shard 1 identified again', SETTLE_MS);
    // The takeover is the lease changing hands; the new IDENTIFY follows it by one connection.
    // (It may have held dc:1 for a moment at start-up, before the shards were spread.)
    const [gained] = logLines(survivor, 'slot gained', '"slot":"dc:1"').filter((l) => Number(l.time) >= killedAt);
    const takeoverMs = Number(gained!.time) - killedAt;
    expect(takeoverMs).toBeLessThanOrEqual(1.5 * LEASE_MS);
    expect(identify.at).toBeGreaterThanOrEqual(Number(gained!.time));
    expect(await ownerOf(1)).toBe(survivor.id);
    await survivor.main.waitForLog('discord shard running', '"shard":1');

    const id = discord.sendMessage({ content: 'still there?', mentionBot: true, channelId: discord.ids.shardGuilds[1]!.channel });
    const reply = await finalReply(id, 'still there?', 'the survivor answering shard 1');
    expect(reply.sentBy).toBe(survivor.id);
    expect(discord.gateway.shardOverlaps).toBe(0);
    expect(discord.gateway.identifiesTooSoon).toBe(0);
    expect(logLines(survivor, 'lease lost')).toEqual([]);
    console.log(`discord shard after kill -9: slot taken over in ${takeoverMs} ms, identified in ${identify.at - killedAt} ms (lease ${LEASE_MS} ms)`);
  });
});
