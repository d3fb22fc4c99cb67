/**
 * A fake OpenAI-compatible upstream on 127.0.0.1 for tests, benchmarks and manual runs.
 *
 *   const fake = await startFakeUpstream();            // { flavor: 'openai', prefix: '/v1' }
 *   const client = new OpenAIClient({ baseUrl: fake.url, apiKey: 'test-key' });
 *   // chat answers "You said: <last user text>" (plain or SSE stream), deterministic.
 *   fake.setReply('Hello there');                       // or a function of the request body
 *   fake.setChunking({ tokensPerChunk: 2, chunkDelayMs: 5 });
 *   fake.setNext({ status: 429, retryAfterMs: 10 }, 2); // fault for the next 2 API requests
 *   fake.script({ status: 500 }, { streamError: true }); // one fault each, in order
 *   fake.requests                                      // everything received, in order
 *   await fake.close();
 *
 * Endpoints under the prefix: chat/completions, images/generations (url or b64_json; the url
 * points at this server's /files/<name>.png), audio/speech, audio/transcriptions (multipart),
 * models. Options: flavor ('openai' | 'seed000' | 'seed002' | 'seed004') shapes the bodies like
 * that provider; prefix ('/v1', '/openai', ...); auth ('any' accepts everything, the default;
 * 'authorization' or 'api-key' require that header, and `apiKey` its exact value).
 *
 * A Behavior (see below) describes one response: an error status in some envelope, a stall, or
 * a stream with quirks (split bytes, CRLF, keep-alive comments, no [DONE], malformed JSON, an
 * error object or a dropped connection after N chunks, keep-alive comments forever). Quirk
 * fields combine.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import {
  countUsage,
  errorBody,
  modelIds,
  modelNameFor,
  plainCompletion,
  speechBytes,
  streamChunks,
  streamErrorObject,
  TINY_PNG,
  tokenize,
  type ErrorEnvelope,
  type Flavor,
  type ReasoningShape,
} from './shapes.js';

import { toolCallChunks, type ToolPlanner } from './tool-calls.js';

export type { ErrorEnvelope, Flavor, ReasoningShape } from './shapes.js';
export type { PlannedCall, ToolPlanner } from './tool-calls.js';
export { TINY_PNG } from './shapes.js';

export type Route = 'chat/completions' | 'images/generations' | 'audio/speech' | 'audio/transcriptions' | 'models' | 'files';

/** One scripted response. Unset fields mean "behave normally". */
export interface Behavior {
  /** Apply only to this route (default: any API route; 'files' must be named explicitly). */
  route?: Route;
  /** Answer with this error status instead. */
  status?: number;
  /** Error body style (default: the flavor's own: seed004 for seed004, else openai). */
  envelope?: ErrorEnvelope;
  /** Error message / code in the body. */
  message?: string;
  code?: string;
  /** `Retry-After` header value (seconds or an HTTP date). */
  retryAfter?: string;
  /** `retry-after-ms` header value. */
  retryAfterMs?: number;
  /** Extra response headers. */
  headers?: Record<string, string>;
  /** 'before-headers': never answer; 'after-headers': 200 + headers, then nothing;
   *  'mid-stream': stop writing after `afterChunks` chunks, keep the connection open. */
  stall?: 'before-headers' | 'after-headers' | 'mid-stream';
  /** After `afterChunks` content chunks: send `data: {"error":...}` (true: the flavor's shape) and end. */
  streamError?: boolean | Record<string, unknown>;
  /** After `afterChunks` content chunks: send a data line that is not JSON, then go on. */
  malformed?: boolean;
  /** After `afterChunks` content chunks: destroy the socket. */
  destroy?: boolean;
  /** After `afterChunks` content chunks: only `: keep-alive` comments, one every this many ms, until the client leaves. */
  commentsForever?: number;
  /** Where mid-stream faults happen, counted in content chunks (default 1). */
  afterChunks?: number;
  /** Write the stream in pieces of this many bytes (cuts through UTF-8 characters too). */
  splitBytes?: number;
  crlf?: boolean;
  /** `: keep-alive` comment lines before every event. */
  keepalive?: boolean;
  /** End the stream without `data: [DONE]`. */
  noDone?: boolean;
  /** Serve this literal SSE text as the stream (e.g. a seed's sample); quirk fields still apply. */
  rawStream?: string;
  /** Answer 200 with this JSON value instead of the normal body. */
  json?: unknown;
  /** Reply text for this one request. */
  reply?: string;
  /** Reasoning streamed before the reply of this one request (overrides setReasoning). */
  reasoning?: { text: string; shape: ReasoningShape };
  /** Wait this long before answering. */
  delayMs?: number;
}

