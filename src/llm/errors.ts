// Typed errors for everything that can go wrong talking to the provider. `kind` is the stable
// identifier callers branch on (and could translate by); `safeMessage` is the short line a user
// may see; `message` carries detail for logs. Secrets are redacted here, where errors are built.
import { redact } from '../log.js';

export type LlmErrorKind =
  | 'auth'
  | 'forbidden'
  | 'rate_limit'
  | 'overloaded'
  | 'bad_request'
  | 'not_found'
  | 'server'
  | 'timeout'
  | 'network'
  | 'stream'
  | 'content_filter'
  | 'aborted';

/** Kinds worth another attempt: the same request may well succeed a moment later. */
const RETRYABLE_KINDS: ReadonlySet<LlmErrorKind> = new Set(['rate_limit', 'overloaded', 'server', 'network']);

/** Short user-facing lines, one per kind (no detail, no secrets). */
export const SAFE_MESSAGES: Record<LlmErrorKind, string> = {
  auth: 'The AI service rejected our API key.',
  forbidden: 'The AI service refused access to this model or feature.',
  rate_limit: 'The AI service is rate-limiting us; please try again in a moment.',
  overloaded: 'The AI service is overloaded; please try again in a moment.',
  bad_request: 'The AI service could not accept this request.',
  not_found: 'The AI service does not know this model or endpoint.',
  server: 'The AI service had an internal error; please try again.',
  timeout: 'The AI service took too long to answer.',
  network: 'Could not reach the AI service.',
  stream: 'The AI service sent a broken reply.',
  content_filter: "The AI service's content filter blocked this request.",
  aborted: 'The request was cancelled.',
};

/** Longest provider message kept in an error (proxy pages can be kilobytes). */
const MAX_DETAIL_CHARS = 300;

export interface LlmErrorInit {
  kind: LlmErrorKind;
  detail?: string;
  status?: number;
  code?: string;
  requestId?: string;
  /** Overrides the kind's default. */
  retryable?: boolean;
  /** Server-requested wait before retrying (from retry-after-ms / Retry-After). */
  retryAfterMs?: number;
  /** Which timeout fired, or which network failure: for logs and the retry policy. */
  cause?: unknown;
  /** The provider's own words from its error body (not ours): a user may be shown them. */
  providerMessage?: string;
}

export class LlmError extends Error {
  override readonly name = 'LlmError';
  readonly kind: LlmErrorKind;
  readonly status?: number;
  readonly code?: string;
  readonly requestId?: string;
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
  readonly safeMessage: string;
  /** The provider's own short explanation, redacted; undefined when it gave none. */
  readonly providerMessage?: string;

  constructor(init: LlmErrorInit) {
    const parts = [init.status ? `HTTP ${init.status}` : init.kind, init.code, init.detail].filter(Boolean);
    super(redact(parts.join(': ')), init.cause === undefined ? undefined : { cause: init.cause });
    this.kind = init.kind;
    this.status = init.status;
    this.code = init.code ? redact(init.code) : undefined;
    this.requestId = init.requestId;
    this.retryable = init.retryable ?? RETRYABLE_KINDS.has(init.kind);
    this.retryAfterMs = init.retryAfterMs;
    this.safeMessage = SAFE_MESSAGES[init.kind];
    this.providerMessage = init.providerMessage ? redact(init.providerMessage) : undefined;
  }
}

export function isLlmError(err: unknown): err is LlmError {
  return err instanceof LlmError;
}

export function kindForStatus(status: number): LlmErrorKind {
  if (status === 400 || status === 422) return 'bad_request';
  if (status === 401) return 'auth';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 408) return 'timeout';
  if (status === 429) return 'rate_limit';
  if (status === 529) return 'overloaded';
  if (status >= 500) return 'server';
  return 'bad_request';
}

/** What we could read out of an error body, whatever its envelope. */
export interface ParsedErrorBody {
  message?: string;
  code?: string;
  type?: string;
  traceId?: string;
}

/**
 * Reads an error body: the official `{"error":{"message","type","code"}}`, seed 004's
 * `{"success":false,"error":{"code","message"},"trace_id"}`, a bare `{"message"}`, or
 * anything else (HTML, plain text) as a short, tag-stripped line.
 */
export function parseErrorBody(text: string): ParsedErrorBody {
  const trimmed = text.trim();
  if (!trimmed) return {};
  try {
    const json = JSON.parse(trimmed) as unknown;
    if (json && typeof json === 'object') return parseErrorObject(json as Record<string, unknown>);
  } catch {
    // not JSON: fall through to text handling
  }
  return { message: shortText(trimmed) };
}

export function parseErrorObject(obj: Record<string, unknown>): ParsedErrorBody {
  const err = obj.error;
  const out: ParsedErrorBody = {};
  if (typeof obj.trace_id === 'string') out.traceId = obj.trace_id;
  if (err && typeof err === 'object') {
    const e = err as Record<string, unknown>;
    if (typeof e.message === 'string') out.message = shortText(e.message);
    if (typeof e.code === 'string' || typeof e.code === 'number') out.code = String(e.code);
    if (typeof e.type === 'string') out.type = e.type;
  } else if (typeof err === 'string') {
    out.message = shortText(err);
  } else if (typeof obj.message === 'string') {
    out.message = shortText(obj.message);
  }
  return out;
}

