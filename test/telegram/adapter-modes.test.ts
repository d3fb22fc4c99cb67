// Adapter set-ups other than the default long polling: webhook mode (secret checked) and
// allowlists (one polite refusal in DMs, silence in groups).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import { createTelegramAdapter, type TelegramAdapter } from '../../adapters/telegram/index.js';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram/server.js';
import { startFakeUpstream, type FakeUpstream } from '../fakes/upstream/server.js';
import { testEnv } from '../helpers/env.js';

const BOT = 'parley_bot';
const SECRET = 'webhook-secret-for-tests';

let tg: FakeTelegram;
let upstream: FakeUpstream;
const started: { core: Core; adapter: TelegramAdapter }[] = [];

async function startAdapter(extra: Record<string, string>) {
  const core = await createCore(
    loadConfig(testEnv(upstream, {
      TELEGRAM_BOT_TOKEN: tg.token,
      TELEGRAM_API_ROOT: tg.apiRoot,
      TELEGRAM_EDIT_INTERVAL_DM_MS: '100',
      TELEGRAM_EDIT_INTERVAL_GROUP_MS: '100',
      ...extra,
    })),
    { shutdownGraceMs: 500 },
  );
  const adapter = createTelegramAdapter(core, { webhookPort: 0, webhookHost: '127.0.0.1', stopGraceMs: 500 });
  await adapter.start();
  started.push({ core, adapter });
  return adapter;
}

beforeAll(async () => {
  upstream = await startFakeUpstream({ chunkDelayMs: 1 });
  tg = await startFakeTelegram({ pollHoldMs: 300, bot: { id: 1000, username: BOT } });
});

afterAll(async () => {
  for (const { core, adapter } of started) {
    await adapter.stop();
    await core.close();
  }
  await tg?.close();
  await upstream?.close();
});

describe('webhook mode', () => {
  let adapter: TelegramAdapter;
  beforeAll(async () => {
    adapter = await startAdapter({ TELEGRAM_WEBHOOK_URL: 'https://bot.example.test/tg/hook', TELEGRAM_WEBHOOK_SECRET: SECRET });
  });
  afterAll(async () => {
    await adapter.stop();
  });

  const post = (secret: string | undefined, update: unknown) =>
    fetch(`http://127.0.0.1:${adapter.webhookAddress!.port}/tg/hook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(secret ? { 'x-telegram-bot-api-secret-token': secret } : {}) },
      body: JSON.stringify(update),
    });

  const update = (chatId: number, text: string) => ({
    update_id: 1,
    message: { message_id: 1, date: 0, chat: { id: chatId, type: 'private' }, from: { id: chatId, is_bot: false, first_name: 'Wes' }, text },
  });

  it('sets the webhook with its secret and does not poll', () => {
    expect(tg.webhook).toEqual({ url: 'https://bot.example.test/tg/hook', secretToken: SECRET });
    expect(tg.callsOf('getUpdates')).toHaveLength(0);
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