export interface RecordedFile {
  filename: string;
  type: string;
  size: number;
  bytes: Buffer;
}

export interface RecordedRequest {
  method: string;
  /** Full path, e.g. /v1/chat/completions. */
  path: string;
  /** Path after the prefix, e.g. chat/completions (or files). */
  route: string;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body, when the body was JSON. */
  body?: unknown;
  /** Multipart fields, when the body was multipart. */
  fields?: Record<string, string | RecordedFile>;
  raw: Buffer;
  /** True once the connection closed before the response was complete (client abort). */
  closedEarly: boolean;
  /** Resolves when the response is over; true when the client went away first. */
  closed: Promise<boolean>;
}

export interface FakeUpstreamOptions {
  flavor?: Flavor;
  /** Path prefix of the base URL (default /v1). */
  prefix?: string;
  auth?: 'any' | 'authorization' | 'api-key';
  /** Exact key required when auth is not 'any' (default: any non-empty key). */
  apiKey?: string;
  /** Port (default 0: random). */
  port?: number;
  reply?: ReplySource;
  tokensPerChunk?: number;
  chunkDelayMs?: number;
  /** What audio/transcriptions answers (default DEFAULT_TRANSCRIPT). */
  transcript?: string;
  /**
   * Models matching `models` answer 400 to a chat request carrying `param`, naming it the way
   * the official API does for o-series models and `max_tokens` (or an old relay for the other).
   */
  rejectsParam?: { param: 'max_tokens' | 'max_completion_tokens'; models: RegExp };
  /** Models matching answer 400 to any chat request carrying `tools` (a relay without tool support). */
  rejectsTools?: RegExp;
}

export type ReplySource = string | ((body: ChatBody) => string);

