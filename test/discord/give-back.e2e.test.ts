// A Discord shard given back gracefully (HISTORY_STORE=redis, the shard's lease released) without
// a process shutdown: the dispatcher drains the shard's channels, so the answer in flight is
// finished before the shard's client logs out. The adapter keeps no in-flight set of its own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDiscordAdapter } from '../../adapters/discord/index.js';
import { createCore } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord/server.js';
import { startFakeUpstream, type FakeUpstream } from '../fakes/upstream/server.js';
import { testEnv } from '../helpers/env.js';
import { useRedis } from '../helpers/redis.js';

describe('Discord shard given back', () => {
  const redis = useRedis();
  let upstream: FakeUpstream;
  let discord: FakeDiscord;

  beforeAll(async () => {
    upstream = await startFakeUpstream();
    discord = await startFakeDiscord();
  });

  afterAll(async () => {
    await discord?.close();
    await upstream?.close();
  });

  it('lets the answer in flight on its channels finish, then logs out', async () => {
    const env = {
      DISCORD_TOKEN: discord.token,
      DISCORD_API_URL: discord.apiUrl,
      DISCORD_GUILD_ID: discord.ids.guild,
      DISCORD_EDIT_INTERVAL_MS: '200',
      HISTORY_STORE: 'redis',
      REDIS_URL: redis().url,
      PARLEY_INSTANCE_ID: 'a',
      PARLEY_LEASE_MS: '1500',
    };
    const core = await createCore(loadConfig(testEnv(upstream, env)));
    const adapter = createDiscordAdapter(core);
    try {
      await adapter.start();
      const text = Array.from({ length: 20 }, (_, i) => `w${i}`).join(' ');
      upstream.setReply(text);
      upstream.setChunking({ tokensPerChunk: 1, chunkDelayMs: 40 });
      const id = discord.sendMessage({ content: 'long one', mentionBot: true });
      await discord.waitFor(() => discord.state.botMessagesIn(discord.ids.channel).find((m) => m.replyTo === id), 'the first words');

      // The shard is released (no core.manager.shutdown): only the drain keeps the answer alive.
      await adapter.stop();

      const reply = discord.state.botMessagesIn(discord.ids.channel).find((m) => m.replyTo === id)!;
      expect(reply.content).toBe(text);
      expect(discord.gateway.connected).toBe(false);
    } finally {
      await core.manager.shutdown();
      await core.close();
    }
  });
});
