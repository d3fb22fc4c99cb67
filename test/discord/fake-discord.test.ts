// The fake Discord checked against the real discord.js client: if these pass, the adapter's
// e2e tests exercise the same wire protocol a real Discord would.
import { AttachmentBuilder, Client, Events, GatewayIntentBits, Partials, RESTEvents, type Message } from 'discord.js';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord/server.js';

const INTENTS = [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent, GatewayIntentBits.DirectMessages];

async function loginClient(discord: FakeDiscord): Promise<Client> {
  const client = new Client({ intents: INTENTS, partials: [Partials.Channel], rest: { api: discord.apiUrl, version: '10' } });
  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  await client.login(discord.token);
  await ready;
  return client;
}

function nextMessage(client: Client): Promise<Message> {
  return new Promise((resolve) => client.once(Events.MessageCreate, resolve));
}

describe('fake discord vs discord.js', () => {
  let discord: FakeDiscord;
  let client: Client;

  beforeAll(async () => {
    discord = await startFakeDiscord({ heartbeatIntervalMs: 200, interactionDeadlineMs: 3000 });
    client = await loginClient(discord);
  });
  afterAll(async () => {
    await client?.destroy();
    await discord?.close();
  });

  it('logs in: gateway discovery, IDENTIFY with our intents, READY and GUILD_CREATE', () => {
    expect(client.user?.id).toBe(discord.users.bot.id);
    expect(client.application?.id).toBe(discord.ids.application);
    const guild = client.guilds.cache.get(discord.ids.guild);
    expect(guild?.channels.cache.has(discord.ids.channel)).toBe(true);
    expect(guild?.channels.cache.has(discord.ids.thread)).toBe(true);
    expect(discord.gateway.lastIntents).toBe(INTENTS.reduce((a, b) => a | b, 0));
  });

  it('answers heartbeats', async () => {
    // The client's side of the exchange: its ping is -1 until it has read an ACK, which can come
    // a while after the fake counted the heartbeat on a loaded machine.
    await vi.waitFor(() => expect(client.ws.ping).toBeGreaterThanOrEqual(0), { timeout: 5000, interval: 10 });
    expect(discord.gateway.heartbeatCount).toBeGreaterThan(0);
  });

  it('delivers MESSAGE_CREATE to a listener, in guild channels, threads and DMs', async () => {
    let got = nextMessage(client);
    discord.sendMessage({ content: 'hello', mentionBot: true });
    let message = await got;
    expect(message.content).toBe(`<@${discord.users.bot.id}> hello`);
    expect(message.mentions.users.has(discord.users.bot.id)).toBe(true);
    expect(message.guildId).toBe(discord.ids.guild);

    got = nextMessage(client);
    discord.sendMessage({ content: 'in a thread', channelId: discord.ids.thread });
    message = await got;
    expect(message.channel.isThread()).toBe(true);

    got = nextMessage(client);
    discord.sendMessage({ content: 'private', dm: true });
    message = await got;
    expect(message.guildId).toBeNull();
    expect(message.channel.isDMBased()).toBe(true);
  });

  it('reply, edit and typing routes store what a user would see', async () => {
    const got = nextMessage(client);
    const userMessageId = discord.sendMessage({ content: 'question' });
    const message = await got;
    if (message.channel.isSendable()) await message.channel.sendTyping();
    const reply = await message.reply({ content: 'first', allowedMentions: { parse: [], repliedUser: false } });
    await reply.edit({ content: 'first words, then more' });

    const stored = discord.state.messages.get(reply.id);
    expect(stored?.replyTo).toBe(userMessageId);
    expect(stored?.versions).toEqual(['first', 'first words, then more']);
    expect(stored?.allowedMentions[0]).toEqual({ parse: [], replied_user: false });
    expect(discord.state.typingCount).toBeGreaterThan(0);
  });

  it('rejects what Discord rejects: over 2,000 characters, empty messages', async () => {
    const channel = client.channels.cache.get(discord.ids.otherChannel);
    if (!channel?.isSendable()) throw new Error('channel not sendable');
    await expect(channel.send('x'.repeat(2001))).rejects.toMatchObject({ code: 50035, status: 400 });
    await expect(channel.send({ content: '' , files: [] })).rejects.toThrow();
    const ok = await channel.send('x'.repeat(2000));
    expect(discord.state.messages.get(ok.id)?.content).toHaveLength(2000);
  });

  it('takes multipart uploads', async () => {
    const channel = client.channels.cache.get(discord.ids.otherChannel);
    if (!channel?.isSendable()) throw new Error('channel not sendable');
    const bytes = Buffer.from([1, 2, 3, 4, 5]);
    const sent = await channel.send({ content: 'a file', files: [new AttachmentBuilder(bytes, { name: 'speech.mp3' })] });
    const stored = discord.state.messages.get(sent.id);
    expect(stored?.files[0]?.filename).toBe('speech.mp3');
    expect(Buffer.from(stored!.files[0]!.bytes)).toEqual(bytes);
  });

  it('registers and lists commands', async () => {
    await client.application!.commands.set([{ name: 'help', description: 'How to use the bot' }], discord.ids.guild);
    const listed = await client.application!.commands.fetch({ guildId: discord.ids.guild });
    expect([...listed.values()].map((c) => c.name)).toEqual(['help']);
    expect(discord.state.commandPuts).toEqual([discord.ids.guild]);
  });

  it('interactions: deferReply, editReply, followUp; a second callback is refused', async () => {
    const got = new Promise<import('discord.js').ChatInputCommandInteraction>((resolve) =>
      client.once(Events.InteractionCreate, (i) => {
        if (i.isChatInputCommand()) resolve(i);
      }),
    );
    const id = discord.sendCommand('help');
    const interaction = await got;
    expect(interaction.commandName).toBe('help');
    await interaction.deferReply();
    await interaction.editReply({ content: 'part one' });
    const follow = await interaction.followUp({ content: 'part two' });
    await expect(interaction.reply('again')).rejects.toThrow();

    const stored = discord.state.interactions.get(id)!;
    expect(stored.callbackType).toBe(5);
    expect(discord.state.messages.get(stored.originalMessageId!)?.versions).toEqual(['', 'part one']);
    expect(discord.state.messages.get(follow.id)?.content).toBe('part two');
  });

  it('autocomplete callbacks carry choices', async () => {
    client.once(Events.InteractionCreate, (i) => {
      if (i.isAutocomplete()) void i.respond([{ name: 'gpt-4o', value: 'gpt-4o' }]);
    });
    const id = discord.sendAutocomplete('model', [{ name: 'name', type: 3, value: 'gp', focused: true }]);
    const stored = await discord.waitFor(() => discord.state.interactions.get(id)?.choices, 'choices');
    expect(stored).toEqual([{ name: 'gpt-4o', value: 'gpt-4o' }]);
  });

  it('resumes after the gateway drops, replaying what was dispatched meanwhile', async () => {
    const resumed = new Promise((resolve) => discord.events.once('resumed', resolve));
    discord.dropConnection();
    // Dispatched while the bot is away: kept and replayed on RESUME.
    const got = nextMessage(client);
    discord.sendMessage({ content: 'while you were away' });
    await resumed;
    expect((await got).content).toBe('while you were away');
    expect(discord.gateway.resumeCount).toBe(1);
    expect(discord.gateway.identifyCount).toBe(1);
  });
});

