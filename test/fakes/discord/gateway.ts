// The fake Discord gateway: plain-JSON frames over `ws` (no zlib-sync, so no compression).
// HELLO → IDENTIFY → READY (+ GUILD_CREATE per guild); heartbeats ACKed; RESUME replays what
// the client missed and ends with RESUMED; dispatches are numbered and kept for replays.
// Sharding as Discord does it: IDENTIFY names `shard: [k, n]`; a shard's events reach every live
// session of that shard (two owners of one shard would both answer, as on the real gateway).
import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';

export const GATEWAY_PATH = '/gateway';

const OP = { Dispatch: 0, Heartbeat: 1, Identify: 2, Resume: 6, Reconnect: 7, InvalidSession: 9, Hello: 10, HeartbeatAck: 11 } as const;

export interface GatewayOptions {
  heartbeatIntervalMs: number;
  /** The token IDENTIFY/RESUME must carry; a wrong one closes with 4004 like Discord. */
  token: string;
  /** Builds READY's `d` for a new session. */
  ready: (sessionId: string, resumeUrl: string, shard: number) => Record<string, unknown>;
  /** GUILD_CREATE payloads sent after READY, for the shard that identified. */
  guilds: (shard: number) => Record<string, unknown>[];
  /** Shards the gateway serves (default 1); IDENTIFY must name `[k, shardCount]`. */
  shardCount?: number;
  /** Discord's identify window (5 s per rate-limit key): an IDENTIFY closer than this to the
   * previous one is counted in `identifiesTooSoon`. Default 0: not checked. */
  identifyIntervalMs?: number;
  /** Answer every IDENTIFY by closing with this code (e.g. 4014: a privileged intent not enabled). */
  identifyCloseCode?: number;
}

/** What Discord says with the close codes a bot cannot recover from. */
const CLOSE_REASONS: Record<number, string> = {
  4004: 'Authentication failed.',
  4013: 'Invalid intent(s).',
  4010: 'Invalid shard.',
  4014: 'Disallowed intent(s).',
};

interface Frame {
  op: number;
  d?: unknown;
  s?: number | null;
  t?: string | null;
}

interface Dispatched {
  s: number;
  t: string;
  d: unknown;
}

interface Identify {
  token: string;
  intents: number;
  shard?: [number, number];
}

/** One gateway session: a shard's numbered dispatches, kept for RESUME replays. */
interface Session {
  id: string;
  shard: number;
  socket: WebSocket | undefined;
  ready: boolean;
  seq: number;
  sent: Dispatched[];
}

/** An IDENTIFY the gateway accepted. */
export interface IdentifyRecord {
  shard: number;
  at: number;
  sessionId: string;
}

/** Events: 'identify' ({intents, shard}), 'resume' ({seq}), 'resumed', 'heartbeat', 'connection', 'close' ({code}). */
export class FakeGateway extends EventEmitter {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly sessions = new Map<string, Session>();
  /** The session each open socket belongs to (none before IDENTIFY/RESUME). */
  private readonly sessionOf = new Map<WebSocket, Session>();
  readonly shardCount: number;
  identifyCount = 0;
  resumeCount = 0;
  heartbeatCount = 0;
  /** Intents the client asked for in its last IDENTIFY. */
  lastIntents: number | undefined;
  /** Every accepted IDENTIFY, in order. */
  readonly identifies: IdentifyRecord[] = [];
  /** IDENTIFYs that came within identifyIntervalMs of the previous one. */
  identifiesTooSoon = 0;
  /** IDENTIFYs for a shard that already had a connected session: two owners of one shard. */
  shardOverlaps = 0;

  constructor(
    private readonly opts: GatewayOptions,
    private readonly baseWsUrl: () => string,
  ) {
    super();
    this.shardCount = opts.shardCount ?? 1;
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
  }

  /** True while every shard has a client connected and past READY/RESUMED. */
  get connected(): boolean {
    return Array.from({ length: this.shardCount }, (_, k) => k).every((k) => this.isConnected(k));
  }

  isConnected(shard: number): boolean {
    return this.live(shard).length > 0;
  }

  /** Sends a dispatch to the shard's sessions now, or keeps it for their RESUME replay while away. */
  dispatch(t: string, d: unknown, shard = 0): void {
    for (const session of this.sessions.values()) if (session.shard === shard) this.dispatchTo(session, t, d);
  }

  /**
   * Closes clients' sockets (every shard's, or one): 4000 (the default) like a Discord hiccup,
   * which the client resumes from; 4004 like a token reset while the bot runs, which it cannot.
   */
  dropConnection(code = 4000, shard?: number): void {
    for (const session of this.sessions.values()) {
      if (shard !== undefined && session.shard !== shard) continue;
      session.ready = false;
      session.socket?.close(code, 'fake: connection dropped');
      session.socket = undefined;
    }
  }

