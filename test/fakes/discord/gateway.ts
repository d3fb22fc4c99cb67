// The fake Discord gateway: plain-JSON frames over `ws` (no zlib-sync, so no compression).
// HELLO → IDENTIFY → READY (+ GUILD_CREATE per guild); heartbeats ACKed; RESUME replays what
// the client missed and ends with RESUMED; dispatches are numbered and kept for replays.
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
  ready: (sessionId: string, resumeUrl: string) => Record<string, unknown>;
  /** GUILD_CREATE payloads sent after READY. */
  guilds: () => Record<string, unknown>[];
  /** Answer every IDENTIFY by closing with this code (e.g. 4014: a privileged intent not enabled). */
  identifyCloseCode?: number;
}

/** What Discord says with the close codes a bot cannot recover from. */
const CLOSE_REASONS: Record<number, string> = {
  4004: 'Authentication failed.',
  4013: 'Invalid intent(s).',
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

/** Events: 'identify', 'resume' ({seq}), 'resumed', 'heartbeat', 'connection', 'close' ({code}). */
export class FakeGateway extends EventEmitter {
  private readonly wss = new WebSocketServer({ noServer: true });
  private socket: WebSocket | undefined;
  private sessionId: string | undefined;
  private seq = 0;
  /** Every dispatch of the current session, for RESUME replays. */
  private readonly sent: Dispatched[] = [];
  private ready = false;
  identifyCount = 0;
  resumeCount = 0;
  heartbeatCount = 0;
  /** Intents the client asked for in its last IDENTIFY. */
  lastIntents: number | undefined;

  constructor(
    private readonly opts: GatewayOptions,
    private readonly baseWsUrl: () => string,
  ) {
    super();
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
  }

  /** True while a client is connected and past READY/RESUMED. */
  get connected(): boolean {
    return Boolean(this.socket) && this.ready;
  }

  /** Sends a dispatch now, or keeps it for the RESUME replay while the client is away. */
  dispatch(t: string, d: unknown): void {
    const event = { s: ++this.seq, t, d };
    this.sent.push(event);
    if (this.socket && this.ready) this.write({ op: OP.Dispatch, ...event });
  }

  /**
   * Closes the client's socket: 4000 (the default) like a Discord hiccup, which the client
   * resumes from; 4004 like a token reset while the bot runs, which it cannot.
   */
  dropConnection(code = 4000): void {
    this.ready = false;
    this.socket?.close(code, 'fake: connection dropped');
    this.socket = undefined;
  }

  async close(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private accept(ws: WebSocket): void {
    // One shard: a new connection replaces the old one.
    this.socket?.terminate();
    this.socket = ws;
    this.ready = false;
    this.emit('connection');
    ws.on('message', (data) => this.onFrame(ws, data.toString()));
    ws.on('close', (code) => {
      if (this.socket === ws) {
        this.socket = undefined;
        this.ready = false;
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
        return this.onIdentify(ws, frame.d as { token: string; intents: number });
      case OP.Resume:
        return this.onResume(ws, frame.d as { token: string; session_id: string; seq: number });
      default:
        // Presence/voice updates and the like: accepted, ignored.
        return;
    }
  }

  private onIdentify(ws: WebSocket, d: { token: string; intents: number }): void {
    if (!this.tokenMatches(d.token)) {
      ws.close(4004, 'Authentication failed.');
      return;
    }
    if (this.opts.identifyCloseCode !== undefined) {
      ws.close(this.opts.identifyCloseCode, CLOSE_REASONS[this.opts.identifyCloseCode] ?? 'fake: identify refused');
      return;
    }
    this.identifyCount++;
    this.lastIntents = d.intents;
    this.sessionId = `session-${this.identifyCount}-${Date.now()}`;
    this.seq = 0;
    this.sent.length = 0;
    this.ready = true;
    this.emit('identify', { intents: d.intents });
    this.dispatch('READY', this.opts.ready(this.sessionId, this.baseWsUrl()));
    for (const guild of this.opts.guilds()) this.dispatch('GUILD_CREATE', guild);
  }

  private onResume(ws: WebSocket, d: { token: string; session_id: string; seq: number }): void {
    if (!this.tokenMatches(d.token)) {
      ws.close(4004, 'Authentication failed.');
      return;
    }
    if (d.session_id !== this.sessionId) {
      // Not resumable: the client must identify afresh.
      this.write({ op: OP.InvalidSession, d: false }, ws);
      return;
    }
    this.resumeCount++;
    this.emit('resume', { seq: d.seq });
    for (const event of this.sent) {
      if (event.s > d.seq) this.write({ op: OP.Dispatch, ...event }, ws);
    }
    this.ready = true;
    this.write({ op: OP.Dispatch, s: ++this.seq, t: 'RESUMED', d: {} }, ws);
    this.emit('resumed');
  }

  private tokenMatches(token: string): boolean {
    return token.replace(/^Bot\s+/i, '') === this.opts.token;
  }

  private write(frame: Frame, ws: WebSocket | undefined = this.socket): void {
    if (ws && ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
  }
}
