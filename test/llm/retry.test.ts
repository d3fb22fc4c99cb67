import { describe, expect, it } from 'vitest';
import { LlmError } from '../../src/llm/errors.js';
import { abortableSleep, parseRetryAfter, retryDelay, shouldRetry, type RetryPolicy } from '../../src/llm/retry.js';

const POLICY: RetryPolicy = { maxRetries: 2, baseMs: 100, maxMs: 1_000, maxRetryAfterMs: 5_000 };

describe('shouldRetry', () => {
  it('retries 429, 5xx, 529 and network errors while attempts remain', () => {
    for (const kind of ['rate_limit', 'server', 'overloaded', 'network'] as const) {
      expect(shouldRetry(new LlmError({ kind }), 0, POLICY)).toBe(true);
      expect(shouldRetry(new LlmError({ kind }), 1, POLICY)).toBe(true);
      expect(shouldRetry(new LlmError({ kind }), 2, POLICY)).toBe(false);
    }
  });

  it('does not retry client errors, aborts, or non-LlmErrors', () => {
    for (const kind of ['auth', 'forbidden', 'bad_request', 'not_found', 'content_filter', 'aborted'] as const) {
      expect(shouldRetry(new LlmError({ kind }), 0, POLICY)).toBe(false);
    }
    expect(shouldRetry(new Error('x'), 0, POLICY)).toBe(false);
    // Even if something marked an abort retryable, a cancelled call stays cancelled.
    expect(shouldRetry(new LlmError({ kind: 'aborted', retryable: true }), 0, POLICY)).toBe(false);
  });

  it('gives up when the server asks for a wait beyond the cap', () => {
    expect(shouldRetry(new LlmError({ kind: 'rate_limit', retryAfterMs: 5_000 }), 0, POLICY)).toBe(true);
    expect(shouldRetry(new LlmError({ kind: 'rate_limit', retryAfterMs: 5_001 }), 0, POLICY)).toBe(false);
  });
});

describe('retryDelay', () => {
  it('uses full jitter under an exponential ceiling capped at maxMs', () => {
    expect(retryDelay(0, POLICY, undefined, () => 0.999)).toBe(99);
    expect(retryDelay(1, POLICY, undefined, () => 0.999)).toBe(199);
    expect(retryDelay(5, POLICY, undefined, () => 0.999)).toBe(999);
    expect(retryDelay(3, POLICY, undefined, () => 0)).toBe(0);
  });

  it("honours the server's retry-after, capped", () => {
    expect(retryDelay(0, POLICY, 1234, () => 0)).toBe(1234);
    expect(retryDelay(0, POLICY, 60_000, () => 0)).toBe(5_000);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2024-01-01T00:00:00Z');
  it('prefers retry-after-ms', () => {
    expect(parseRetryAfter({ 'retry-after-ms': '250', 'retry-after': '9' }, now)).toBe(250);
  });
  it('reads seconds, fractional seconds and HTTP dates', () => {
    expect(parseRetryAfter({ 'retry-after': '2' }, now)).toBe(2_000);
    expect(parseRetryAfter({ 'retry-after': '0.5' }, now)).toBe(500);
    expect(parseRetryAfter({ 'retry-after': 'Mon, 01 Jan 2024 00:00:03 GMT' }, now)).toBe(3_000);
    expect(parseRetryAfter({ 'retry-after': 'Sun, 31 Dec 2023 23:00:00 GMT' }, now)).toBe(0);
  });
  it('ignores junk and absence', () => {
    expect(parseRetryAfter({}, now)).toBeUndefined();
    expect(parseRetryAfter({ 'retry-after': 'soon' }, now)).toBeUndefined();
    expect(parseRetryAfter({ 'retry-after-ms': 'x' }, now)).toBeUndefined();
  });
});

describe('abortableSleep', () => {
  it('rejects with an aborted LlmError as soon as the signal fires', async () => {
    const controller = new AbortController();
    const sleeping = abortableSleep(60_000, controller.signal, 'r9');
    controller.abort();
    await expect(sleeping).rejects.toMatchObject({ kind: 'aborted', requestId: 'r9' });
  });

  it('rejects at once for an already aborted signal, resolves otherwise', async () => {
    await expect(abortableSleep(60_000, AbortSignal.abort())).rejects.toBeInstanceOf(LlmError);
    await expect(abortableSleep(1)).resolves.toBeUndefined();
  });
});
