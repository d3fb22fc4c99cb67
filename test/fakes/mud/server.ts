/**
 * A fake MUD on 127.0.0.1 for e2e tests: telnet negotiation, a login dialogue, tells, room and
 * channel lines in two styles, ANSI colour, a flood rule, a max input line length, and drops.
 *
 *   const mud = await startFakeMud({ style: 'diku' });        // or 'lpc' (GBK, Chinese lines)
 *   mud.tell('Alice', 'hello');                               // "Alice tells you 'hello'"
 *   await mud.waitForCommand((c) => c.text.startsWith('tell alice'));
 *   mud.commands        // every command a logged-in client sent, decoded, in order
 *   mud.floodKicks      // clients kicked for sending > flood.max commands per flood.windowMs
 *   mud.dropAll();      // cut every connection (the client should reconnect)
 *   mud.sessionViolations // logins of a character that already had a session (must stay empty)
 *   startFakeMud({ linkDead: true })  // a dropped character stays in the game: the next login
 *                                     // is asked "Reconnect to your link-dead body? (y/n)"
 *   await mud.close();
 *
 * Styles:
 * - diku (utf8): "By what name do you wish to be known? " / "Password: " prompts ending with GA,
 *   lines end "\n\r" as Diku does, tells "Alice tells you 'hi'", room "Alice says 'hi'",
 *   channel "[gossip] Alice: hi"; our says/gossips echo back as others see them.
 * - lpc (gbk): prompts with no newline and no GA ("您的英文名字：", "请输入密码："), tells
 *   "爱丽丝(alice)告诉你：...", channel "【闲聊】爱丽丝(alice): ...".
 *
 * Negotiation on connect: WILL SGA, WILL EOR, DO TTYPE, DO NAWS, DO CHARSET; after WILL CHARSET a
 * - evennia (utf8): a connection screen naming `connect <username> <password>`, one login command,
 *   "Username and/or password is incorrect." on a wrong one (the connection stays open, as in
 *   Evennia 6.1), pages "Account Alice pages: hi", room "Alice says, "hi"", whispers
 *   "Alice whispers: "hi"". With `restarted: true` it first shows only " ... Server restarted."
 *   and the connection screen after the client sends any line (Evennia's empty-input look).
 *
 * Negotiation on connect: WILL SGA, WILL EOR, DO TTYPE, DO NAWS, DO CHARSET; after WILL CHARSET a
 * REQUEST ";UTF-8;GBK;BIG5". What the client answered is kept in `negotiated`.
 * The telnet parsing here is deliberately independent of adapters/mud/telnet.ts.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import iconv from 'iconv-lite';

const IAC = 255;
const DONT = 254;
const DO = 253;
const WONT = 252;
const WILL = 251;
const SB = 250;
const GA = 249;
const SE = 240;
const EOR_CMD = 239;
const ECHO = 1;
const SGA = 3;
const TTYPE = 24;
const EOR = 25;
const NAWS = 31;
const CHARSET = 42;

export type MudStyle = 'diku' | 'lpc' | 'evennia';

export interface FakeMudOptions {
  style?: MudStyle;
  /** Accounts: name (lowercase) -> password. Default { parley: 'sekrit-pass' }. */
  accounts?: Record<string, string>;
  /** Flood rule: more than `max` commands within `windowMs` disconnects. Default 10 per 1000 ms. */
  flood?: { max: number; windowMs: number };
  /** Longest command line in bytes; longer ones are cut and counted. Default 256 (Diku's MAX_INPUT_LENGTH). */
  maxInputBytes?: number;
  /** Send telnet negotiation on connect. Default true. */
  negotiate?: boolean;
  /** Colour lines with ANSI escapes. Default true. */
  ansi?: boolean;
  /** Port to listen on (default 0: random). */
  port?: number;
  /** evennia: show only " ... Server restarted." until the client sends a line. */
  restarted?: boolean;
  /** diku/lpc: a character whose connection dropped (no `quit`) stays in the game link-dead;
   * the next login of that character must answer a reconnect question with `y`. */
  linkDead?: boolean;
}

