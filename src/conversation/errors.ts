// Maps any failure to the one short line a user sees and the fields the log gets.
// Provider errors carry a `kind` (src/llm/errors.ts); everything else is "unknown".
import { redact } from '../log.js';
import type { MessageId } from './messages.js';

const DETAIL_MAX_CHARS = 120;

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

export interface ErrorDescription {
  messageId: MessageId;
  params: Record<string, string>;
  aborted: boolean;
  logFields: Record<string, unknown>;
}

interface ErrorLike {
  name?: string;
  message?: string;
  kind?: string;
  status?: number;
  code?: string;
  requestId?: string;
  safeMessage?: string;
}

export function describeError(err: unknown): ErrorDescription {
  const e = (typeof err === 'object' && err !== null ? err : { message: String(err) }) as ErrorLike;
  const aborted = e.kind === 'aborted' || e.name === 'AbortError';
  const messageId = (e.kind && KIND_TO_MESSAGE[e.kind]) || 'error.unknown';
  const detail = redact(e.safeMessage ?? e.message ?? '').slice(0, DETAIL_MAX_CHARS);
  return {
    messageId,
    params: { detail },
    aborted,
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