  async close(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private live(shard: number): Session[] {
    return [...this.sessions.values()].filter((s) => s.shard === shard && s.socket && s.ready);
  }

  private accept(ws: WebSocket): void {
    this.emit('connection');
    ws.on('message', (data) => this.onFrame(ws, data.toString()));
    ws.on('close', (code) => {
      const session = this.sessionOf.get(ws);
      this.sessionOf.delete(ws);
      if (session?.socket === ws) {
        session.socket = undefined;
        session.ready = false;
      }
      this.emit('close', { code });
    });
    this.write({ op: OP.Hello, d: { heartbeat_interval: this.opts.heartbeatIntervalMs } }, ws);
  }

  private onFrame(ws: WebSocket, raw: string): void {
    let frame: Frame;
    try {
      frame = JSON.parse(raw) as Frame;
    } catch {
      ws.close(4002, 'Error while decoding payload.');
      return;
    }
    switch (frame.op) {
      case OP.Heartbeat:
        this.heartbeatCount++;
        this.write({ op: OP.HeartbeatAck }, ws);
        this.emit('heartbeat');
        return;
      case OP.Identify:
        return this.onIdentify(ws, frame.d as Identify);
      case OP.Resume:
        return this.onResume(ws, frame.d as { token: string; session_id: string; seq: number });
      default:
        // Presence/voice updates and the like: accepted, ignored.
        return;
    }
  }

  private onIdentify(ws: WebSocket, d: Identify): void {
    if (!this.tokenMatches(d.token)) {
      ws.close(4004, 'Authentication failed.');
      return;
    }
    if (this.opts.identifyCloseCode !== undefined) {
      ws.close(this.opts.identifyCloseCode, CLOSE_REASONS[this.opts.identifyCloseCode] ?? 'fake: identify refused');
      return;
    }
    const [shard, count] = d.shard ?? [0, 1];
    if (count !== this.shardCount || shard < 0 || shard >= count) {
      ws.close(4010, CLOSE_REASONS[4010]);
      return;
    }
    const now = Date.now();
    const previous = this.identifies.at(-1);
    if (this.opts.identifyIntervalMs && previous && now - previous.at < this.opts.identifyIntervalMs) this.identifiesTooSoon++;
    if (this.live(shard).length > 0) this.shardOverlaps++;
    // Sessions nobody is connected to are gone once the shard identifies afresh.
    for (const [id, s] of this.sessions) if (s.shard === shard && !s.socket) this.sessions.delete(id);
    this.identifyCount++;
    this.lastIntents = d.intents;
    const session: Session = { id: `session-${this.identifyCount}-${now}`, shard, socket: ws, ready: true, seq: 0, sent: [] };
    this.sessions.set(session.id, session);
    this.sessionOf.set(ws, session);
    this.identifies.push({ shard, at: now, sessionId: session.id });
    this.emit('identify', { intents: d.intents, shard });
    this.dispatchTo(session, 'READY', { ...this.opts.ready(session.id, this.baseWsUrl(), shard), ...(d.shard ? { shard: d.shard } : {}) });
    for (const guild of this.opts.guilds(shard)) this.dispatchTo(session, 'GUILD_CREATE', guild);
  }

  private dispatchTo(session: Session, t: string, d: unknown): void {
    const event = { s: ++session.seq, t, d };
    session.sent.push(event);
    if (session.socket && session.ready) this.write({ op: OP.Dispatch, ...event }, session.socket);
  }

  private onResume(ws: WebSocket, d: { token: string; session_id: string; seq: number }): void {
    if (!this.tokenMatches(d.token)) {
      ws.close(4004, 'Authentication failed.');
      return;
    }
    const session = this.sessions.get(d.session_id);
    if (!session) {
      // Not resumable: the client must identify afresh.
      this.write({ op: OP.InvalidSession, d: false }, ws);
      return;
    }
    this.resumeCount++;
    this.emit('resume', { seq: d.seq });
    if (session.socket && session.socket !== ws) session.socket.terminate();
    session.socket = ws;
    this.sessionOf.set(ws, session);
    for (const event of session.sent) {
      if (event.s > d.seq) this.write({ op: OP.Dispatch, ...event }, ws);
    }
    session.ready = true;
    this.write({ op: OP.Dispatch, s: ++session.seq, t: 'RESUMED', d: {} }, ws);
    this.emit('resumed');
  }

  private tokenMatches(token: string): boolean {
    return token.replace(/^Bot\s+/i, '') === this.opts.token;
  }

  private write(frame: Frame, ws: WebSocket): void {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
  }
}