/** A login of a character that was already in the game on another connection. */
export interface SessionViolation {
  character: string;
  /** The connection that logged in, and the one that was still playing. */
  session: number;
  playing: number;
  at: number;
}

/** A successful login. */
export interface LoginRecord {
  character: string;
  session: number;
  /** When its connection was accepted, and when the login succeeded. */
  connectedAt: number;
  at: number;
  /** It took over a link-dead body. */
  reconnected: boolean;
}

export interface ReceivedCommand {
  /** Decoded text (without CR LF). */
  text: string;
  /** Raw bytes as they arrived (after telnet unescaping), for byte-level checks. */
  bytes: Buffer;
  /** Which connection (1, 2, ... in connect order). */
  session: number;
  at: number;
}

export interface Negotiated {
  ttype?: string;
  naws?: { width: number; height: number };
  charset?: string;
  /** Every WILL/WONT/DO/DONT the client sent, as "DO 3". */
  verbs: string[];
}

interface Client {
  socket: Socket;
  session: number;
  connectedAt: number;
  state: 'name' | 'password' | 'reconnect' | 'playing';
  /** Said `quit`: the character left the game instead of going link-dead. */
  quit: boolean;
  /** evennia after a restart: the connection screen waits for the client's first line. */
  screenShown: boolean;
  name: string;
  pending: Buffer;
  times: number[];
  telnet: TelnetIn;
}

/** Minimal client->server telnet decoder: data bytes out, negotiation recorded. */
class TelnetIn {
  private state: 'data' | 'iac' | 'verb' | 'sb' | 'sb-iac' = 'data';
  private verb = 0;
  private sb: number[] = [];
  constructor(private readonly onNeg: (verb: number, opt: number) => void, private readonly onSub: (bytes: number[]) => void) {}

  push(chunk: Buffer): Buffer {
    const out: number[] = [];
    for (const b of chunk) {
      if (this.state === 'data') {
        if (b === IAC) this.state = 'iac';
        else out.push(b);
      } else if (this.state === 'iac') {
        if (b === IAC) {
          out.push(IAC);
          this.state = 'data';
        } else if (b >= WILL && b <= DONT) {
          this.verb = b;
          this.state = 'verb';
        } else if (b === SB) {
          this.sb = [];
          this.state = 'sb';
        } else this.state = 'data';
      } else if (this.state === 'verb') {
        this.onNeg(this.verb, b);
        this.state = 'data';
      } else if (this.state === 'sb') {
        if (b === IAC) this.state = 'sb-iac';
        else this.sb.push(b);
      } else {
        if (b === SE) {
          this.onSub(this.sb);
          this.state = 'data';
        } else {
          this.sb.push(b);
          this.state = 'sb';
        }
      }
    }
    return Buffer.from(out);
  }
}

const VERB_NAME: Record<number, string> = { [WILL]: 'WILL', [WONT]: 'WONT', [DO]: 'DO', [DONT]: 'DONT' };

export interface FakeMud {
  host: string;
  port: number;
  style: MudStyle;
  commands: ReceivedCommand[];
  /** Successful logins so far. */
  logins: number;
  /** TCP connections accepted so far. */
  readonly connections: number;
  floodKicks: number;
  overlongLines: number;
  /** Lines clients sent before logging in (login commands, nudges), decoded, in order. */
  loginLines: string[];
  /** evennia: refused `connect` attempts. */
  loginRejections: number;
  negotiated: Negotiated;
  /** Logged-in sessions right now. */
  readonly online: number;
  /** Every successful login, in order. */
  loginLog: LoginRecord[];
  /** Logins of a character that already had a logged-in connection: two sessions at once. */
  sessionViolations: SessionViolation[];
  /** Characters in the game without a connection (with `linkDead`). */
  readonly linkDeadCharacters: string[];
  /** Sends a raw line (text, encoded for the style) to every logged-in client. */
  broadcast(line: string): void;
  /** Sends raw bytes to every logged-in client (split packets, bare prompts...). */
  broadcastBytes(bytes: Buffer): void;
  /** A tell to the bot from `from` (an id like alice; the lpc style adds a Chinese name). */
  tell(from: string, message: string): void;
  /** Someone in the room says something. */
  say(from: string, message: string): void;
  /** A channel line (gossip / 闲聊). */
  channel(from: string, message: string): void;
  /** evennia: someone whispers to the bot. */
  whisper(from: string, message: string): void;
  /** Waits until a command satisfying `pred` has arrived (checks earlier ones too). */
  waitForCommand(pred: (c: ReceivedCommand) => boolean, timeoutMs?: number): Promise<ReceivedCommand>;
  /** Waits until `n` logins have happened in total. */
  waitForLogins(n: number, timeoutMs?: number): Promise<void>;
  /** Waits until `probe()` is true; checked whenever a command, login or disconnect happens. */
  waitFor(probe: () => boolean, what: string, timeoutMs?: number): Promise<void>;
  dropAll(): void;
  close(): Promise<void>;
}

