// A Discord shard given back gracefully (HISTORY_STORE=redis, the shard's lease released) without
// a process shutdown: the dispatcher drains the shard's channels, so the answer in flight is
// finished before the shard's client logs out. The adapter keeps no in-flight set of its own.
import { describe, expect, it } from 'vitest';
import { useRedis } from '../helpers/redis.js';
import { startDiscord } from './harness.js';

describe('Discord shard given back', () => {
  const redis = useRedis();

  it('lets the answer in flight on its channels finish, then logs out', async () => {
    const h = await startDiscord({
      env: { DISCORD_EDIT_INTERVAL_MS: '200', HISTORY_STORE: 'redis', REDIS_URL: redis().url, PARLEY_INSTANCE_ID: 'a', PARLEY_LEASE_MS: '1500' },
    });
    const { upstream, discord } = h;
    try {
      const text = Array.from({ length: 20 }, (_, i) => `w${i}`).join(' ');
      upstream.setReply(text);
      upstream.setChunking({ tokensPerChunk: 1, chunkDelayMs: 40 });
      const id = discord.sendMessage({ content: 'long one', mentionBot: true });
      await discord.waitFor(() => discord.state.botMessagesIn(discord.ids.channel).find((m) => m.replyTo === id), 'the first words');

      // The shard is released (no core.manager.shutdown): only the drain keeps the answer alive.
      await h.stopAdapter();

      const reply = discord.state.botMessagesIn(discord.ids.channel).find((m) => m.replyTo === id)!;
      expect(reply.content).toBe(text);
      expect(discord.gateway.connected).toBe(false);
    } finally {
      await h.close();
    }
  });
});
