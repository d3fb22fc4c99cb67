// The ops server: /healthz (alive), /readyz (every surface up, store reachable, not shutting
// down), /metrics (Prometheus), / (status page) and /events (its live updates over SSE).
// Everything but /healthz needs the bearer token when one is set.
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log.js';
import type { HistoryStore } from '../store/types.js';
import type { OpsEvents } from './events.js';
import { createMetrics, type Metrics } from './metrics.js';
import { renderPage, renderStatus } from './page.js';
import { StatusBoard } from './status.js';
import type { SurfaceMonitor } from './surfaces.js';

/** How often surfaces are sampled and the page's elapsed times tick. */
const TICK_MS = 1000;
/** Changes closer together than this reach the page as one update. */
const PUSH_COALESCE_MS = 200;
const STORE_CHECK_TIMEOUT_MS = 2000;

export interface OpsServerOptions {
  port: number;
  host: string;
  token?: string;
  showContent: boolean;
  events: OpsEvents;
  surfaces: SurfaceMonitor;
  store: HistoryStore;
  queueDepth: () => number;
  logger: Logger;
}

export interface OpsServer {
  /** The bound address (port 0 picks a free one). */
  url: string;
  metrics: Metrics;
  board: StatusBoard;
  close(): Promise<void>;
}

export async function startOpsServer(opts: OpsServerOptions): Promise<OpsServer> {
  const log = opts.logger.child({ component: 'ops' });
  const syncReady = () => !opts.surfaces.shuttingDown && opts.surfaces.sample().every((s) => s.up);
  const board = new StatusBoard(opts.events, opts.surfaces, { showContent: opts.showContent, isReady: syncReady });
  const metrics = createMetrics({ events: opts.events, queueDepth: opts.queueDepth, surfaces: () => opts.surfaces.sample() });
  const streams = new Set<ServerResponse>();

  let pushTimer: NodeJS.Timeout | undefined;
  const push = () => {
    pushTimer = undefined;
    if (streams.size === 0) return;
    const frame = sseFrame(renderStatus(board.snapshot()));
    for (const res of streams) res.write(frame);
  };
  const schedulePush = () => {
    pushTimer ??= setTimeout(push, PUSH_COALESCE_MS);
  };
  const stopListening = board.onChange(schedulePush);
  // Sampling also turns surface changes into events (and the MUD reconnect count).
  const ticker = setInterval(() => {
    opts.surfaces.sample();
    if (board.busy) schedulePush();
  }, TICK_MS);
  ticker.unref();

  const app: OpsApp = { opts, log, board, metrics, streams };
  const server: Server = createServer((req, res) => {
    handle(app, req, res).catch((err: unknown) => {
      log.error({ err }, 'ops request failed');
      if (!res.headersSent) send(res, 500, 'text/plain', 'internal error\n');
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const url = `http://${host}:${addr.port}`;
  log.info({ url }, 'ops server listening');

  return {
    url,
    metrics,
    board,
    async close() {
      clearInterval(ticker);
      clearTimeout(pushTimer);
      stopListening();
      board.close();
      metrics.stop();
      for (const res of streams) res.end();
      streams.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

/** What a request handler reads. */
interface OpsApp {
  opts: OpsServerOptions;
  log: Logger;
  board: StatusBoard;
  metrics: Metrics;
  streams: Set<ServerResponse>;
}

async function handle(app: OpsApp, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { opts, board, metrics, streams } = app;
  const url = new URL(req.url ?? '/', 'http://ops');
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'method not allowed\n');
  if (url.pathname === '/healthz') return send(res, 200, 'text/plain', 'ok\n');
  if (opts.token && !authorized(req, url, opts.token)) {
    res.setHeader('WWW-Authenticate', 'Bearer');
    return send(res, 401, 'text/plain', 'unauthorized\n');
  }
  switch (url.pathname) {
    case '/readyz': {
      const surfaces = opts.surfaces.sample();
      const notReady = surfaces.filter((s) => !s.up).map((s) => s.platform as string);
      if (!(await storeReachable(opts.store, app.log))) notReady.push('store');
      if (opts.surfaces.shuttingDown) notReady.unshift('shutting down');
      const ready = notReady.length === 0;
      return send(res, ready ? 200 : 503, 'application/json', JSON.stringify({ ready, notReady, surfaces }) + '\n');
    }
    case '/metrics':
      return send(res, 200, metrics.contentType, await metrics.render());
    case '/':
      return send(res, 200, 'text/html; charset=utf-8', renderPage(board.snapshot()));
    case '/events':
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
      res.write(sseFrame(renderStatus(board.snapshot())));
      streams.add(res);
      req.on('close', () => streams.delete(res));
      return;
    default:
      return send(res, 404, 'text/plain', 'not found\n');
  }
}

/** Whether the history store answers within STORE_CHECK_TIMEOUT_MS. */
async function storeReachable(store: HistoryStore, log: Logger): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), STORE_CHECK_TIMEOUT_MS);
  });
  const check = store.counter('ops:readyz').then(
    () => true,
    (err: unknown) => {
      log.warn({ err }, 'store check failed');
      return false;
    },
  );
  try {
    return await Promise.race([check, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

/** `Authorization: Bearer <token>`, or `?token=` for the browser page and its event stream. */
function authorized(req: IncomingMessage, url: URL, token: string): boolean {
  const header = req.headers.authorization;
  const given = header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : (url.searchParams.get('token') ?? '');
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** One SSE message; every line of a multi-line payload gets its own `data:` field. */
export function sseFrame(data: string): string {
  return data
    .split('\n')
    .map((line) => `data: ${line}`)
    .join('\n') + '\n\n';
}
