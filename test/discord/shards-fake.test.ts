// The fake gateway's sharding checked against the real discord.js client: one client per shard,
// as each parley instance runs it, so the two-process e2e rests on Discord's own routing rules.
import { Client, Events, GatewayIntentBits, Partials, type Message } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shardOf, startFakeDiscord, type FakeDiscord } from '../fakes/discord/server.js';

const INTENTS = [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent, GatewayIntentBits.DirectMessages];

async function shardClient(discord: FakeDiscord, shard: number): Promise<Client> {
  const client = new Client({ intents: INTENTS, partials: [Partials.Channel], shards: [shard], shardCount: 2, rest: { api: discord.apiUrl, version: '10' } });
  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  await client.login(discord.token);
  await ready;
  return client;
}

describe('fake discord with 2 shards', () => {
  let discord: FakeDiscord;
  const clients: Client[] = [];
  const seen: { shard: number; message: Message }[] = [];

  beforeAll(async () => {
    discord = await startFakeDiscord({ shards: 2, identifyIntervalMs: 60_000 });
    for (const k of [0, 1]) {
      const client = await shardClient(discord, k);
      client.on(Events.MessageCreate, (message) => seen.push({ shard: k, message }));
      clients.push(client);
    }
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.destroy()));
    await discord?.close();
  });

  it('recommends 2 shards and gives each a guild on it by the formula', async () => {
    const res = await fetch(`${discord.apiUrl}/v10/gateway/bot`, { headers: { authorization: `Bot ${discord.token}` } });
    expect(((await res.json()) as { shards: number }).shards).toBe(2);
    const [g0, g1] = discord.ids.shardGuilds;
    expect([shardOf(g0!.guild, 2), shardOf(g1!.guild, 2)]).toEqual([0, 1]);
    expect([...clients[0]!.guilds.cache.keys()]).toEqual([g0!.guild]);
    expect([...clients[1]!.guilds.cache.keys()]).toEqual([g1!.guild]);
    expect(discord.gateway.identifies.map((i) => i.shard)).toEqual([0, 1]);
  });

  it('routes a guild message to its shard only and DMs to shard 0', async () => {
    const before = seen.length;
    const inGuild1 = discord.sendMessage({ content: 'for shard one', channelId: discord.ids.shardGuilds[1]!.channel });
    const inGuild0 = discord.sendMessage({ content: 'for shard zero' });
    const dm = discord.sendMessage({ content: 'private', dm: true });
    await discord.waitFor(() => seen.length >= before + 3, 'three deliveries');
    const where = Object.fromEntries(seen.slice(before).map((s) => [s.message.id, s.shard]));
    expect(where).toEqual({ [inGuild1]: 1, [inGuild0]: 0, [dm]: 0 });
  });

  it('counts identifies inside the identify window, and a second session on a live shard', async () => {
    // Both clients identified back to back: the window (60 s here) was not respected.
    expect(discord.gateway.identifiesTooSoon).toBe(1);
    expect(discord.gateway.shardOverlaps).toBe(0);
    const twin = await shardClient(discord, 1);
    try {
      expect(discord.gateway.shardOverlaps).toBe(1);
      // Like Discord, both sessions of the shard get its events.
      const both = Promise.all([clients[1]!, twin].map((c) => new Promise((resolve) => c.once(Events.MessageCreate, resolve))));
      discord.sendMessage({ content: 'twice', channelId: discord.ids.shardGuilds[1]!.channel });
      await both;
    } finally {
      await twin.destroy();
    }
  });

  it('refuses an IDENTIFY with the wrong shard count (4010)', async () => {
    const closed = new Promise<{ code: number }>((resolve) => discord.events.once('close', resolve));
    const wrong = new Client({ intents: INTENTS, shards: [0], shardCount: 3, rest: { api: discord.apiUrl, version: '10' } });
    wrong.on(Events.Error, () => undefined);
    const login = wrong.login(discord.token).catch((err: unknown) => err);
    expect((await closed).code).toBe(4010);
    await wrong.destroy();
    await login;
  });
});