describe('fake discord rate limits', () => {
  let discord: FakeDiscord;
  let client: Client;

  afterEach(async () => {
    await client?.destroy();
    await discord?.close();
  });

  it('answers 429 with the real headers and discord.js retries after retry-after', async () => {
    // No advertised limits: discord.js cannot pace itself, so the third send hits the limit.
    discord = await startFakeDiscord({ channelRateLimit: { limit: 2, windowMs: 300 }, advertiseRateLimits: false });
    client = await loginClient(discord);
    const limited: unknown[] = [];
    client.rest.on(RESTEvents.RateLimited, (info) => limited.push(info));
    const channel = client.channels.cache.get(discord.ids.channel);
    if (!channel?.isSendable()) throw new Error('channel not sendable');

    const sent = await Promise.all(['one', 'two', 'three'].map((t) => channel.send(t)));

    expect(sent.map((m) => discord.state.messages.get(m.id)?.content)).toEqual(['one', 'two', 'three']);
    expect(discord.state.rateLimitHits).toBe(1);
    const hit = discord.state.requests.find((r) => r.status === 429)!;
    expect(hit.headers).toMatchObject({ 'retry-after': '1', 'x-ratelimit-limit': '2', 'x-ratelimit-remaining': '0', 'x-ratelimit-scope': 'user' });
    expect(hit.headers['x-ratelimit-bucket']).toMatch(/^[0-9a-f]{32}$/);
    expect(limited.length).toBeGreaterThan(0);
  });

  it('with advertised limits discord.js queues itself and causes no 429', async () => {
    discord = await startFakeDiscord({ channelRateLimit: { limit: 2, windowMs: 300 } });
    client = await loginClient(discord);
    const channel = client.channels.cache.get(discord.ids.channel);
    if (!channel?.isSendable()) throw new Error('channel not sendable');
    // Sequential: the first response teaches discord.js the bucket.
    for (const t of ['a', 'b', 'c', 'd']) await channel.send(t);
    expect(discord.state.rateLimitHits).toBe(0);
    expect(discord.state.botMessagesIn(discord.ids.channel).map((m) => m.content)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('refuses an interaction callback after the 3-second deadline', async () => {
    discord = await startFakeDiscord();
    client = await loginClient(discord);
    const got = new Promise<import('discord.js').ChatInputCommandInteraction>((resolve) =>
      client.once(Events.InteractionCreate, (i) => {
        if (i.isChatInputCommand()) resolve(i);
      }),
    );
    const id = discord.sendCommand('chat', [{ name: 'prompt', type: 3, value: 'hi' }]);
    const interaction = await got;
    discord.expireInteraction(id);
    await expect(interaction.deferReply()).rejects.toMatchObject({ code: 10062 });
    expect(discord.state.interactions.get(id)?.rejected).toBe('deadline passed');
  });
});