export interface ChatBody {
  model?: string;
  messages?: { role: string; content: unknown; name?: string }[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
}

export interface FakeUpstream {
  /** Base URL including the prefix, e.g. http://127.0.0.1:PORT/v1 */
  url: string;
  /** http://127.0.0.1:PORT */
  origin: string;
  port: number;
  requests: RecordedRequest[];
  /** Queue one behavior for the next `times` matching requests. */
  setNext(behavior: Behavior, times?: number): void;
  /** Queue behaviors, one request each, in order. */
  script(...behaviors: Behavior[]): void;
  setReply(reply: ReplySource | undefined): void;
  /**
   * Tool mode: a streamed request that offers `tools` is asked the planner; when it returns calls,
   * they are streamed as tool_calls (split across chunks), else the normal reply is streamed.
   */
  setToolPlanner(planner: ToolPlanner | undefined): void;
  /** Streamed replies think first: `text` in the given shape, before the answer. */
  setReasoning(reasoning: { text: string; shape: ReasoningShape } | undefined): void;
  setChunking(opts: { tokensPerChunk?: number; chunkDelayMs?: number }): void;
  setTranscript(text: string): void;
  /** Serves bytes at /files/<name>; returns the absolute URL. */
  addFile(name: string, bytes: Buffer, contentType?: string): string;
  /**
   * From now on, API requests (not /files) are recorded, then held before any answer until
   * released: to count concurrency and to order requests from a test.
   */
  holdRequests(): void;
  /** Lets the oldest held request proceed; false if none is held. */
  releaseOne(): boolean;
  /** Releases every held request and stops holding. */
  releaseAll(): void;
  /** Requests held right now. */
  readonly heldCount: number;
  /** API requests whose response has not finished yet, and the most seen at once. */
  readonly openCount: number;
  readonly maxOpen: number;
  /** Resolves once `check(requests)` holds; checked on every request that arrives. */
  waitForRequests(check: (requests: RecordedRequest[]) => boolean): Promise<void>;
  /** Forget recorded requests and queued behaviors; restore default reply/chunking. */
  reset(): void;
  close(): Promise<void>;
}

export const DEFAULT_TRANSCRIPT = 'hello from a voice note';
/** Delay between byte-split writes, so they tend to arrive as separate reads. */
const SPLIT_WRITE_GAP_MS = 1;
/** A data line cut off in the middle of its JSON. */
const MALFORMED_FRAME = 'data: {"choices":[{"delta":{"content":"brok\n\n';

/** The default reply: "You said: <last user text>" (+ " [N image(s)]" when images were sent). */
export function echoReply(body: ChatBody): string {
  const lastUser = [...(body.messages ?? [])].reverse().find((m) => m.role === 'user');
  if (!lastUser) return 'You said nothing.';
  if (typeof lastUser.content === 'string') return `You said: ${lastUser.content}`;
  const parts = Array.isArray(lastUser.content) ? (lastUser.content as { type?: string; text?: string }[]) : [];
  const text = parts.filter((p) => p.type === 'text').map((p) => p.text ?? '').join(' ');
  const images = parts.filter((p) => p.type === 'image_url').length;
  return `You said: ${text}${images ? ` [${images} image${images > 1 ? 's' : ''}]` : ''}`;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function startFakeUpstream(opts: FakeUpstreamOptions = {}): Promise<FakeUpstream> {
  const flavor = opts.flavor ?? 'openai';
  const prefix = '/' + (opts.prefix ?? '/v1').replace(/^\/+|\/+$/g, '');
  const auth = opts.auth ?? 'any';
  const defaults = {
    reply: opts.reply as ReplySource | undefined,
    reasoning: undefined as { text: string; shape: ReasoningShape } | undefined,
    toolPlanner: undefined as ToolPlanner | undefined,
    tokensPerChunk: opts.tokensPerChunk ?? 1,
    chunkDelayMs: opts.chunkDelayMs ?? 0,
    transcript: opts.transcript ?? DEFAULT_TRANSCRIPT,
  };
  let state = { ...defaults };
  let queue: Behavior[] = [];
  const requests: RecordedRequest[] = [];
  const files = new Map<string, { bytes: Buffer; contentType: string }>();
  const sockets = new Set<Socket>();
  let fileCounter = 0;
  let requestCounter = 0;
  let origin = '';
  let holding = false;
  const held: Array<() => void> = [];
  let openCount = 0;
  let maxOpen = 0;
  let requestWatchers: Array<{ check: (r: RecordedRequest[]) => boolean; resolve: () => void }> = [];
  const notifyWatchers = () => {
    requestWatchers = requestWatchers.filter((w) => {
      if (!w.check(requests)) return true;
      w.resolve();
      return false;
    });
  };

  const takeBehavior = (route: string): Behavior => {
    const i = queue.findIndex((b) => (b.route ? b.route === route : route !== 'files'));
    if (i < 0) return {};
    return queue.splice(i, 1)[0]!;
  };

  const envelopeFor = (b: Behavior): ErrorEnvelope => b.envelope ?? (flavor === 'seed004' ? 'seed004' : 'openai');

  const sendError = (res: ServerResponse, b: Behavior, status: number, message?: string) => {
    const envelope = envelopeFor(b);
    const { contentType, body } = errorBody(envelope, status, message ?? b.message, b.code);
    const headers: Record<string, string> = { 'content-type': contentType, ...b.headers };
    // The official API names each request in a header; proxies' pages and seed 004 do not.
    if (envelope === 'openai') headers['x-request-id'] = `req_fake_${++requestCounter}`;
    if (b.retryAfter !== undefined) headers['retry-after'] = b.retryAfter;
    if (b.retryAfterMs !== undefined) headers['retry-after-ms'] = String(b.retryAfterMs);
    res.writeHead(status, headers).end(body);
  };

  const sendJson = (res: ServerResponse, b: Behavior, value: unknown) => {
    res.writeHead(200, { 'content-type': 'application/json', ...b.headers }).end(JSON.stringify(value));
  };

  const authFailure = (req: IncomingMessage): string | undefined => {
    if (auth === 'any') return undefined;
    const header = auth === 'authorization' ? req.headers.authorization : req.headers['api-key'];
    const presented = typeof header === 'string' ? (auth === 'authorization' ? header.replace(/^Bearer\s+/i, '') : header) : '';
    if (auth === 'authorization' && typeof header === 'string' && !/^Bearer\s+/i.test(header)) return 'Missing bearer token.';
    if (!presented) return `Missing ${auth} header.`;
    // Like some relays, echo the bad key back: the client must redact it.
    if (opts.apiKey !== undefined && presented !== opts.apiKey) return `Incorrect API key provided: ${presented}.`;
    return undefined;
  };

  const streamChat = async (res: ServerResponse, b: Behavior, body: ChatBody, text: string) => {
    const thinking = b.reasoning ?? state.reasoning;
    const inContent = thinking?.shape === 'think' ? `<think>${thinking.text}</think>\n\n${text}` : text;
    const tokens = tokenize(inContent);
    const perChunk = Math.max(1, state.tokensPerChunk);
    const group = (all: string[]) => {
      const out: string[] = [];
      for (let i = 0; i < all.length; i += perChunk) out.push(all.slice(i, i + perChunk).join(''));
      return out;
    };
    const pieces = group(tokens);
    const model = modelNameFor(flavor, body.model);
    const usage = countUsage(promptTokens(body), tokens.length);
    const reasoning = thinking && thinking.shape !== 'think' ? { pieces: group(tokenize(thinking.text)), field: thinking.shape } : undefined;
    const chunks = streamChunks({ flavor, model, pieces, usage, includeUsage: body.stream_options?.include_usage === true, reasoning });

    // Build the frames, placing a mid-stream fault after `afterChunks` content-bearing chunks.
    const faultAt = b.afterChunks ?? 1;
    const frames: string[] = [];
    let contentSeen = 0;
    let fault: 'error' | 'destroy' | 'stall' | 'comments' | undefined;
    let malformedSent = false;
    const hasFault = b.streamError || b.destroy || b.stall === 'mid-stream' || b.commentsForever !== undefined;
    const faultKind = () => (b.streamError ? 'error' : b.destroy ? 'destroy' : b.commentsForever !== undefined ? 'comments' : 'stall');
    for (const chunk of chunks) {
      if (hasFault && contentSeen >= faultAt) {
        fault = faultKind();
        break;
      }
      if (b.malformed && !malformedSent && contentSeen >= faultAt) {
        frames.push(MALFORMED_FRAME);
        malformedSent = true;
      }
      frames.push(`data: ${JSON.stringify(chunk)}\n\n`);
      if (chunkHasContent(chunk)) contentSeen++;
    }
    if (b.malformed && !malformedSent) frames.push(MALFORMED_FRAME);
    if (hasFault && !fault) fault = faultKind();
    if (fault === 'error') {
      const errObj = typeof b.streamError === 'object' ? b.streamError : streamErrorObject(flavor);
      frames.push(`data: ${JSON.stringify(errObj)}\n\n`);
    } else if (!fault && !b.noDone) {
      frames.push('data: [DONE]\n\n');
    }
    let wire = b.rawStream !== undefined ? [b.rawStream] : frames;
    if (b.keepalive) wire = wire.flatMap((f) => [': keep-alive\n\n', f]);
    if (b.crlf) wire = wire.map((f) => f.replace(/\n/g, '\r\n'));

    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', ...b.headers });
    res.flushHeaders();
    const writes = b.splitBytes ? splitBuffer(Buffer.from(wire.join(''), 'utf8'), b.splitBytes) : wire.map((f) => Buffer.from(f, 'utf8'));
    const gap = b.splitBytes ? Math.max(SPLIT_WRITE_GAP_MS, state.chunkDelayMs) : state.chunkDelayMs;
    for (let i = 0; i < writes.length; i++) {
      if (res.destroyed) return;
      if (i > 0 && gap > 0) await sleep(gap);
      res.write(writes[i]);
    }
    if (fault === 'destroy') {
      await sleep(SPLIT_WRITE_GAP_MS);
      res.socket?.destroy();
      return;
    }
    if (fault === 'stall') return;
    if (fault === 'comments') {
      // A relay's keep-alives: the idle timer never fires, the reply never ends.
      while (!res.destroyed) {
        await sleep(b.commentsForever!);
        if (!res.destroyed) res.write(': keep-alive\n\n');
      }
      return;
    }
    res.end();
  };

  const handleChat = async (res: ServerResponse, b: Behavior, body: ChatBody) => {
    const rejected = opts.rejectsParam;
    if (rejected && rejected.models.test(body.model ?? '') && (body as Record<string, unknown>)[rejected.param] !== undefined) {
      const other = rejected.param === 'max_tokens' ? 'max_completion_tokens' : 'max_tokens';
      const message = `Unsupported parameter: '${rejected.param}' is not supported with this model. Use '${other}' instead.`;
      const json = { error: { message, type: 'invalid_request_error', param: rejected.param, code: 'unsupported_parameter' } };
      res.writeHead(400, { 'content-type': 'application/json', 'x-request-id': `req_fake_${++requestCounter}` }).end(JSON.stringify(json));
      return;
    }
    const tools = (body as { tools?: unknown[] }).tools;
    if (tools !== undefined && opts.rejectsTools?.test(body.model ?? '')) {
      const json = { error: { message: 'tools is not supported by this relay', type: 'invalid_request_error', param: 'tools', code: null } };
      res.writeHead(400, { 'content-type': 'application/json', 'x-request-id': `req_fake_${++requestCounter}` }).end(JSON.stringify(json));
      return;
    }
    const planned = body.stream && tools?.length ? state.toolPlanner?.(body as Parameters<ToolPlanner>[0]) : undefined;
    const plan = Array.isArray(planned) ? { say: '', calls: planned } : planned;
    if (plan?.calls.length) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'x-request-id': `req_fake_${++requestCounter}` });
      for (const chunk of toolCallChunks(modelNameFor(flavor, body.model), plan.calls, String(requestCounter), plan.say)) {
        res.write(`data: ${JSON.stringify(chunk)}\n\n`);
        // Each fragment in its own read as far as the loopback allows.
        await sleep(SPLIT_WRITE_GAP_MS);
      }
      res.end('data: [DONE]\n\n');
      return;
    }
    const replySource = b.reply ?? state.reply ?? echoReply;
    const text = typeof replySource === 'function' ? replySource(body) : replySource;
    if (body.stream) return streamChat(res, b, body, text);
    const usage = countUsage(promptTokens(body), tokenize(text).length);
    sendJson(res, b, plainCompletion(flavor, modelNameFor(flavor, body.model), text, usage));
  };

  const handleImage = (res: ServerResponse, b: Behavior, body: { prompt?: string; response_format?: string }) => {
    const item: Record<string, unknown> = { revised_prompt: `revised: ${body.prompt ?? ''}` };
    if (body.response_format === 'b64_json') {
      item.b64_json = TINY_PNG.toString('base64');
    } else {
      const name = `img-${++fileCounter}.png`;
      files.set(name, { bytes: TINY_PNG, contentType: 'image/png' });
      item.url = `${origin}/files/${name}`;
      if (flavor === 'seed000') item.b64_json = null;
    }
    if (flavor === 'seed000') item.content_filter_results = { hate: { filtered: false, severity: 'safe' } };
    sendJson(res, b, { created: Math.floor(Date.now() / 1000), data: [item] });
  };

  const handleSpeech = (res: ServerResponse, b: Behavior, body: { input?: string; response_format?: string }) => {
    const { mime, bytes } = speechBytes(body.response_format ?? 'mp3', body.input ?? '');
    res.writeHead(200, { 'content-type': mime, ...b.headers }).end(bytes);
  };

  const route = async (req: IncomingMessage, res: ServerResponse, rec: RecordedRequest) => {
    const b = takeBehavior(rec.route);
    if (b.delayMs) await sleep(b.delayMs);
    if (b.stall === 'before-headers') return;
    if (b.stall === 'after-headers' && !(rec.route === 'chat/completions' && (rec.body as ChatBody)?.stream)) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.flushHeaders();
      return;
    }
    if (rec.route === 'files') {
      if (b.status) return sendError(res, b, b.status);
      const file = files.get(rec.path.slice('/files/'.length));
      if (!file) return sendError(res, b, 404, 'No such file');
      res.writeHead(200, { 'content-type': file.contentType, ...b.headers }).end(file.bytes);
      return;
    }
    const authError = authFailure(req);
    if (authError) return sendError(res, b, 401, authError);
    if (b.status) return sendError(res, b, b.status);
    if (b.json !== undefined) return sendJson(res, b, b.json);
    const body = (rec.body ?? {}) as Record<string, unknown>;
    switch (`${req.method} ${rec.route}`) {
      case 'POST chat/completions':
        if (b.stall === 'after-headers') {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.flushHeaders();
          return;
        }
        return handleChat(res, b, body as ChatBody);
      case 'POST images/generations':
        return handleImage(res, b, body);
      case 'POST audio/speech':
        return handleSpeech(res, b, body);
      case 'POST audio/transcriptions':
        if (!(rec.fields?.file && typeof rec.fields.file === 'object')) return sendError(res, { ...b, message: 'file is required' }, 400);
        return sendJson(res, b, { text: state.transcript });
      case 'GET models':
        return sendJson(res, b, { object: 'list', data: modelIds(flavor).map((id) => ({ id, object: 'model', created: 1686935002, owned_by: 'fake' })) });
      default:
        return sendError(res, b, 404, `Unknown route ${req.method} ${rec.path}`);
    }
  };

  const server: Server = createServer(async (req, res) => {
    const raw = await readBody(req);
    const path = (req.url ?? '/').split('?')[0]!;
    const routeName = path.startsWith('/files/') ? 'files' : path.startsWith(prefix + '/') ? path.slice(prefix.length + 1) : path;
    let markClosed: (early: boolean) => void = () => {};
    const rec: RecordedRequest = {
      method: req.method ?? 'GET',
      path,
      route: routeName,
      headers: { ...req.headers },
      raw,
      closedEarly: false,
      closed: new Promise<boolean>((r) => (markClosed = r)),
    };
    res.on('close', () => {
      rec.closedEarly = !res.writableFinished;
      markClosed(rec.closedEarly);
    });
    await parseBody(req, raw, rec);
    requests.push(rec);
    if (routeName !== 'files') {
      openCount += 1;
      maxOpen = Math.max(maxOpen, openCount);
      res.on('close', () => (openCount -= 1));
    }
    notifyWatchers();
    if (holding && routeName !== 'files') await new Promise<void>((resolve) => held.push(resolve));
    try {
      await route(req, res, rec);
    } catch (err) {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' }).end(`fake upstream bug: ${String(err)}`);
      else res.destroy();
    }
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;

  return {
    url: origin + prefix,
    origin,
    port,
    requests,
    setNext(behavior, times = 1) {
      for (let i = 0; i < times; i++) queue.push({ ...behavior });
    },
    script(...behaviors) {
      queue.push(...behaviors.map((b) => ({ ...b })));
    },
    setReply(reply) {
      state.reply = reply;
    },
    setChunking(c) {
      if (c.tokensPerChunk !== undefined) state.tokensPerChunk = c.tokensPerChunk;
      if (c.chunkDelayMs !== undefined) state.chunkDelayMs = c.chunkDelayMs;
    },
    setToolPlanner(planner) {
      state.toolPlanner = planner;
    },
    setReasoning(reasoning) {
      state.reasoning = reasoning;
    },
    setTranscript(text) {
      state.transcript = text;
    },
    addFile(name, bytes, contentType = 'application/octet-stream') {
      files.set(name, { bytes, contentType });
      return `${origin}/files/${name}`;
    },
    holdRequests() {
      holding = true;
    },
    releaseOne() {
      const next = held.shift();
      next?.();
      return next !== undefined;
    },
    releaseAll() {
      holding = false;
      for (const next of held.splice(0)) next();
    },
    get heldCount() {
      return held.length;
    },
    get openCount() {
      return openCount;
    },
    get maxOpen() {
      return maxOpen;
    },
    waitForRequests(check) {
      if (check(requests)) return Promise.resolve();
      return new Promise<void>((resolve) => requestWatchers.push({ check, resolve }));
    },
    reset() {
      holding = false;
      for (const next of held.splice(0)) next();
      maxOpen = openCount;
      requests.length = 0;
      queue = [];
      state = { ...defaults };
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function chunkHasContent(chunk: Record<string, unknown>): boolean {
  const choices = chunk.choices as { delta?: { content?: string } }[] | undefined;
  return Boolean(choices?.[0]?.delta?.content);
}

function promptTokens(body: ChatBody): number {
  let n = 0;
  for (const m of body.messages ?? []) n += tokenize(typeof m.content === 'string' ? m.content : JSON.stringify(m.content)).length;
  return n;
}

function splitBuffer(buf: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) out.push(buf.subarray(i, i + size));
  return out;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of req) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

async function parseBody(req: IncomingMessage, raw: Buffer, rec: RecordedRequest): Promise<void> {
  const type = req.headers['content-type'] ?? '';
  if (type.includes('application/json')) {
    try {
      rec.body = JSON.parse(raw.toString('utf8'));
    } catch {
      rec.body = undefined;
    }
  } else if (type.includes('multipart/form-data')) {
    const form = await new Response(raw, { headers: { 'content-type': type } }).formData();
    const fields: Record<string, string | RecordedFile> = {};
    for (const [name, value] of form.entries()) {
      if (typeof value === 'string') fields[name] = value;
      else {
        const bytes = Buffer.from(await value.arrayBuffer());
        fields[name] = { filename: value.name, type: value.type, size: bytes.length, bytes };
      }
    }
    rec.fields = fields;
  }
}
