// One character's life in the game over node:net: connect, negotiate, log in, wait for the ready
// pattern, hand out lines, keep alive, and after a drop reconnect with exponential backoff and
// jitter and log in again. Every command goes through the shared PacedWriter.
import { Socket } from 'node:net';
import iconv from 'iconv-lite';
import type { Logger } from '../../src/log.js';
import { LineDecoder, type LineKind } from './lines.js';
import { NegotiationPolicy } from './negotiation.js';
import type { Profile } from './profile.js';
import { EOR, GA, TelnetParser, escapeIac } from './telnet.js';
import { PacedWriter } from './writer.js';

const CRLF = Buffer.from('\r\n');
/** How long a clean `quit` may take before we just close the socket. */
const QUIT_GRACE_MS = 1_500;
/** How long stop() lets queued replies go out before quitting. */
const DRAIN_ON_STOP_MS = 5_000;

export type ConnectionState = 'idle' | 'connecting' | 'login' | 'ready' | 'backoff' | 'stopped';

export interface ConnectionEvents {
  /** A complete game line, after login, ANSI stripped. */
  onLine?: (text: string) => void;
  onReady?: () => void;
  onDisconnect?: (reason: string) => void;
  /** The game refused the login for good (wrong password): the connection has stopped. */
  onFatal?: (reason: string) => void;
}

export interface MudConnectionOptions extends ConnectionEvents {
  profile: Profile;
  logger: Logger;
  /** For tests: replaces Math.random in the backoff jitter. */
  random?: () => number;
}

/** Full jitter over the upper half: spreads reconnects of many bots without ever waiting 0. */
export function backoffDelay(attempt: number, initialMs: number, maxMs: number, random = Math.random): number {
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling * (0.5 + 0.5 * random()));
}

export class MudConnection {
  readonly writer: PacedWriter;
  private socket?: Socket;
  private _state: ConnectionState = 'idle';
  private attempt = 0;
  private loginIndex = 0;
  private reconnectTimer?: NodeJS.Timeout;
  private loginTimer?: NodeJS.Timeout;
  private nudgeTimer?: NodeJS.Timeout;
  /** The last line seen while logging in, so a timeout can say where it got stuck. */
  private lastLoginLine = '';
  private keepaliveTimer?: NodeJS.Timeout;
  private readonly decoder: LineDecoder;
  private readonly log: Logger;
  private readyWaiters: (() => void)[] = [];

  constructor(private readonly opts: MudConnectionOptions) {
    const { profile } = opts;
    this.log = opts.logger;
    this.writer = new PacedWriter({
      pacingMs: profile.pacingMs,
      onDrop: () => this.log.warn('MUD reply queue full: dropped the oldest line'),
    });
    this.decoder = new LineDecoder({
      encoding: profile.encoding,
      promptFlushMs: profile.promptFlushMs,
      onLine: (text, kind) => this.handleLine(text, kind),
    });
  }

  get state(): ConnectionState {
    return this._state;
  }

  start(): void {
    if (this._state !== 'idle') return;
    this.connect();
    const keepalive = this.opts.profile.keepalive;
    if (keepalive) {
      // Check often enough that an idle character speaks within ~10% of everyMs.
      this.keepaliveTimer = setInterval(() => this.maybeKeepalive(), Math.max(50, Math.floor(keepalive.everyMs / 10)));
      this.keepaliveTimer.unref?.();
    }
  }