/** Strips tags and squeezes whitespace, then truncates: safe to put in a log line. */
export function shortText(text: string): string {
  const plain = text
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return plain.length > MAX_DETAIL_CHARS ? plain.slice(0, MAX_DETAIL_CHARS) + '…' : plain;
}

/** Codes providers use that say more than the status does. */
const CODE_KINDS: Record<string, LlmErrorKind> = {
  content_filter: 'content_filter',
  content_policy_violation: 'content_filter',
  rate_limit_exceeded: 'rate_limit',
  too_many_requests: 'rate_limit',
  insufficient_quota: 'rate_limit',
  invalid_api_key: 'auth',
  invalid_token: 'auth',
  model_not_found: 'not_found',
  overloaded: 'overloaded',
  overloaded_error: 'overloaded',
  server_error: 'server',
  api_error: 'server',
};

export interface HttpErrorInput {
  status: number;
  bodyText: string;
  headers: Record<string, string | string[] | undefined>;
  /** Our request id, used when the provider gives none. */
  requestId?: string;
  retryAfterMs?: number;
}

/** Builds the typed error for a non-2xx response. */
export function errorFromResponse(input: HttpErrorInput): LlmError {
  const parsed = parseErrorBody(input.bodyText);
  let kind = kindForStatus(input.status);
  // A 400 that is really the content filter (Azure) deserves its own kind.
  const byCode = (parsed.code && CODE_KINDS[parsed.code]) || (parsed.type && CODE_KINDS[parsed.type]);
  if (kind === 'bad_request' && byCode === 'content_filter') kind = 'content_filter';
  // insufficient_quota is a 429 that retrying cannot fix.
  const retryable = parsed.code === 'insufficient_quota' ? false : undefined;
  return new LlmError({
    kind,
    status: input.status,
    code: parsed.code ?? parsed.type,
    detail: parsed.message,
    providerMessage: parsed.message,
    requestId: headerValue(input.headers, 'x-request-id') ?? parsed.traceId ?? input.requestId,
    retryable,
    retryAfterMs: input.retryAfterMs,
  });
}

/** Builds the typed error for an `{"error": ...}` object found inside a 200 stream. */
export function errorFromStreamObject(obj: Record<string, unknown>, requestId?: string): LlmError {
  const parsed = parseErrorObject(obj);
  const byCode = (parsed.code && CODE_KINDS[parsed.code]) || (parsed.type && CODE_KINDS[parsed.type]) || undefined;
  return new LlmError({
    kind: byCode ?? 'stream',
    code: parsed.code ?? parsed.type,
    detail: parsed.message ?? 'error object in stream',
    providerMessage: parsed.message,
    requestId: parsed.traceId ?? requestId,
  });
}

export function headerValue(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Undici error codes by what they mean for us. */
const NETWORK_CODES = new Set([
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/**
 * Turns whatever a request threw into an LlmError. `aborted` wins when the caller's signal
 * fired, whatever undici made of it.
 */
export function errorFromException(err: unknown, ctx: { aborted: boolean; requestId?: string }): LlmError {
  if (err instanceof LlmError) return err;
  if (ctx.aborted) return new LlmError({ kind: 'aborted', detail: 'cancelled by caller', requestId: ctx.requestId, cause: err });
  const code = (err as { code?: string } | null)?.code;
  const message = err instanceof Error ? err.message : String(err);
  // Any string: undici's codes are not a closed set.
  switch (code ?? '') {
    case 'UND_ERR_CONNECT_TIMEOUT':
      // Nothing reached the server: safe to retry.
      return new LlmError({ kind: 'timeout', code: 'connect_timeout', detail: 'connect timed out', requestId: ctx.requestId, retryable: true, cause: err });
    case 'UND_ERR_HEADERS_TIMEOUT':
      return new LlmError({ kind: 'timeout', code: 'first_byte_timeout', detail: 'no response headers in time', requestId: ctx.requestId, cause: err });
    case 'UND_ERR_BODY_TIMEOUT':
      return new LlmError({ kind: 'timeout', code: 'idle_timeout', detail: 'response went silent', requestId: ctx.requestId, cause: err });
    case 'UND_ERR_ABORTED':
    case 'ABORT_ERR':
      return new LlmError({ kind: 'aborted', detail: 'request aborted', requestId: ctx.requestId, cause: err });
  }
  if ((err as { name?: string } | null)?.name === 'AbortError') {
    return new LlmError({ kind: 'aborted', detail: 'request aborted', requestId: ctx.requestId, cause: err });
  }
  const causeCode = (err as { cause?: { code?: string } } | null)?.cause?.code;
  // undici says "terminated" when the connection dropped in the middle of a body.
  const knownNetworkFailure = (code && NETWORK_CODES.has(code)) || (causeCode && NETWORK_CODES.has(causeCode)) || message === 'terminated';
  return new LlmError({
    kind: 'network',
    code: code ?? causeCode,
    detail: shortText(message),
    requestId: ctx.requestId,
    // Something we do not recognise may be a bug of ours: do not hammer the provider with it.
    retryable: Boolean(knownNetworkFailure),
    cause: err,
  });
}