/** Display names the lpc style shows in front of ids. */
const CHINESE_NAMES: Record<string, string> = { alice: '爱丽丝', bob: '鲍勃', parley: '派利', carol: '卡罗' };

export async function startFakeMud(opts: FakeMudOptions = {}): Promise<FakeMud> {
  const style = opts.style ?? 'diku';
  const encoding = style === 'lpc' ? 'gbk' : 'utf8';
  const evennia = style === 'evennia';
  const accounts = opts.accounts ?? { parley: 'sekrit-pass' };
  const flood = opts.flood ?? { max: 10, windowMs: 1000 };
  const maxInputBytes = opts.maxInputBytes ?? 256;
  const negotiate = opts.negotiate ?? true;
  const ansi = opts.ansi ?? true;
  const clients = new Set<Client>();
  const linkDead = new Set<string>();
  const sockets = new Set<Socket>();
  let sessions = 0;
  const listeners = new Set<() => void>();
  const changed = () => {
    for (const l of listeners) l();
  };

  const color = (code: string, text: string) => (ansi ? `\x1b[${code}m${text}\x1b[0m` : text);
  const eol = style === 'diku' ? '\n\r' : '\r\n';
  const enc = (text: string) => {
    const bytes = iconv.encode(text, encoding);
    // Escape IAC in output data, as a real telnet server must.
    const out: number[] = [];
    for (const b of bytes) {
      out.push(b);
      if (b === IAC) out.push(IAC);
    }
    return Buffer.from(out);
  };
  const writeLine = (c: Client, text: string) => c.socket.write(enc(text + eol));
  const prompt = (c: Client) => {
    if (style === 'diku') c.socket.write(Buffer.concat([enc('> '), Buffer.from([IAC, GA])]));
    else c.socket.write(enc('> '));
  };
  const cname = (id: string) => CHINESE_NAMES[id.toLowerCase()] ?? id;

  const fake: FakeMud = {
    host: '127.0.0.1',
    port: 0,
    style,
    commands: [],
    logins: 0,
    floodKicks: 0,
    overlongLines: 0,
    loginLines: [],
    loginRejections: 0,
    negotiated: { verbs: [] },
    get connections() {
      return sessions;
    },
    get online() {
      return [...clients].filter((c) => c.state === 'playing').length;
    },
    loginLog: [],
    sessionViolations: [],
    get linkDeadCharacters() {
      return [...linkDead];
    },
    broadcast(line) {
      for (const c of clients) if (c.state === 'playing') writeLine(c, line);
    },
    broadcastBytes(bytes) {
      for (const c of clients) if (c.state === 'playing') c.socket.write(bytes);
    },
    tell(from, message) {
      if (evennia) return fake.broadcast(`Account ${from} pages: ${message}`);
      fake.broadcast(
        style === 'diku' ? color('1;35', `${from} tells you '${message}'`) : color('35', `${cname(from)}(${from.toLowerCase()})告诉你：${message}`),
      );
    },
    say(from, message) {
      if (evennia) return fake.broadcast(`${from} says, "${message}"`);
      fake.broadcast(style === 'diku' ? color('36', `${from} says '${message}'`) : `${cname(from)}(${from.toLowerCase()})说道：${message}`);
    },
    channel(from, message) {
      fake.broadcast(style === 'diku' ? color('33', `[gossip] ${from}: ${message}`) : color('1;32', `【闲聊】${cname(from)}(${from.toLowerCase()}): ${message}`));
    },
    whisper(from, message) {
      fake.broadcast(`${from} whispers: "${message}"`);
    },
    waitForCommand(pred, timeoutMs = 8000) {
      return waitUntil(() => fake.commands.find(pred), timeoutMs, 'command');
    },
    async waitForLogins(n, timeoutMs = 8000) {
      await waitUntil(() => (fake.logins >= n ? true : undefined), timeoutMs, `${n} logins`);
    },
    async waitFor(probe, what, timeoutMs = 8000) {
      await waitUntil(() => (probe() ? true : undefined), timeoutMs, what);
    },
    dropAll() {
      for (const s of sockets) s.destroy();
    },
    async close() {
      fake.dropAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  function waitUntil<T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const check = () => {
        const v = probe();
        if (v === undefined) return false;
        cleanup();
        resolve(v);
        return true;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`fake MUD: timed out waiting for ${what}; commands so far: ${JSON.stringify(fake.commands.map((c) => c.text))}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        listeners.delete(check);
      };
      if (!check()) listeners.add(check);
    });
  }

  function onCommand(c: Client, raw: Buffer) {
    let bytes = raw;
    if (bytes.length > maxInputBytes) {
      fake.overlongLines++;
      bytes = bytes.subarray(0, maxInputBytes);
      writeLine(c, 'Line too long, truncated.');
    }
    const text = iconv.decode(bytes, encoding);
    if (c.state !== 'playing') {
      fake.loginLines.push(text);
      changed();
    }
    if (evennia && c.state !== 'playing') return evenniaLogin(c, text.trim());
    if (c.state === 'name') {
      c.name = text.trim().toLowerCase();
      c.state = 'password';
      // Servers turn off the client's local echo for the password.
      c.socket.write(Buffer.from([IAC, WILL, ECHO]));
      c.socket.write(enc(style === 'diku' ? 'Password: ' : '请输入密码：'));
      if (style === 'diku') c.socket.write(Buffer.from([IAC, GA]));
      return;
    }
    if (c.state === 'password') {
      c.socket.write(Buffer.from([IAC, WONT, ECHO]));
      if (accounts[c.name] === undefined || accounts[c.name] !== text) {
        writeLine(c, style === 'diku' ? 'Wrong password.' : '密码错误！');
        c.socket.end();
        return;
      }
      if (linkDead.has(c.name)) {
        c.state = 'reconnect';
        c.socket.write(enc(style === 'diku' ? 'Reconnect to your link-dead body? (y/n) ' : '你的身体还在游戏里，要重新连线吗？(y/n) '));
        if (style === 'diku') c.socket.write(Buffer.from([IAC, GA]));
        return;
      }
      enterGame(c, false);
      return;
    }
    if (c.state === 'reconnect') {
      if (!/^y/i.test(text.trim())) {
        c.socket.end();
        return;
      }
      linkDead.delete(c.name);
      enterGame(c, true);
      return;
    }
    // Playing: the flood rule first, as real MUDs do before parsing.
    const now = Date.now();
    c.times = c.times.filter((t) => now - t < flood.windowMs);
    c.times.push(now);
    fake.commands.push({ text, bytes, session: c.session, at: now });
    if (c.times.length > flood.max) {
      fake.floodKicks++;
      writeLine(c, style === 'diku' ? 'You are flooding! Goodbye.' : '你输入太快了，再见！');
      c.socket.destroy();
      changed();
      return;
    }
    respond(c, text);
    changed();
  }

  /** The password was right: the character is in the game (a second session of it is a violation). */
  function enterGame(c: Client, reconnected: boolean) {
    noteLogin(c, reconnected);
    writeLine(c, '');
    if (reconnected) writeLine(c, style === 'diku' ? 'Reconnecting.' : '重新连线成功。');
    writeLine(c, style === 'diku' ? color('1;37', `Welcome, ${c.name}! You are standing in the Town Square.`) : `欢迎来到泥潭！${cname(c.name)}，你现在站在广场上。`);
    prompt(c);
    changed();
  }

  function noteLogin(c: Client, reconnected: boolean) {
    const now = Date.now();
    const playing = [...clients].find((o) => o !== c && o.state === 'playing' && o.name === c.name);
    if (playing) fake.sessionViolations.push({ character: c.name, session: c.session, playing: playing.session, at: now });
    c.state = 'playing';
    fake.logins++;
    fake.loginLog.push({ character: c.name, session: c.session, connectedAt: c.connectedAt, at: now, reconnected });
  }

  /** Evennia's unlogged-in command set: connect, or the screen again (empty input is `look`). */
  function evenniaLogin(c: Client, text: string) {
    const connect = /^connect\s+(\S+)\s+(.+)$/i.exec(text);
    if (!connect) {
      if (text === '' || text === 'look' || !c.screenShown) evenniaScreen(c);
      else writeLine(c, `Command '${text}' is not available. Type "help" for help.`);
      return;
    }
    const name = connect[1]!.toLowerCase();
    if (accounts[name] === undefined || accounts[name] !== connect[2]) {
      fake.loginRejections++;
      writeLine(c, 'Username and/or password is incorrect.');
      changed();
      return;
    }
    c.name = name;
    noteLogin(c, false);
    writeLine(c, `You become ${name[0]!.toUpperCase()}${name.slice(1)}.`);
    writeLine(c, 'Limbo(#2)');
    writeLine(c, 'Welcome to your new Evennia-based game!');
    changed();
  }

  function evenniaScreen(c: Client) {
    c.screenShown = true;
    for (const line of [
      '==============================================================',
      ' Welcome to Evennia, version 6.1.0!',
      '',
      ' If you have an existing account, connect to it by typing:',
      '      connect <username> <password>',
      " If you need to create an account, type (without the <>'s):",
      '      create <username> <password>',
      '==============================================================',
    ]) {
      writeLine(c, line);
    }
  }

  function respondEvennia(c: Client, text: string) {
    const m = /^(\S*)\s*(.*)$/s.exec(text.trim())!;
    const verb = m[1]!.toLowerCase();
    const addressed = /^(\S+)\s*=\s*(.*)$/s.exec(m[2]!);
    if (verb === 'quit') {
      c.quit = true;
      writeLine(c, 'Quitting. Hope to see you again, soon.');
      c.socket.end();
    } else if (verb === 'say') writeLine(c, `You say, "${m[2]}"`);
    else if (verb === 'page' && addressed) writeLine(c, `You paged ${addressed[1]} with: "${addressed[2]}".`);
    else if (verb === 'whisper' && addressed) writeLine(c, `You whisper to ${addressed[1]}, "${addressed[2]}"`);
    else if (verb === 'look') writeLine(c, 'Limbo(#2)');
    else if (verb !== 'idle') writeLine(c, `Command '${verb}' is not available. Type "help" for help.`);
  }

  function respond(c: Client, text: string) {
    if (evennia) return respondEvennia(c, text);
    const m = /^(\S*)\s*(.*)$/s.exec(text.trim())!;
    const verb = m[1]!.toLowerCase();
    const rest = m[2]!;
    const me = style === 'diku' ? c.name[0]!.toUpperCase() + c.name.slice(1) : cname(c.name);
    if (verb === 'quit') {
      c.quit = true;
      writeLine(c, style === 'diku' ? 'Goodbye, friend.' : '欢迎下次再来！');
      c.socket.end();
      return;
    }
    if (verb === 'tell') {
      const t = /^(\S+)\s+(.*)$/s.exec(rest);
      if (!t) writeLine(c, 'Tell whom what?');
      else writeLine(c, style === 'diku' ? `You tell ${t[1]} '${t[2]}'` : `你告诉${cname(t[1]!)}：${t[2]}`);
    } else if (verb === 'say') {
      // How the room sees it: the bot must not answer its own line.
      writeLine(c, style === 'diku' ? color('36', `${me} says '${rest}'`) : `${me}(${c.name})说道：${rest}`);
    } else if (verb === 'gossip' || verb === 'chat') {
      writeLine(c, style === 'diku' ? color('33', `[gossip] ${me}: ${rest}`) : color('1;32', `【闲聊】${me}(${c.name}): ${rest}`));
    } else if (verb === 'look') {
      writeLine(c, style === 'diku' ? 'The Town Square. Obvious exits: north, south.' : '广场 - 这里是城市的中心。');
    } else {
      writeLine(c, style === 'diku' ? 'Huh?!?' : '什么？');
    }
    prompt(c);
  }

  const server: Server = createServer((socket) => {
    sockets.add(socket);
    const session = ++sessions;
    changed();
    const telnet = new TelnetIn(
      (verb, opt) => {
        fake.negotiated.verbs.push(`${VERB_NAME[verb]} ${opt}`);
        if (verb === WILL && opt === CHARSET) {
          socket.write(Buffer.concat([Buffer.from([IAC, SB, CHARSET, 1]), Buffer.from(';UTF-8;GBK;BIG5', 'latin1'), Buffer.from([IAC, SE])]));
        }
        if (verb === WILL && opt === TTYPE) socket.write(Buffer.from([IAC, SB, TTYPE, 1, IAC, SE]));
      },
      (sb) => {
        const [opt, ...body] = sb;
        if (opt === TTYPE && body[0] === 0) fake.negotiated.ttype = Buffer.from(body.slice(1)).toString('latin1');
        if (opt === NAWS && body.length >= 4) fake.negotiated.naws = { width: (body[0]! << 8) | body[1]!, height: (body[2]! << 8) | body[3]! };
        if (opt === CHARSET && body[0] === 2) fake.negotiated.charset = Buffer.from(body.slice(1)).toString('latin1');
        if (opt === CHARSET && body[0] === 3) fake.negotiated.charset = 'REJECTED';
      },
    );
    const client: Client = { socket, session, connectedAt: Date.now(), state: 'name', quit: false, screenShown: false, name: '', pending: Buffer.alloc(0), times: [], telnet };
    clients.add(client);
    socket.on('data', (chunk) => {
      client.pending = Buffer.concat([client.pending, telnet.push(chunk)]);
      let nl = client.pending.indexOf(0x0a);
      while (nl >= 0 && !socket.destroyed) {
        let line = client.pending.subarray(0, nl);
        client.pending = client.pending.subarray(nl + 1);
        if (line[line.length - 1] === 0x0d) line = line.subarray(0, -1);
        onCommand(client, Buffer.from(line));
        nl = client.pending.indexOf(0x0a);
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (opts.linkDead && client.state === 'playing' && !client.quit) linkDead.add(client.name);
      clients.delete(client);
      sockets.delete(socket);
      changed();
    });
    if (negotiate) {
      socket.write(Buffer.from([IAC, WILL, SGA, IAC, WILL, EOR, IAC, DO, TTYPE, IAC, DO, NAWS, IAC, DO, CHARSET]));
    }
    if (evennia) {
      if (opts.restarted) writeLine(client, ' ... Server restarted.');
      else evenniaScreen(client);
      return;
    }
    socket.write(enc(style === 'diku' ? color('1;33', 'FakeMUD, a DikuMUD derivative') + eol : color('1;33', '【泥潭】一个 LPC 泥巴') + eol));
    socket.write(enc(style === 'diku' ? 'By what name do you wish to be known? ' : '您的英文名字：'));
    if (style === 'diku') socket.write(Buffer.from([IAC, GA]));
  });

  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', () => resolve()));
  fake.port = (server.address() as AddressInfo).port;
  return fake;
}

export { EOR_CMD as TELNET_EOR, GA as TELNET_GA, IAC as TELNET_IAC };
