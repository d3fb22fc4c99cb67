// Issue 11, Telegram polling mode on two instances sharing one Redis: only the owner of the
// `tgpoll` slot calls getUpdates; what it receives is answered once by each chat's owner; when
// it stops, the other instance takes the polling over. Real telegraf against the fake Bot API,
// each instance calling it through its own apiRoot path so the fake tells them apart.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTelegramAdapter, type TelegramAdapter } from '../../adapters/telegram/index.js';
import { createCore, type Core } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram/server.js';
import { startFakeUpstream, type FakeUpstream } from '../fakes/upstream/server.js';
import { testEnv } from '../helpers/env.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';

const LEASE_MS = 2_000;

describe('telegram polling on 2 instances sharing one Redis', () => {
  let redis: RedisServer;
  let upstream: FakeUpstream;
  let tg: FakeTelegram;
  const instances: { id: string; core: Core; adapter: TelegramAdapter; stopped: boolean }[] = [];

  async function start(id: string) {
    const config = loadConfig(
      testEnv(upstream, {
        HISTORY_STORE: 'redis',
        REDIS_URL: redis.url,
        PARLEY_INSTANCE_ID: id,
        PARLEY_LEASE_MS: String(LEASE_MS),
        PARLEY_PARTITIONS: '4',
        TELEGRAM_BOT_TOKEN: tg.token,
        TELEGRAM_API_ROOT: `${tg.apiRoot}/${id}/`,
        TELEGRAM_STREAM: 'off',
      }),
    );
    const core = await createCore(config, { shutdownGraceMs: 1_000 });
    const adapter = createTelegramAdapter(core, { pollBackoff: { baseMs: 20, maxMs: 100 } });
    await adapter.start();
    instances.push({ id, core, adapter, stopped: false });
  }

  async function stop(i: (typeof instances)[number]) {
    i.stopped = true;
    await i.adapter.stop();
    await i.core.close();
  }

  /** Who holds the poll slot now, from its lease ("<instance>/<epoch>"). */
  async function pollOwner(): Promise<string | undefined> {
    const token = (await (await redis.client()).get('parley:lease:tgpoll')) ?? undefined;
    return token?.slice(0, token.lastIndexOf('/'));
  }

  beforeAll(async () => {
    redis = await startRedis();
    upstream = await startFakeUpstream({ reply: (body) => `re: ${String(body.messages?.at(-1)?.content ?? '')}` });
    tg = await startFakeTelegram({ pollHoldMs: 200, bot: { id: 1000, username: 'parley_bot' } });
    await start('p1');
    await start('p2');
  });

  afterAll(async () => {
    for (const i of instances) if (!i.stopped) await stop(i);
    await tg?.close();
    await upstream?.close();
    await redis?.stop();
  });

  const answered = (chatId: number, text: string) => tg.messagesIn(chatId).filter((m) => m.text === `re: ${text}`).length;

  it('polls from the poll slot owner only and answers every chat once', async () => {
    const chats = [11, 22, 33, 44, 55];
    for (const chatId of chats) tg.sendUserMessage({ chatId, text: `hello ${chatId}` });
    await tg.waitFor(() => chats.every((c) => answered(c, `hello ${c}`) === 1), 20_000);
    // Settled: the poll slot has one owner, and only it asks for updates from here on.
    await expect.poll(pollOwner, { timeout: 10_000 }).toBeDefined();
    const owner = (await pollOwner())!;
    const from = tg.calls.length;
    await tg.waitFor(() => tg.callsOf('getUpdates').filter((c) => tg.calls.indexOf(c) >= from).length >= 3, 10_000);
    expect(new Set(tg.calls.slice(from).filter((c) => c.method === 'getUpdates').map((c) => c.via))).toEqual(new Set([owner]));
    for (const chatId of chats) expect(answered(chatId, `hello ${chatId}`)).toBe(1);
  });

  it('hands the polling over when its owner stops', async () => {
    const current = await pollOwner();
    const leaving = instances.find((i) => i.id === current)!;
    expect(leaving).toBeDefined();
    await stop(leaving);
    const afterStop = tg.calls.length;
    const other = instances.find((i) => i !== leaving)!;
    await expect.poll(pollOwner, { timeout: 10_000 }).toBe(other.id);
    tg.sendUserMessage({ chatId: 66, text: 'still there?' });
    await tg.waitFor(() => answered(66, 'still there?') === 1, 20_000);
    const polledAfter = tg.calls.slice(afterStop).filter((c) => c.method === 'getUpdates');
    expect(polledAfter.length).toBeGreaterThan(0);
    expect(new Set(polledAfter.map((c) => c.via))).toEqual(new Set([other.id]));
  });

  it('gives its slots back within the dispatcher\'s grace: a reply that outlasts it is stopped, not waited for', async () => {
    const last = instances.find((i) => !i.stopped)!;
    upstream.holdRequests();
    try {
      tg.sendUserMessage({ chatId: 77, text: 'a long one' });
      await upstream.waitForRequests((rs) => rs.some((r) => r.route === 'chat/completions' && JSON.stringify(r.body).includes('a long one')));
      // Without the grace the slot's drain would wait for the held reply for ever.
      await stop(last);
      const leases = await (await redis.client()).keys('parley:lease:tg:*');
      expect(leases).toEqual([]);
      expect(answered(77, 'a long one')).toBe(0);
    } finally {
      upstream.releaseAll();
    }
  });
});
