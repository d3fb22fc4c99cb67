// Maps any failure to the one short line a user sees and the fields the log gets.
// Provider errors carry a `kind` (src/llm/errors.ts); everything else is "unknown".
// The line is ours and localized; the provider's own short reason (redacted, truncated) may
// follow it once, quoted, because "model not found" or "context too long" helps the user.
import { redact } from '../log.js';
import { t, type Locale, type MessageId } from './messages.js';

/** Longest provider reason shown to a user, in code points. */
export const DETAIL_MAX_CODE_POINTS = 200;

const KIND_TO_MESSAGE: Record<string, MessageId> = {
  overloaded: 'error.overloaded',
  rate_limit: 'error.rate_limit',
  auth: 'error.auth',
  forbidden: 'error.forbidden',
  bad_request: 'error.bad_request',
  not_found: 'error.not_found',
  content_filter: 'error.content_filter',
  timeout: 'error.timeout',
  network: 'error.network',
  server: 'error.server',
  stream: 'error.stream',
};

/**
 * Kinds whose provider reason tells the user something they can act on (a bad parameter, an
 * unknown model, a quota). Auth, server and network reasons are for the admin's log only.
 */
const KINDS_WITH_DETAIL = new Set(['bad_request', 'forbidden', 'not_found', 'content_filter', 'rate_limit', 'stream']);

export interface ErrorDescription {
  messageId: MessageId;
  /** The provider's own reason, safe to show (redacted, truncated); absent when there is none to show. */
  detail?: string;
  aborted: boolean;
  /** Another instance took the channel's slot over (several instances on Redis): it answers, so
   * this one must say nothing more. */
  slotLost: boolean;
  logFields: Record<string, unknown>;
}

interface ErrorLike {
  name?: string;
  message?: string;
  kind?: string;
  status?: number;
  code?: string;
  requestId?: string;
  providerMessage?: string;
}

export function describeError(err: unknown): ErrorDescription {
  const e = (typeof err === 'object' && err !== null ? err : { message: String(err) }) as ErrorLike;
  const aborted = e.kind === 'aborted' || e.name === 'AbortError';
  const messageId = (e.kind && KIND_TO_MESSAGE[e.kind]) || 'error.unknown';
  const detail = e.kind && KINDS_WITH_DETAIL.has(e.kind) && e.providerMessage ? userDetail(e.providerMessage) : '';
  return {
    messageId,
    ...(detail ? { detail } : {}),
    aborted,
    slotLost: e.name === 'LeaseLostError',
    logFields: {
      type: e.name,
      kind: e.kind,
      status: e.status,
      code: e.code,
      upstreamRequestId: e.requestId,
      message: redact(e.message ?? ''),
    },
  };
}

/** The localized line for a failure, with the provider's reason quoted once when it has one. */
export function errorLine(locale: Locale, err: unknown): string {
  const d = describeError(err);
  const line = t(locale, d.messageId);
  return d.detail ? line + t(locale, 'error.provider_detail', { detail: d.detail }) : line;
}

/** Key-like strings a provider may echo back (ours are redacted by `redact` already). */
const SECRET_PATTERNS: Array<[RegExp, string]> = [
  [/\b(?:sk|pk|rk|ak)-[A-Za-z0-9_*-]{6,}/g, '[redacted]'],
  [/\bBearer\s+[^\s"',]+/gi, 'Bearer [redacted]'],
  [/([?&](?:key|api_key|apikey|token|access_token)=)[^&\s"']+/gi, '$1[redacted]'],
  // Long opaque tokens (keys, signed URLs' signatures); request ids lose nothing a user needs.
  [/[A-Za-z0-9_-]{32,}/g, '[redacted]'],
];

/** A provider's reason made fit for a chat line: one line, no secrets, at most ~200 characters. */
export function userDetail(text: string): string {
  let out = redact(text).replace(/\s+/g, ' ').trim();
  for (const [re, by] of SECRET_PATTERNS) out = out.replace(re, by);
  const points = [...out];
  return points.length > DETAIL_MAX_CODE_POINTS ? points.slice(0, DETAIL_MAX_CODE_POINTS - 1).join('').trimEnd() + '…' : out;
}
