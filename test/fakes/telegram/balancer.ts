// The fake Bot API acting as Telegram's webhook sender behind a load balancer: updates go by
// HTTP POST to the path of the URL the bot set with setWebhook, on N instances in round robin.
// Like Telegram, each chat is sequential (its next update goes out only after the previous one
// got a 2xx) and a non-2xx answer or a failed connection is retried (here on the next instance).
// Like a real network, some updates arrive twice: every `duplicateEvery`-th update is delivered
// again after its first success, so duplicates reach a different instance.
//
//   const lb = startWebhookBalancer(tg, { backends: ['http://127.0.0.1:8441', ...] });
//   tg.sendUserMessage({ chatId: -5, text: 'hi' });   // POSTed to one backend
//   await lb.idle();                                    // every update answered 2xx
import type { FakeTelegram } from './server.js';

export interface BalancerOptions {
  /** Base URLs of the instances (scheme, host, port); the path comes from setWebhook. */
  backends: string[];
  /** Every n-th update is delivered twice (0 = never). Default 7. */
  duplicateEvery?: number;
  /** Wait before retrying a delivery that failed. Default 50 ms. */
  retryDelayMs?: number;
  /** Gives up on a single POST after this long (counts as a failure). Default 10 s. */
  requestTimeoutMs?: number;
}

export interface Delivery {
  updateId: number;
  chatId: number;
  backend: string;
  /** HTTP status, or 0 when the connection failed or timed out. */
  status: number;
  /** This POST repeats an update that already got a 2xx (a deliberate duplicate). */
  duplicate: boolean;
  at: number;
}

export interface WebhookBalancer {
  readonly deliveries: Delivery[];
  /** Updates not yet answered 2xx (duplicates included). */
  readonly outstanding: number;
  /** Replaces the instance list (e.g. without a killed one). */
  setBackends(backends: string[]): void;
  /** Resolves when nothing is outstanding. */
  idle(): Promise<void>;
  close(): void;
}

/** The chat an update belongs to: its message's chat, or the chat of the button's message. */
export function chatOfUpdate(update: Record<string, unknown>): number {
  const message = (update.message ?? (update.callback_query as { message?: unknown } | undefined)?.message) as { chat?: { id?: number } } | undefined;
  return message?.chat?.id ?? 0;
}

export function startWebhookBalancer(tg: FakeTelegram, opts: BalancerOptions): WebhookBalancer {
  let backends = [...opts.backends];
  const duplicateEvery = opts.duplicateEvery ?? 7;
  const retryDelayMs = opts.retryDelayMs ?? 50;
  const timeoutMs = opts.requestTimeoutMs ?? 10_000;
  const deliveries: Delivery[] = [];
  /** Per chat, the updates (and duplicates) still to send, in order. */
  const queues = new Map<number, { update: Record<string, unknown>; duplicate: boolean }[]>();
  const idleWaiters = new Set<() => void>();
  let next = 0;
  let received = 0;
  let outstanding = 0;
  let closed = false;

  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  async function post(update: Record<string, unknown>, backend: string): Promise<number> {
    const url = new URL(tg.webhook.url);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (tg.webhook.secretToken) headers['x-telegram-bot-api-secret-token'] = tg.webhook.secretToken;
    try {
      const res = await fetch(`${backend}${url.pathname}`, { method: 'POST', headers, body: JSON.stringify(update), signal: AbortSignal.timeout(timeoutMs) });
      await res.arrayBuffer().catch(() => undefined);
      return res.status;
    } catch {
      return 0;
    }
  }

  async function deliver(item: { update: Record<string, unknown>; duplicate: boolean }, chatId: number): Promise<void> {
    for (;;) {
      if (closed) return;
      // No webhook set yet (instances still starting), or none to send to: wait, as Telegram queues.
      const backend = backends.length > 0 && tg.webhook.url ? backends[next++ % backends.length]! : undefined;
      if (backend) {
        const status = await post(item.update, backend);
        deliveries.push({ updateId: Number(item.update.update_id), chatId, backend, status, duplicate: item.duplicate, at: Date.now() });
        if (status >= 200 && status < 300) return;
      }
      await sleep(retryDelayMs);
    }
  }

  async function drain(chatId: number): Promise<void> {
    const queue = queues.get(chatId)!;
    while (queue.length > 0 && !closed) {
      await deliver(queue[0]!, chatId);
      queue.shift();
      outstanding -= 1;
    }
    queues.delete(chatId);
    if (outstanding === 0) for (const w of [...idleWaiters]) w();
  }

  tg.deliverUpdatesTo((update) => {
    received += 1;
    const chatId = chatOfUpdate(update);
    const items = [{ update, duplicate: false }];
    if (duplicateEvery > 0 && received % duplicateEvery === 0) items.push({ update, duplicate: true });
    outstanding += items.length;
    const queue = queues.get(chatId);
    if (queue) {
      queue.push(...items);
      return;
    }
    queues.set(chatId, items);
    void drain(chatId);
  });

  return {
    deliveries,
    get outstanding() {
      return outstanding;
    },
    setBackends(list) {
      backends = [...list];
    },
    idle() {
      if (outstanding === 0) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const done = () => {
          idleWaiters.delete(done);
          resolve();
        };
        idleWaiters.add(done);
      });
    },
    close() {
      closed = true;
      tg.deliverUpdatesTo(undefined);
      for (const w of [...idleWaiters]) w();
    },
  };
}
