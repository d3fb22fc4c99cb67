// The scaled webhook endpoint (issue 11): 200 only after the update was stored, 503 when it
// could not be (Telegram retries), 403 without the secret. Real HTTP on 127.0.0.1.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import type { Update } from 'telegraf/types';
import { afterEach, describe, expect, it } from 'vitest';
import { webhookIngest } from '../../adapters/telegram/webhook.js';

const update = { update_id: 7, message: { message_id: 1, date: 0, chat: { id: 5, type: 'private' }, text: 'hi' } };

describe('telegram webhook ingest', () => {
  let server: Server | undefined;

  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  async function serve(accept: (u: Update) => Promise<void>): Promise<string> {
    server = createServer(webhookIngest({ path: '/tg/hook', secretToken: 'sec', accept, logger: pino({ level: 'silent' }) }));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  const post = (base: string, body: unknown, secret = 'sec', path = '/tg/hook') =>
    fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret }, body: JSON.stringify(body) });

  it('answers 200 only once the update is stored', async () => {
    let store!: () => void;
    const stored: Update[] = [];
    const base = await serve(
      (u) =>
        new Promise<void>((resolve) => {
          store = () => {
            stored.push(u);
            resolve();
          };
        }),
    );
    let answered = false;
    const res = post(base, update).then((r) => {
      answered = true;
      return r;
    });
    await expect.poll(() => typeof store).toBe('function');
    expect(answered).toBe(false);
    store();
    expect((await res).status).toBe(200);
    expect(stored).toEqual([update]);
  });

  it('answers 503 when the update cannot be stored', async () => {
    const base = await serve(() => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6379')));
    expect((await post(base, update)).status).toBe(503);
  });

  it('refuses a wrong secret, another path and a body that is not an update', async () => {
    const accepted: Update[] = [];
    const base = await serve(async (u) => void accepted.push(u));
    expect((await post(base, update, 'nope')).status).toBe(403);
    expect((await post(base, update, 'sec', '/other')).status).toBe(404);
    expect((await post(base, { hello: 1 })).status).toBe(400);
    expect(accepted).toEqual([]);
  });
});