  /** Resolves the next time the character is in the game (now, if it already is). */
  whenReady(): Promise<void> {
    if (this._state === 'ready') return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  /** Sends a chat command through the paced queue; resolves once written. */
  send(command: string): Promise<void> {
    return this.writer.enqueue(command, 'chat');
  }

  /** Lets queued replies go out, says `quit`, closes. Never reconnects afterwards. */
  async stop(): Promise<void> {
    if (this._state === 'stopped') return;
    const wasReady = this._state === 'ready';
    this.clearTimers();
    if (wasReady) await this.writer.drained(DRAIN_ON_STOP_MS);
    this._state = 'stopped';
    const socket = this.socket;
    if (socket && !socket.destroyed && wasReady && this.opts.profile.quit) {
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      const quit = this.writer.enqueue(this.opts.profile.quit, 'control').catch(() => undefined);
      await Promise.race([quit.then(() => closed), delay(QUIT_GRACE_MS)]);
    }
    this.close();
  }

  /** Closes the socket now: no drain, no `quit` (another instance may log in any moment; the
   * character stays behind link-dead for it). Never reconnects afterwards. */
  drop(): void {
    if (this._state === 'stopped') return;
    this.clearTimers();
    this._state = 'stopped';
    this.close();
  }

  private close(): void {
    this.writer.close();
    this.decoder.dispose();
    this.socket?.destroy();
    this.socket = undefined;
  }

  private connect(): void {
    const { profile } = this.opts;
    this._state = 'connecting';
    this.decoder.reset();
    this.writer.clearControl();
    const parser = new TelnetParser();
    const policy = new NegotiationPolicy({ terminalType: profile.terminalType, width: profile.wrap, encoding: profile.encoding });
    const socket = new Socket();
    this.socket = socket;
    socket.setNoDelay(true);
    socket.setKeepAlive(true);

    socket.on('connect', () => {
      this.log.info({ host: profile.host, port: profile.port }, 'MUD connected');
      this._state = 'login';
      this.loginIndex = 0;
      this.lastLoginLine = '';
      for (const offer of policy.offers()) socket.write(offer);
      this.writer.attach((command) => this.writeCommand(socket, command));
      this.loginTimer = setTimeout(() => {
        this.log.warn({ step: this.loginIndex, lastLine: this.lastLoginLine }, 'MUD login timed out');
        socket.destroy();
      }, profile.loginTimeoutMs);
      this.loginTimer.unref?.();
      // A server just after a reboot may show nothing until it hears from us (Evennia sends only
      // " ... Server restarted."): one nudge instead of a silent wait for the full timeout.
      this.nudgeTimer = setTimeout(() => this.maybeNudge(), profile.loginNudge.afterMs);
      this.nudgeTimer.unref?.();
    });
    socket.on('data', (chunk: Buffer) => {
      for (const token of parser.push(chunk)) {
        // A refused login stops the connection in the middle of a chunk: drop the rest.
        if (socket !== this.socket) return;
        if (token.type === 'data') this.decoder.push(token.bytes);
        else if (token.type === 'command') {
          if (token.code === GA || token.code === EOR) this.decoder.markPromptEnd();
        } else {
          for (const reply of policy.answer(token)) if (!socket.destroyed) socket.write(reply);
        }
      }
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      this.log.warn({ code: err.code, message: err.message }, 'MUD socket error');
    });
    socket.on('close', () => this.onClose(socket));
    socket.connect(profile.port, profile.host);
  }

  private writeCommand(socket: Socket, command: string): boolean {
    if (socket.destroyed || !socket.writable) return false;
    const bytes = escapeIac(iconv.encode(command, this.opts.profile.encoding));
    socket.write(Buffer.concat([bytes, CRLF]));
    return true;
  }

  private onClose(socket: Socket): void {
    if (socket !== this.socket) return;
    const wasReady = this._state === 'ready';
    this.clearTimer('loginTimer');
    this.clearTimer('nudgeTimer');
    this.writer.attach(undefined);
    this.socket = undefined;
    if (this._state === 'stopped') return;
    this.opts.onDisconnect?.(wasReady ? 'connection dropped' : 'could not log in');
    const wait = backoffDelay(this.attempt++, this.opts.profile.reconnect.initialMs, this.opts.profile.reconnect.maxMs, this.opts.random);
    this.log.warn({ wasReady, retryInMs: wait, attempt: this.attempt }, 'MUD connection closed; reconnecting');
    this._state = 'backoff';
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.connect();
    }, wait);
  }

  private handleLine(text: string, kind: LineKind): void {
    if (this._state === 'ready') {
      if (kind === 'line') this.opts.onLine?.(text);
      return;
    }
    if (this._state !== 'login') return;
    this.lastLoginLine = text;
    if (this.opts.profile.loginRejected?.test(text)) return this.giveUp(text);
    this.advanceLogin(text);
  }

  /** Sends the nudge once if the game has shown no login prompt since we connected. */
  private maybeNudge(): void {
    this.nudgeTimer = undefined;
    if (this._state !== 'login' || this.loginIndex > 0) return;
    this.log.info({ lastLine: this.lastLoginLine }, 'MUD showed no login prompt: sending the nudge line');
    void this.writer.enqueue(this.opts.profile.loginNudge.send, 'control').catch(() => undefined);
  }

  /** The game said no to our login: retrying would only repeat it (and may lock the account). */
  private giveUp(line: string): void {
    const { profile } = this.opts;
    const reason = `MUD ${profile.id} (${profile.host}:${profile.port}) refused the login of ${profile.name}: "${line.trim()}"`;
    this.clearTimers();
    this._state = 'stopped';
    this.writer.close();
    this.decoder.dispose();
    const socket = this.socket;
    this.socket = undefined;
    socket?.destroy();
    this.opts.onFatal?.(reason);
  }

  /** One login step per line or prompt: the next step whose expect matches, else ready. */
  private advanceLogin(text: string): void {
    const { login, ready } = this.opts.profile;
    let i = this.loginIndex;
    while (i < login.length) {
      const step = login[i]!;
      if (step.expect.test(text)) {
        this.loginIndex = i + 1;
        this.log.debug({ step: i, send: step.secret ? '[secret]' : step.send }, 'MUD login step');
        void this.writer.enqueue(step.send, 'control').catch(() => undefined);
        return;
      }
      if (!step.optional) break;
      i++;
    }
    const remainingRequired = login.slice(this.loginIndex).some((s) => !s.optional);
    if (!remainingRequired && ready.test(text)) this.becomeReady();
  }

  private becomeReady(): void {
    this.clearTimer('loginTimer');
    this.clearTimer('nudgeTimer');
    this._state = 'ready';
    this.attempt = 0;
    this.log.info('MUD character is in the game');
    this.writer.openChat(true);
    this.opts.onReady?.();
    for (const w of this.readyWaiters.splice(0)) w();
  }

  private maybeKeepalive(): void {
    const keepalive = this.opts.profile.keepalive;
    if (!keepalive || this._state !== 'ready' || this.writer.queued > 0) return;
    if (performance.now() - this.writer.lastWrite >= keepalive.everyMs) {
      void this.writer.enqueue(keepalive.send, 'chat').catch(() => undefined);
    }
  }

  private clearTimers(): void {
    this.clearTimer('reconnectTimer');
    this.clearTimer('loginTimer');
    this.clearTimer('nudgeTimer');
    if (this.keepaliveTimer) clearInterval(this.keepaliveTimer);
    this.keepaliveTimer = undefined;
  }

  private clearTimer(name: 'reconnectTimer' | 'loginTimer' | 'nudgeTimer') {
    const t = this[name];
    if (t) clearTimeout(t);
    this[name] = undefined;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    t.unref?.();
  });
}
