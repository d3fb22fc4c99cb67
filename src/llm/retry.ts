// The one retry policy: which failures get another attempt, and how long to wait first.
import { LlmError } from './errors.js';

export interface RetryPolicy {
  maxRetries: number;
  /** First backoff ceiling; doubles per attempt. */
  baseMs: number;
  /** Backoff ceiling never exceeds this. */
  maxMs: number;
  /** A server asking us to wait longer than this is not retried: the user would wait too long. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 2,
  baseMs: 500,
  maxMs: 8_000,
  maxRetryAfterMs: 30_000,
};

/**
 * Whether a failed attempt (0-based `attempt` = retries already made) should be retried.
 * Callers only ask before the first delta reached the user: after that, a retry would repeat text.
 */
export function shouldRetry(err: unknown, attempt: number, policy: RetryPolicy): boolean {
  if (!(err instanceof LlmError)) return false;
  // Out of attempts.
  if (attempt >= policy.maxRetries) return false;
  // The caller cancelled: never resurrect the request.
  if (err.kind === 'aborted') return false;
  // 429 / 5xx / 529 / dropped connections / connect timeouts are marked retryable where built;
  // 4xx, first-byte and idle timeouts (the server may be working on it, at a cost) are not.
  if (!err.retryable) return false;
  // The server told us how long to wait and it is more than a chat user should sit through.
  if (err.retryAfterMs !== undefined && err.retryAfterMs > policy.maxRetryAfterMs) return false;
  return true;
}

/**
 * How long to wait before retry number `attempt` (0-based): the server's retry-after when it
 * gave one, else exponential backoff with full jitter (a random wait up to the ceiling, so
 * many clients hit by the same outage do not return in lockstep).
 */
export function retryDelay(attempt: number, policy: RetryPolicy, retryAfterMs?: number, random: () => number = Math.random): number {
  if (retryAfterMs !== undefined && retryAfterMs >= 0) return Math.min(retryAfterMs, policy.maxRetryAfterMs);
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** attempt);
  return Math.floor(random() * ceiling);
}

/**
 * Reads `retry-after-ms` (a number of milliseconds, OpenAI's) or `Retry-After` (seconds or an
 * HTTP date). Returns undefined when absent or unreadable.
 */
export function parseRetryAfter(headers: Record<string, string | string[] | undefined>, now: number = Date.now()): number | undefined {
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  const ms = first(headers['retry-after-ms']);
  if (ms !== undefined && ms.trim() !== '') {
    const n = Number(ms);
    if (Number.isFinite(n) && n >= 0) return n;
  }
  const ra = first(headers['retry-after'])?.trim();
  if (!ra) return undefined;
  if (/^\d+(\.\d+)?$/.test(ra)) return Math.round(Number(ra) * 1000);
  const date = Date.parse(ra);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** Waits `ms`, or rejects with an `aborted` LlmError as soon as `signal` fires. */
export function abortableSleep(ms: number, signal?: AbortSignal, requestId?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const abortError = () => new LlmError({ kind: 'aborted', detail: 'cancelled during retry wait', requestId });
    if (signal?.aborted) return reject(abortError());
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
