// One HTTP exchange with the provider over undici: URL, auth headers, timeouts, cancellation,
// status -> typed error, one debug log line. Knows nothing of chat or images.
import { Agent, request, type Dispatcher, type FormData } from 'undici';
import type { Logger } from '../log.js';
import { errorFromException, errorFromResponse, headerValue, LlmError } from './errors.js';
import { parseRetryAfter } from './retry.js';

/** Error bodies beyond this are cut: a proxy's HTML page need not be read whole. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;
/** How long an idle keep-alive socket to the provider stays open. */
const KEEP_ALIVE_TIMEOUT_MS = 30_000;

export interface TransportOptions {
  baseUrl: string;
  apiKey?: string;
  authHeader: 'authorization' | 'api-key';
  orgId?: string;
  connectTimeoutMs: number;
  firstByteTimeoutMs: number;
  idleTimeoutMs: number;
  logger?: Logger;
  dispatcher?: Dispatcher;
}

export interface HttpCall {
  method: 'GET' | 'POST';
  /** Endpoint below the base URL (e.g. "chat/completions"), or an absolute URL with `external`. */
  path: string;
  /** A URL the provider handed us (an image): no base URL, and never our credentials. */
  external?: boolean;
  json?: unknown;
  form?: FormData;
  accept?: string;
  signal: AbortSignal;
  requestId?: string;
}

export interface OpenResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Dispatcher.ResponseData['body'];
  /** The provider's id for this request when it sent one, else ours. */
  requestId?: string;
}

/** Joins a base that is a full prefix (https://host/v1, https://host/openai/) with an endpoint. */
export function endpointUrl(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

export class Transport {
  private readonly ownAgent?: Agent;
  private readonly dispatcher: Dispatcher;

  constructor(private readonly opts: TransportOptions) {
    if (opts.dispatcher) {
      this.dispatcher = opts.dispatcher;
    } else {
      // One keep-alive pool for all calls; connect timeout lives here, the rest is per request.
      this.ownAgent = new Agent({ connect: { timeout: opts.connectTimeoutMs }, keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS });
      this.dispatcher = this.ownAgent;
    }
  }

  /** Sends the request; resolves with a 2xx response whose body the caller must consume. */
  async open(call: HttpCall): Promise<OpenResponse> {
    const url = call.external ? call.path : endpointUrl(this.opts.baseUrl, call.path);
    const started = performance.now();
    const logLine = (status: number | undefined, requestId: string | undefined, error?: LlmError) =>
      this.opts.logger?.debug(
        { method: call.method, path: safePath(url), status, ms: Math.round(performance.now() - started), requestId, errorKind: error?.kind },
        'llm request',
      );

    let res: Dispatcher.ResponseData;
    try {
      res = await request(url, {
        method: call.method,
        headers: this.headersFor(call),
        body: call.form ?? (call.json === undefined ? undefined : JSON.stringify(call.json)),
        signal: call.signal,
        dispatcher: this.dispatcher,
        headersTimeout: this.opts.firstByteTimeoutMs,
        bodyTimeout: this.opts.idleTimeoutMs,
      });
    } catch (err) {
      const error = errorFromException(err, { aborted: call.signal.aborted, requestId: call.requestId });
      logLine(undefined, call.requestId, error);
      throw error;
    }

    const requestId = headerValue(res.headers, 'x-request-id') ?? call.requestId;
    if (res.statusCode >= 200 && res.statusCode < 300) {
      logLine(res.statusCode, requestId);
      return { status: res.statusCode, headers: res.headers, body: res.body, requestId };
    }
    const bodyText = await readLimitedText(res.body, call.signal).catch(() => '');
    const error = errorFromResponse({
      status: res.statusCode,
      bodyText,
      headers: res.headers,
      requestId: call.requestId,
      retryAfterMs: parseRetryAfter(res.headers),
    });
    logLine(res.statusCode, error.requestId, error);
    throw error;
  }

  async close(): Promise<void> {
    await this.ownAgent?.close();
  }

  private headersFor(call: HttpCall): Record<string, string> {
    const headers: Record<string, string> = { accept: call.accept ?? 'application/json' };
    if (call.json !== undefined) headers['content-type'] = 'application/json';
    if (call.requestId) headers['x-request-id'] = call.requestId;
    if (call.external) return headers;
    const { apiKey, authHeader, orgId } = this.opts;
    if (apiKey) {
      if (authHeader === 'api-key') headers['api-key'] = apiKey;
      else headers.authorization = `Bearer ${apiKey}`;
    }
    if (orgId) headers['openai-organization'] = orgId;
    return headers;
  }
}

/** Path only: query strings of provider URLs (signed image links) may carry credentials. */
function safePath(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return '?';
  }
}

async function readLimitedText(body: Dispatcher.ResponseData['body'], signal: AbortSignal): Promise<string> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    if (signal.aborted) break;
    const buf = chunk as Buffer;
    parts.push(buf);
    size += buf.length;
    if (size >= MAX_ERROR_BODY_BYTES) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(parts).toString('utf8');
}

/** Reads a whole 2xx body as bytes, up to `maxBytes`. */
export async function readBytes(body: Dispatcher.ResponseData['body'], maxBytes: number, requestId?: string): Promise<Uint8Array> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > maxBytes) {
      body.destroy();
      throw new LlmError({ kind: 'bad_request', code: 'response_too_large', detail: `response larger than ${maxBytes} bytes`, requestId });
    }
    parts.push(buf);
  }
  return new Uint8Array(Buffer.concat(parts));
}
