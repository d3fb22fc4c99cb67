// The fake Bot API as a webhook load balancer (issue 11): round robin over the instances, each
// chat sequential, every 7th update delivered twice, a non-2xx answer retried elsewhere.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startWebhookBalancer, type WebhookBalancer } from '../fakes/telegram/balancer.js';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram/server.js';

interface Received {
  backend: number;
  path: string;
  secret: string | undefined;
  update: { update_id: number; message: { chat: { id: number }; text: string } };
}

interface Backend {
  server: Server;
  url: string;
}

describe('fake Telegram: webhook load balancer', () => {
  let tg: FakeTelegram;
  let lb: WebhookBalancer;
  let backends: Backend[];
  const received: Received[] = [];
  /** Answers a request; tests replace it (default 200). */
  let answer: (r: Received, res: ServerResponse) => void;

  async function backend(index: number): Promise<Backend> {
    const server = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const r: Received = {
          backend: index,
          path: req.url ?? '',
          secret: req.headers['x-telegram-bot-api-secret-token'] as string | undefined,
          update: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Received['update'],
        };
        received.push(r);
        answer(r, res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
  }

  beforeEach(async () => {
    received.length = 0;
    answer = (_r, res) => res.writeHead(200).end();
    tg = await startFakeTelegram();
    backends = [await backend(0), await backend(1), await backend(2)];
    lb = startWebhookBalancer(tg, { backends: backends.map((b) => b.url), retryDelayMs: 5 });
    const set = await fetch(`${tg.apiRoot}/bot${tg.token}/setWebhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: 'https://lb.example.test/tg/hook', secret_token: 's3cret' }),
    });
    expect(set.status).toBe(200);
  });

  afterEach(async () => {
    lb.close();
    await tg.close();
    for (const b of backends) {
      b.server.closeAllConnections();
      await new Promise<void>((resolve) => b.server.close(() => resolve()));
    }
  });

  it('posts to the webhook path with the secret, round robin over the instances', async () => {
    for (let i = 0; i < 6; i++) tg.sendUserMessage({ chatId: -100 - i, text: `m${i}` });
    await lb.idle();
    expect(received.every((r) => r.path === '/tg/hook' && r.secret === 's3cret')).toBe(true);
    expect(received.map((r) => r.backend).sort()).toEqual([0, 0, 1, 1, 2, 2]);
  });

  it('sends a chat its next update only after the previous one got a 2xx', async () => {
    const held: ServerResponse[] = [];
    answer = (r, res) => (r.update.message.text === 'a1' ? held.push(res) : res.writeHead(200).end());
    tg.sendUserMessage({ chatId: -1, text: 'a1' });
    tg.sendUserMessage({ chatId: -1, text: 'a2' });
    tg.sendUserMessage({ chatId: -2, text: 'b1' });
    // The other chat goes on while chat -1 waits for its first answer.
    await tg.waitFor(() => received.some((r) => r.update.message.text === 'b1') && held.length === 1);
    expect(received.map((r) => r.update.message.text)).not.toContain('a2');
    held[0]!.writeHead(200).end();
    await lb.idle();
    expect(received.filter((r) => r.update.message.chat.id === -1).map((r) => r.update.message.text)).toEqual(['a1', 'a2']);
  });

  it('retries a non-2xx answer and a refused connection on another instance, keeping order', async () => {
    let failures = 2;
    answer = (_r, res) => res.writeHead(failures-- > 0 ? 503 : 200).end();
    // An instance that is gone: its connections are refused.
    backends[2]!.server.closeAllConnections();
    await new Promise<void>((resolve) => backends[2]!.server.close(() => resolve()));
    tg.sendUserMessage({ chatId: -3, text: 'c1' });
    tg.sendUserMessage({ chatId: -3, text: 'c2' });
    await lb.idle();
    const statuses = lb.deliveries.map((d) => d.status);
    expect(statuses.filter((s) => s === 503)).toHaveLength(2);
    expect(statuses).toContain(0);
    expect(lb.deliveries.filter((d) => d.status === 200).map((d) => d.updateId)).toEqual([1, 2]);
    expect(received.filter((r) => r.backend === 2)).toHaveLength(0);
  });

  it('tells API clients apart by the first segment of their apiRoot', async () => {
    const res = await fetch(`${tg.apiRoot}/i1/bot${tg.token}/getMe`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(tg.callsOf('getMe').at(-1)!.via).toBe('i1');
    expect(tg.callsOf('setWebhook').at(-1)!.via).toBeUndefined();
  });

  it('delivers every 7th update twice, the second time to another instance', async () => {
    for (let i = 1; i <= 14; i++) tg.sendUserMessage({ chatId: -7, text: `d${i}` });
    await lb.idle();
    const texts = received.map((r) => r.update.message.text);
    expect(texts).toHaveLength(16);
    expect(texts.filter((t) => t === 'd7')).toHaveLength(2);
    expect(texts.filter((t) => t === 'd14')).toHaveLength(2);
    const twice = received.filter((r) => r.update.message.text === 'd7').map((r) => r.backend);
    expect(twice[0]).not.toBe(twice[1]);
    expect(lb.deliveries.filter((d) => d.duplicate).map((d) => d.updateId)).toEqual([7, 14]);
  });
});
