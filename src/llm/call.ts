// What every provider call shares: the transport, the retry loop around one attempt, and reading
// a JSON answer (where a relay's 200 with `{"error": ...}` becomes the error it is).
import type { Logger } from '../log.js';
import { errorFromException, errorFromStreamObject, LlmError } from './errors.js';
import { abortableSleep, retryDelay, shouldRetry, type RetryPolicy } from './retry.js';
import { readBytes, type OpenResponse, type Transport } from './transport.js';
import type { CallOptions } from './types.js';

/** Largest JSON answer we read (a b64 image of 1792x1024 is a few MB). */
const MAX_JSON_BYTES = 32 * 1024 * 1024;

/** A signal that never fires, for calls made without one. */
export const NEVER = new AbortController().signal;

export interface CallContext {
  readonly transport: Transport;
  readonly policy: RetryPolicy;
  readonly logger?: Logger;
}

/** Runs one attempt after another under the retry policy (non-streaming calls). */
export async function withRetries<T>(ctx: CallContext, opts: CallOptions, attempt: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const signal = opts.signal ?? NEVER;
  for (let n = 0; ; n++) {
    try {
      return await attempt(signal);
    } catch (raw) {
      const err = errorFromException(raw, { aborted: signal.aborted, requestId: opts.requestId });
      if (!shouldRetry(err, n, ctx.policy)) throw err;
      await backoff(ctx, err, n, signal, opts.requestId);
    }
  }
}

export async function backoff(ctx: CallContext, err: LlmError, attempt: number, signal: AbortSignal, requestId?: string): Promise<void> {
  const waitMs = retryDelay(attempt, ctx.policy, err.retryAfterMs);
  ctx.logger?.debug({ kind: err.kind, status: err.status, attempt: attempt + 1, waitMs, requestId }, 'llm retry');
  await abortableSleep(waitMs, signal, requestId);
}

/** Reads a JSON object answer; a 200 carrying `{"error": ...}` (relays do that) becomes the error. */
export async function readJson(res: OpenResponse): Promise<Record<string, unknown>> {
  const bytes = await readBytes(res.body, MAX_JSON_BYTES, res.requestId);
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw new LlmError({ kind: 'stream', code: 'malformed_json', detail: 'response body is not JSON', requestId: res.requestId });
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) {
    throw new LlmError({ kind: 'stream', code: 'malformed_json', detail: 'response body is not a JSON object', requestId: res.requestId });
  }
  const obj = json as Record<string, unknown>;
  if (obj.error && !obj.choices && !obj.data && typeof obj.text !== 'string') throw errorFromStreamObject(obj, res.requestId);
  return obj;
}
