// A MUD slot given back gracefully (HISTORY_STORE=redis, the character's lease released) without
// a process shutdown: the dispatcher drains the slot's channels, so the reply in flight goes out
// before the character quits. The adapter keeps no in-flight set of its own.
import { describe, expect, it, vi } from 'vitest';
import { useRedis } from '../helpers/redis.js';
import { startMud } from './harness.js';

describe('MUD slot given back', () => {
  const redis = useRedis();

  it('lets the reply in flight on its channels finish, then quits', async () => {
    const h = await startMud({
      profile: { pacingMs: 50, reconnect: { initialMs: 50, maxMs: 200 } },
      env: { HISTORY_STORE: 'redis', REDIS_URL: redis().url, PARLEY_INSTANCE_ID: 'a', PARLEY_LEASE_MS: '1500' },
    });
    const { upstream, mud } = h;
    try {
      const text = Array.from({ length: 12 }, (_, i) => `w${i}`).join(' ');
      upstream.setReply(text);
      upstream.setChunking({ tokensPerChunk: 1, chunkDelayMs: 50 });
      mud.tell('Alice', 'a slow question');
      await vi.waitFor(() => expect(upstream.requests.some((r) => r.route === 'chat/completions')).toBe(true), { timeout: 8_000, interval: 20 });

      // The slot is released (no core.manager.shutdown): only the drain keeps the reply alive.
      await h.stopAdapter();

      const texts = mud.commands.map((c) => c.text);
      const reply = texts.findIndex((t) => t.startsWith('tell Alice ') && t.includes('w11'));
      expect(reply).toBeGreaterThanOrEqual(0);
      expect(texts.at(-1)).toBe('quit');
    } finally {
      await h.close();
    }
  });
});
