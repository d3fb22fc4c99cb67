// Adapter set-ups other than the default long polling: webhook mode (secret checked, derived
// from the token when unset, bind host honoured) and allowlists (one polite refusal in DMs,
// silence in groups).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import type { TelegramAdapter } from '../../adapters/telegram/index.js';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram/server.js';
import { startFakeUpstream, type FakeUpstream } from '../fakes/upstream/server.js';
import { testEnv } from '../helpers/env.js';
import type { RunningBot } from '../helpers/stack.js';
import { startTelegramBot } from './harness.js';

const BOT = 'parley_bot';
const SECRET = 'webhook-secret-for-tests';

let tg: FakeTelegram;
let upstream: FakeUpstream;
const started: RunningBot<TelegramAdapter>[] = [];

async function startAdapter(extra: Record<string, string>) {
  const bot = await startTelegramBot(upstream, tg, {
    env: { TELEGRAM_EDIT_INTERVAL_DM_MS: '100', TELEGRAM_EDIT_INTERVAL_GROUP_MS: '100', TELEGRAM_WEBHOOK_HOST: '127.0.0.1', ...extra },
    adapter: { webhookPort: 0 },
    core: { shutdownGraceMs: 500 },
  });
  started.push(bot);
  return bot.adapter;
}

beforeAll(async () => {
  upstream = await startFakeUpstream({ chunkDelayMs: 1 });
  tg = await startFakeTelegram({ pollHoldMs: 300, bot: { id: 1000, username: BOT } });
});

afterAll(async () => {
  for (const bot of started) await bot.close();
  await tg?.close();
  await upstream?.close();
});

function postTo(adapter: TelegramAdapter, secret: string | undefined, update: unknown) {
  return fetch(`http://127.0.0.1:${adapter.webhookAddress!.port}/tg/hook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(secret ? { 'x-telegram-bot-api-secret-token': secret } : {}) },
    body: JSON.stringify(update),
  });
}

function update(chatId: number, text: string) {
  return {
    update_id: 1,
    message: { message_id: 1, date: 0, chat: { id: chatId, type: 'private' }, from: { id: chatId, is_bot: false, first_name: 'Wes' }, text },
  };
}

describe('webhook mode', () => {
  let adapter: TelegramAdapter;
  beforeAll(async () => {
    adapter = await startAdapter({ TELEGRAM_WEBHOOK_URL: 'https://bot.example.test/tg/hook', TELEGRAM_WEBHOOK_SECRET: SECRET });
  });
  afterAll(async () => {
    await adapter.stop();
  });

  const post = (secret: string | undefined, update: unknown) => postTo(adapter, secret, update);

  it('sets the webhook with its secret and does not poll', () => {
    expect(tg.webhook).toEqual({ url: 'https://bot.example.test/tg/hook', secretToken: SECRET });
    expect(tg.callsOf('getUpdates')).toHaveLength(0);
    // Button presses (regenerate, pickers) come as callback_query updates: asked for too.
    expect(tg.callsOf('setWebhook').at(-1)!.payload.allowed_updates).toEqual(['message', 'callback_query']);
  });

  it('refuses a request without the secret', async () => {
    expect((await post('wrong', update(301, 'hi'))).status).toBe(403);
    expect((await post(undefined, update(301, 'hi'))).status).toBe(403);
  });

  it('answers an update that carries the secret', async () => {
    expect((await post(SECRET, update(302, 'over the hook'))).status).toBe(200);
    await tg.waitFor(() => tg.messagesIn(302).at(-1)?.text === 'You said: over the hook');
  });
});

describe('webhook mode with several instances and no TELEGRAM_WEBHOOK_SECRET', () => {
  const HOOK = { TELEGRAM_WEBHOOK_URL: 'https://bot.example.test/tg/hook' };
  let first: TelegramAdapter;
  let second: TelegramAdapter;
  let firstSecret: string | undefined;
  beforeAll(async () => {
    first = await startAdapter(HOOK);
    firstSecret = tg.webhook.secretToken;
    second = await startAdapter(HOOK);
  });
  afterAll(async () => {
    await first.stop();
    await second.stop();
  });

  it('derives one secret from the token, valid for Telegram, and sets the webhook with it', () => {
    expect(firstSecret).toMatch(/^[A-Za-z0-9_-]{1,256}$/);
    expect(tg.webhook.secretToken).toBe(firstSecret);
    expect(firstSecret).not.toContain(tg.token.split(':')[1]);
  });

  it('every instance accepts what Telegram sends and refuses a wrong secret with 403', async () => {
    expect((await postTo(first, firstSecret, update(311, 'to the first'))).status).toBe(200);
    expect((await postTo(second, firstSecret, update(312, 'to the second'))).status).toBe(200);
    await tg.waitFor(() => tg.messagesIn(311).at(-1)?.text === 'You said: to the first');
    await tg.waitFor(() => tg.messagesIn(312).at(-1)?.text === 'You said: to the second');
    expect((await postTo(first, 'wrong', update(313, 'hi'))).status).toBe(403);
    expect((await postTo(second, 'wrong', update(313, 'hi'))).status).toBe(403);
  });

  it('binds TELEGRAM_WEBHOOK_HOST', () => {
    expect(first.webhookAddress?.address).toBe('127.0.0.1');
  });
});

describe('TELEGRAM_WEBHOOK_HOST', () => {
  it('defaults to every IPv4 interface, as documented in .env.example', () => {
    const config = loadConfig(testEnv(upstream, { TELEGRAM_BOT_TOKEN: tg.token }));
    expect(config.telegram?.webhookHost).toBe('0.0.0.0');
  });

  it('rejects a TELEGRAM_WEBHOOK_SECRET Telegram would refuse', () => {
    expect(() => loadConfig(testEnv(upstream, { TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_WEBHOOK_SECRET: 'has spaces!' }))).toThrow(/TELEGRAM_WEBHOOK_SECRET/);
  });
});

describe('allowlists', () => {
  beforeAll(async () => {
    await startAdapter({ TELEGRAM_ALLOWED_USERS: '@alice', TELEGRAM_STREAM: 'edit' });
  });

  it('answers a listed user, refuses others once in DMs, stays silent in groups', async () => {
    tg.sendUserMessage({ chatId: 401, from: { id: 401, username: 'mallory', first_name: 'M' }, text: 'let me in' });
    tg.sendUserMessage({ chatId: 401, from: { id: 401, username: 'mallory', first_name: 'M' }, text: 'please?' });
    tg.sendUserMessage({ chatId: -402, from: { id: 401, username: 'mallory', first_name: 'M' }, text: `@${BOT} hello` });
    tg.sendUserMessage({ chatId: 403, from: { id: 403, username: 'alice', first_name: 'Alice' }, text: 'hi' });
    await tg.waitFor(() => tg.messagesIn(403).at(-1)?.text === 'You said: hi');
    // Updates are handled in order: by the time alice is answered, mallory's were seen.
    await tg.waitFor(() => tg.messagesIn(401).length > 0);
    expect(tg.messagesIn(401)).toHaveLength(1);
    expect(tg.messagesIn(401)[0]!.text).toMatch(/private/);
    expect(tg.messagesIn(-402)).toHaveLength(0);
  });
});
