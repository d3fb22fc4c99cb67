// connectRedis and the slot names: versions read from INFO, addresses without credentials,
// commands that fail at once (not queue) while Redis is gone, slots by the formulas.
import { describe, expect, it } from 'vitest';
import { connectRedis, parseRedisVersion, redisAddress } from '../../src/scale/redis.js';
import { discordSlot, numberedSlots, telegramSlot } from '../../src/scale/slots.js';
import { quietLogger, startRedis } from '../helpers/redis.js';

describe('connectRedis', () => {
  it('reads redis_version (Redis and Valkey both report it)', () => {
    expect(parseRedisVersion('# Server\r\nredis_version:7.0.15\r\n')).toEqual([7, 0, 15]);
    expect(parseRedisVersion('redis_version:7.2.4\r\nvalkey_version:8.0.1\r\n')).toEqual([7, 2, 4]);
    expect(parseRedisVersion('nothing here')).toBeUndefined();
  });

  it('names the address without user or password', () => {
    expect(redisAddress('redis://user:s3cret@cache.internal:6380/2')).toBe('cache.internal:6380');
    expect(redisAddress('rediss://:pw@10.0.0.5')).toBe('10.0.0.5:6379');
  });

  it('while Redis is gone a command fails at once instead of waiting in a queue', async () => {
    const server = await startRedis();
    const client = await connectRedis(server.url, quietLogger);
    expect(await client.ping()).toBe('PONG');
    const closed = new Promise<void>((resolve) => client.once('end', resolve).once('error', () => resolve()));
    await server.stop();
    await closed;
    // A webhook answers 503 on this rejection, so Telegram retries later.
    await expect(client.ping()).rejects.toThrow();
    client.destroy();
  });
});

describe('slot names', () => {
  it('Discord: (guild_id >> 22) % shards, DMs on shard 0', () => {
    const guild = String((5n << 22n) | 12345n);
    expect(discordSlot(guild, 2)).toBe('dc:1');
    expect(discordSlot(guild, 5)).toBe('dc:0');
    expect(discordSlot(null, 4)).toBe('dc:0');
    expect(numberedSlots('dc', 3)).toEqual(['dc:0', 'dc:1', 'dc:2']);
  });

  it('Telegram: a stable partition per chat, the same for every topic of it', () => {
    const p = telegramSlot(-1001234567890, 64);
    expect(p).toMatch(/^tg:\d+$/);
    expect(telegramSlot('-1001234567890', 64)).toBe(p);
    const used = new Set(Array.from({ length: 1000 }, (_, i) => telegramSlot(100_000 + i, 64)));
    expect(used.size).toBe(64);
  });
});
