/**
 * A fake Discord (gateway + REST) on 127.0.0.1 for the real discord.js client.
 *
 *   const discord = await startFakeDiscord();
 *   const client = new Client({ intents, rest: { api: discord.apiUrl, version: '10' } });
 *   await client.login(discord.token);            // GET /gateway/bot → ws → READY, GUILD_CREATE
 *   const id = discord.sendMessage({ content: 'hi', mentionBot: true });   // MESSAGE_CREATE
 *   await discord.waitFor(() => discord.state.botMessagesIn(discord.ids.channel).length > 0);
 *   discord.sendCommand('image', [{ name: 'prompt', type: 3, value: 'a cat' }]);
 *   discord.dropConnection();                     // close 4000: the client RESUMEs
 *   discord.dropConnection(4004);                 // token reset: the client gives up
 *   discord.expireInteraction(id);                // past the 3 s callback deadline
 *   startFakeDiscord({ identifyCloseCode: 4014 }) // Message Content Intent not enabled
 *   startFakeDiscord({ shards: 2 })               // guild k on shard k: ids.shardGuilds[k]
 *   await discord.close();
 *
 * One guild with a text channel (`ids.channel`), a second text channel (`ids.otherChannel`)
 * and a thread in the first (`ids.thread`); users `alice` and `bob`; DMs on `ids.dmChannel`.
 * `state` holds what the bot wrote (every version of every message), interactions, commands
 * and the request log (`state.rateLimitHits` counts 429s). Limits are Discord's by default and
 * tunable for fast tests. With `shards: n`, GET /gateway/bot recommends n shards and every shard
 * k has a guild of its own (`ids.shardGuilds[k]`, shard 0's being `ids.guild`); events go to the
 * shard Discord's formula names, DMs to shard 0.
 */
import { EventEmitter } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeGateway, GATEWAY_PATH } from './gateway.js';
import {
  CHANNEL_TYPE,
  guildCreatePayload,
  INTERACTION_TYPE,
  interactionPayload,
  messagePayload,
  textChannelPayload,
  threadPayload,
  userPayload,
  type CommandOptionValue,
  type FakeAttachment,
  type FakeUser,
} from './payloads.js';
import { RateLimiter, type RateLimitSpec } from './ratelimit.js';
import { API_PREFIX, FakeRest } from './rest.js';
import { shardOf, snowflake, snowflakeOnShard } from './snowflake.js';
import { FakeDiscordState } from './state.js';

export { FakeDiscordState } from './state.js';
export type { StoredMessage, StoredInteraction, StoredFile, RecordedRequest } from './state.js';
export { OPTION_TYPE, IS_VOICE_MESSAGE } from './payloads.js';
export { shardOf } from './snowflake.js';

export interface FakeDiscordOptions {
  token?: string;
  heartbeatIntervalMs?: number;
  /** Per-channel message writes (default Discord's 5 per 5 s). */
  channelRateLimit?: RateLimitSpec;
  /** Send x-ratelimit-* on successes too (default true, like Discord). */
  advertiseRateLimits?: boolean;
  interactionDeadlineMs?: number;
  maxContentChars?: number;
  maxUploadBytes?: number;
  /** Close every IDENTIFY with this code: 4014 = Message Content Intent not enabled, 4004 = bad token. */
  identifyCloseCode?: number;
  /** Gateway shards (default 1); each gets a guild of its own. */
  shards?: number;
  /** Count IDENTIFYs closer together than this (Discord's window is 5 s; default: not checked). */
  identifyIntervalMs?: number;
  /** Text channels in each guild (default 1 besides the first guild's extras): `shardGuilds[k].channels`. */
  channelsPerGuild?: number;
}

export interface SendMessageOptions {
  content: string;
  from?: FakeUser;
  channelId?: string;
  /** Prefix `<@bot>` and list the bot in `mentions`. */
  mentionBot?: boolean;
  /** Reply to this message (one of the bot's: it is then in `mentions`, as Discord pings it). */
  replyTo?: string;
  attachments?: FakeAttachment[];
  flags?: number;
  dm?: boolean;
}

