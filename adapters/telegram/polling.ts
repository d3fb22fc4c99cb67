// Long polling (getUpdates) with our own loop instead of telegraf's launch(): telegraf retries a
// failure every 5 s with no backoff, and on 401 (revoked token) or 409 (another poller) it just
// stops, leaving a process that runs but never hears a message. Here transient failures back
// off exponentially and a failure that no retry can fix ends in one fatal reason for main.ts.
import { setTimeout as sleep } from 'node:timers/promises';
import { TelegramError } from 'telegraf';
import type { Update } from 'telegraf/types';
import type { Logger } from '../../src/log.js';
import { describeTelegramError, retryAfterSeconds } from './errors.js';

/** Seconds Telegram holds an empty getUpdates open (its documented maximum is 50). */
const LONG_POLL_SECONDS = 50;

export interface Backoff {
  /** First wait after a failure; doubles per consecutive failure. */
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { baseMs: 1_000, maxMs: 60_000 };

export interface PollerOptions {
  api: { callApi(method: 'getUpdates', payload: object, opts?: { signal?: AbortSignal }): Promise<Update[]> };
  allowedUpdates: string[];
  /** Handles one batch; resolves when the updates were taken (not when they are answered). */
  handle: (updates: Update[]) => Promise<void>;
  logger: Logger;
  backoff?: Backoff;
  /** Length of one retry_after "second" in ms (tests shrink it). */
  retryAfterUnitMs?: number;
}

export interface Poller {
  /** Resolves when stopped; rejects with a PollingFatalError when polling cannot go on. */
  readonly done: Promise<void>;
  stop(): Promise<void>;
}

/** Polling cannot continue whatever we do; `message` is the one line for the operator. */
export class PollingFatalError extends Error {
  override name = 'PollingFatalError';
}

/** What a failed getUpdates means: wait this long and retry, or give up with a reason. */
export function pollFailure(err: unknown, attempt: number, backoff: Backoff, unitMs: number): { retryInMs: number } | { fatal: string } {
  const flood = retryAfterSeconds(err);
  if (flood !== undefined) return { retryInMs: flood * unitMs };
  if (err instanceof TelegramError && err.code < 500) {
    if (err.code === 401) {
      return { fatal: `Telegram: the bot token was rejected (401 ${err.description}); it was revoked or is wrong. Set a valid TELEGRAM_BOT_TOKEN from @BotFather.` };
    }
    if (err.code === 409) {
      return { fatal: `Telegram: another client is taking this bot's updates (409 ${err.description}). Run one poller per token, or use webhook mode.` };
    }
    return { fatal: `Telegram: getUpdates failed for good (${err.code} ${err.description}).` };
  }
  // 5xx, network failures, anything else: worth another try, later each time (with jitter, so
  // instances restarted together do not retry in step).
  const ceiling = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.min(attempt - 1, 30));
  return { retryInMs: Math.round(ceiling / 2 + (Math.random() * ceiling) / 2) };
}

export function startPolling(opts: PollerOptions): Poller {
  const backoff = opts.backoff ?? DEFAULT_BACKOFF;
  const unitMs = opts.retryAfterUnitMs ?? 1_000;
  const controller = new AbortController();
  const { signal } = controller;
  let offset = 0;

  async function loop(): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      let updates: Update[];
      try {
        updates = await opts.api.callApi('getUpdates', { timeout: LONG_POLL_SECONDS, offset, allowed_updates: opts.allowedUpdates }, { signal });
      } catch (err) {
        if (signal.aborted) break;
        failures += 1;
        const next = pollFailure(err, failures, backoff, unitMs);
        if ('fatal' in next) throw new PollingFatalError(next.fatal);
        opts.logger.warn({ err: describeTelegramError(err), attempt: failures, retryInMs: next.retryInMs }, 'getUpdates failed; retrying');
        await sleep(next.retryInMs, undefined, { signal }).catch(() => undefined);
        continue;
      }
      if (failures > 0) opts.logger.info({ attempts: failures }, 'getUpdates works again');
      failures = 0;
      const last = updates.at(-1);
      if (last) offset = last.update_id + 1;
      await opts.handle(updates);
    }
    // Confirm what we took, so the next start is not handed the same updates again.
    if (offset > 0) await opts.api.callApi('getUpdates', { offset, limit: 1, timeout: 0 }).catch(() => undefined);
  }

  const done = loop();
  // A fatal error surfaces through `done`; keep it from also counting as unhandled.
  done.catch(() => undefined);
  return {
    done,
    async stop() {
      controller.abort();
      await done.catch(() => undefined);
    },
  };
}
