// The webhook endpoint when several instances share one Redis (issue 11): any instance behind
// the load balancer takes an update, and answers 200 only once `accept` has stored it durably.
// When it cannot (Redis unreachable) the answer is 503: Telegram then retries later and holds
// that chat's later updates back meanwhile, so nothing is lost and the chat's order is kept.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Update } from 'telegraf/types';
import type { Logger } from '../../src/log.js';

/** Telegram's updates are small; anything far larger is not one. */
const MAX_BODY_BYTES = 1_000_000;

export interface WebhookIngestOptions {
  /** The path of TELEGRAM_WEBHOOK_URL; other paths get 404. */
  path: string;
  /** Telegram echoes it in x-telegram-bot-api-secret-token; a request without it gets 403. */
  secretToken: string;
  /** Stores the update (a duplicate is fine to accept again); rejects when it cannot. */
  accept(update: Update): Promise<void>;
  logger: Logger;
}

function sameSecret(given: string | string[] | undefined, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

function isUpdate(body: unknown): body is Update {
  return typeof body === 'object' && body !== null && Number.isInteger((body as { update_id?: unknown }).update_id);
}

/** An http request handler for the webhook listener. */
export function webhookIngest(opts: WebhookIngestOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const answer = (res: ServerResponse, status: number) => {
    if (!res.headersSent) res.writeHead(status).end();
  };
  return (req, res) => {
    const path = new URL(req.url ?? '/', 'http://webhook').pathname;
    if (path !== opts.path) return answer(res, 404);
    if (req.method !== 'POST') return answer(res, 405);
    if (!sameSecret(req.headers['x-telegram-bot-api-secret-token'], opts.secretToken)) return answer(res, 403);
    void (async () => {
      let body: unknown;
      try {
        body = await readJson(req);
      } catch {
        return answer(res, 400);
      }
      if (!isUpdate(body)) return answer(res, 400);
      try {
        await opts.accept(body);
        answer(res, 200);
      } catch (err) {
        opts.logger.warn({ err, updateId: body.update_id }, 'webhook update not stored; Telegram will retry');
        answer(res, 503);
      }
    })();
  };
}