export interface CommandOptions {
  channelId?: string;
  from?: FakeUser;
  dm?: boolean;
}

export const DEFAULT_TOKEN = 'fake-bot-token.abcdef.123456';
const DISCORD_MAX_CONTENT = 2000;
const DISCORD_MAX_UPLOAD = 10 * 1024 * 1024;
const DISCORD_INTERACTION_DEADLINE_MS = 3000;
const DISCORD_HEARTBEAT_MS = 41_250;
const DEFAULT_WAIT_MS = 5000;
const WAIT_POLL_MS = 10;

export async function startFakeDiscord(options: FakeDiscordOptions = {}) {
  const token = options.token ?? DEFAULT_TOKEN;
  const bot: FakeUser = { id: snowflake(), username: 'parley', bot: true };
  const alice: FakeUser = { id: snowflake(), username: 'alice' };
  const bob: FakeUser = { id: snowflake(), username: 'bob' };
  const shardCount = options.shards ?? 1;
  const shardGuilds = Array.from({ length: shardCount }, (_, k) => {
    const guildChannels = Array.from({ length: options.channelsPerGuild ?? 1 }, () => snowflake());
    return { guild: snowflakeOnShard(k, shardCount), channel: guildChannels[0]!, channels: guildChannels };
  });
  const ids = {
    application: bot.id,
    guild: shardGuilds[0]!.guild,
    channel: shardGuilds[0]!.channel,
    /** Guild k (with its text channel) is on shard k. */
    shardGuilds,
    otherChannel: snowflake(),
    thread: snowflake(),
    dmChannel: snowflake(),
  };
  const channels = [textChannelPayload(ids.channel, ids.guild, 'general'), textChannelPayload(ids.otherChannel, ids.guild, 'ask-the-bot')];
  const threads = [threadPayload(ids.thread, ids.guild, ids.channel, alice.id, 'a thread')];
  const guildSpecs = shardGuilds.map((g, k) => ({
    id: g.guild,
    name: k === 0 ? 'Fake Guild' : `Fake Guild ${k}`,
    ownerId: alice.id,
    channels: [...(k === 0 ? channels : [textChannelPayload(g.channel, g.guild, 'general')]), ...g.channels.slice(1).map((id, i) => textChannelPayload(id, g.guild, `room-${i + 1}`))],
    threads: k === 0 ? threads : [],
    members: [bot, alice, bob],
  }));
  const guildOfChannel = new Map(guildSpecs.flatMap((g) => [...g.channels, ...g.threads].map((c) => [String(c.id), g.id] as const)));
  const shardOfChannel = (channelId: string | undefined) => shardOf(channelId ? guildOfChannel.get(channelId) : undefined, shardCount);

  const state = new FakeDiscordState();
  const events = new EventEmitter();
  const http: Server = createServer();
  let baseUrl = '';
  const wsUrl = () => `${baseUrl.replace(/^http/, 'ws')}${GATEWAY_PATH}`;

  const gateway = new FakeGateway(
    {
      token,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? DISCORD_HEARTBEAT_MS,
      ready: (sessionId, resumeUrl, shard) => ({
        v: 10,
        user: { ...userPayload(bot), verified: true, flags: 0, mfa_enabled: false },
        guilds: guildSpecs.filter((g) => shardOf(g.id, shardCount) === shard).map((g) => ({ id: g.id, unavailable: true })),
        session_id: sessionId,
        resume_gateway_url: resumeUrl,
        application: { id: ids.application, flags: 0 },
        private_channels: [],
        presences: [],
        relationships: [],
        _trace: ['fake-discord'],
      }),
      guilds: (shard) => guildSpecs.filter((g) => shardOf(g.id, shardCount) === shard).map(guildCreatePayload),
      identifyCloseCode: options.identifyCloseCode,
      shardCount,
      identifyIntervalMs: options.identifyIntervalMs,
    },
    wsUrl,
  );
  for (const name of ['identify', 'resume', 'resumed', 'connection', 'close']) gateway.on(name, (e) => events.emit(name, e));

  const rest = new FakeRest(state, new RateLimiter(options.channelRateLimit ?? { limit: 5, windowMs: 5000 }), {
    token,
    applicationId: ids.application,
    bot,
    maxContentChars: options.maxContentChars ?? DISCORD_MAX_CONTENT,
    maxUploadBytes: options.maxUploadBytes ?? DISCORD_MAX_UPLOAD,
    interactionDeadlineMs: options.interactionDeadlineMs ?? DISCORD_INTERACTION_DEADLINE_MS,
    advertiseRateLimits: options.advertiseRateLimits ?? true,
    gatewayUrl: wsUrl,
    shards: shardCount,
  });

  http.on('request', (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    // `/i/<instance>/api/...`: the same API, with the caller named (several parley processes).
    const named = /^\/i\/([\w-]+)(\/.*)$/.exec(decodeURIComponent(url.pathname));
    const path = named?.[2] ?? decodeURIComponent(url.pathname);
    if (path.startsWith(API_PREFIX)) {
      rest.handle(req, res, path.slice(API_PREFIX.length), url.searchParams, named?.[1]).catch((err: unknown) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: String(err), code: 0 }));
      });
      return;
    }
    // User uploads, served like Discord's CDN.
    const file = /^\/attachments\/(\d+)\//.exec(path);
    const stored = file?.[1] ? state.attachments.get(file[1]) : undefined;
    if (stored) {
      res.writeHead(200, { 'content-type': stored.contentType, 'content-length': stored.bytes.byteLength });
      res.end(stored.bytes);
      return;
    }
    res.writeHead(404);
    res.end();
  });
  http.on('upgrade', (req, socket, head) => {
    if (new URL(req.url ?? '/', 'http://127.0.0.1').pathname === GATEWAY_PATH) gateway.handleUpgrade(req, socket, head);
    else socket.destroy();
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;

  const channelFor = (channelId: string | undefined, dm: boolean | undefined) => {
    if (dm) return { id: ids.dmChannel, type: CHANNEL_TYPE.DM };
    const id = channelId ?? ids.channel;
    const known = guildSpecs.flatMap((g) => [...g.channels, ...g.threads]).find((c) => c.id === id);
    return known ?? textChannelPayload(id, ids.guild, 'unknown');
  };

  return {
    token,
    baseUrl,
    /** REST base for discord.js: `rest: { api: apiUrl, version: '10' }`. */
    apiUrl: `${baseUrl}/api`,
    /** The same REST base for one of several processes: messages it creates carry `sentBy`. */
    apiUrlFor: (instance: string) => `${baseUrl}/i/${instance}/api`,
    gatewayUrl: wsUrl(),
    ids,
    users: { bot, alice, bob },
    state,
    gateway,
    /** 'identify', 'resume', 'resumed', 'connection', 'close'. */
    events,

    /** A user posts a message; returns its id. */
    sendMessage(o: SendMessageOptions): string {
      const author = o.from ?? alice;
      // A reply to the bot's message pings the bot; a reply to a user's message pings that user.
      const referenced = o.replyTo ? state.messages.get(o.replyTo) : undefined;
      const referencedUser = o.replyTo && !referenced ? state.userMessages.get(o.replyTo) : undefined;
      const mentions = o.mentionBot || referenced ? [bot] : [];
      const content = o.mentionBot ? `<@${bot.id}> ${o.content}` : o.content;
      const channelId = o.dm ? ids.dmChannel : (o.channelId ?? ids.channel);
      const payload = messagePayload({
        channelId,
        guildId: o.dm ? undefined : (guildOfChannel.get(channelId) ?? ids.guild),
        channelType: o.dm ? CHANNEL_TYPE.DM : undefined,
        author,
        content,
        mentions,
        attachments: o.attachments,
        flags: o.flags,
        referencedMessage: withoutNestedReply(referenced ? rest.toPayload(referenced) : referencedUser),
      });
      state.userMessages.set(String(payload.id), payload);
      gateway.dispatch('MESSAGE_CREATE', payload, o.dm ? 0 : shardOfChannel(channelId));
      return String(payload.id);
    },

    /** Stores a user upload served at `url`, to put in `sendMessage({ attachments })`. */
    addAttachment(bytes: Uint8Array, filename: string, contentType: string, extra: Partial<FakeAttachment> = {}): FakeAttachment {
      const id = snowflake();
      state.attachments.set(id, { filename, contentType, bytes });
      const url = `${baseUrl}/attachments/${id}/${encodeURIComponent(filename)}`;
      return { id, filename, size: bytes.byteLength, url, proxy_url: url, content_type: contentType, ...extra };
    },

    /** A user runs a slash command; returns the interaction id. */
    sendCommand(name: string, options: CommandOptionValue[] = [], o: CommandOptions = {}): string {
      return dispatchInteraction(INTERACTION_TYPE.ApplicationCommand, name, options, o);
    },

    /** A user types into an autocomplete option (mark it `focused: true`). */
    sendAutocomplete(name: string, options: CommandOptionValue[], o: CommandOptions = {}): string {
      return dispatchInteraction(INTERACTION_TYPE.Autocomplete, name, options, o);
    },

    /** Moves an interaction past Discord's callback deadline, so tests need not wait it out. */
    expireInteraction(id: string): void {
      const interaction = state.interactions.get(id);
      if (!interaction) throw new Error(`fake discord: no interaction ${id}`);
      interaction.createdAt -= (options.interactionDeadlineMs ?? DISCORD_INTERACTION_DEADLINE_MS) + 1;
    },

    /** Closes the bot's gateway sockets, or one shard's (4000 = resumable, like a Discord hiccup; 4004 = token reset). */
    dropConnection(code = 4000, shard?: number): void {
      gateway.dropConnection(code, shard);
    },

    /** Resolves once `check` holds (polled), or rejects naming `what` after `timeoutMs`. */
    async waitFor<T>(check: () => T | undefined | false | null, what = 'condition', timeoutMs = DEFAULT_WAIT_MS): Promise<T> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const value = check();
        if (value) return value;
        if (Date.now() > deadline) throw new Error(`fake discord: timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, WAIT_POLL_MS));
      }
    },

    async close(): Promise<void> {
      await gateway.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };

  function dispatchInteraction(type: number, name: string, options: CommandOptionValue[], o: CommandOptions): string {
    const user = o.from ?? alice;
    const id = snowflake();
    const interactionToken = `itoken-${id}`;
    const channel = channelFor(o.channelId, o.dm);
    const guildId = o.dm ? undefined : (guildOfChannel.get(String(channel.id)) ?? ids.guild);
    const command = [...state.globalCommands, ...(state.guildCommands.get(guildId ?? ids.guild) ?? [])].find((c) => c.name === name);
    state.interactions.set(id, { id, token: interactionToken, channelId: channel.id, createdAt: Date.now() });
    gateway.dispatch(
      'INTERACTION_CREATE',
      interactionPayload({
        id,
        token: interactionToken,
        applicationId: ids.application,
        type,
        commandId: command?.id ?? snowflake(),
        commandName: name,
        options,
        guildId,
        channel,
        user,
      }),
      shardOf(guildId, shardCount),
    );
    return id;
  }
}

/**
 * Discord nests one level only: a referenced_message carries its message_reference but not its
 * own referenced_message, so a client follows longer chains with GET /channels/:c/messages/:m.
 */
function withoutNestedReply(payload: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!payload) return undefined;
  const { referenced_message: _nested, ...rest } = payload;
  return rest;
}

export type FakeDiscord = Awaited<ReturnType<typeof startFakeDiscord>>;
