// What we agree to in telnet option negotiation, as a MUD client. Accept SGA and EOR (prompt
// marks), report a terminal type, offer our window size (NAWS), answer CHARSET (RFC 2066) with the
// profile's encoding, tolerate ECHO/BINARY; refuse everything else. Answers are sent only when an
// option's state changes, so two peers can never ping-pong the same request forever.
import { Opt, negotiation, subnegotiation, type NegotiationVerb, type TelnetToken } from './telnet.js';

const TTYPE_IS = 0;
const TTYPE_SEND = 1;
const CHARSET_REQUEST = 1;
const CHARSET_ACCEPTED = 2;
const CHARSET_REJECTED = 3;
/** NAWS height we report: MUDs rarely use it; a tall window avoids server-side paging. */
const NAWS_HEIGHT = 50;

/** Options the server may enable on its side (it sends WILL, we answer DO). */
const REMOTE_OK = new Set<number>([Opt.SGA, Opt.EOR, Opt.ECHO, Opt.BINARY, Opt.CHARSET]);
/** Options we enable on our side when asked (server sends DO, we answer WILL). */
const LOCAL_OK = new Set<number>([Opt.SGA, Opt.TTYPE, Opt.NAWS, Opt.CHARSET, Opt.BINARY]);

/** Names a server may use in a CHARSET request for each profile encoding. */
const CHARSET_NAMES: Record<string, string[]> = {
  utf8: ['UTF-8', 'UTF8'],
  gbk: ['GBK', 'CP936', 'GB2312', 'GB18030', 'X-GBK'],
  big5: ['BIG5', 'BIG-5', 'CP950', 'BIG5-HKSCS'],
};

export interface NegotiationSettings {
  terminalType: string;
  width: number;
  encoding: string;
}

/** Options we offer (WILL) as soon as we connect, before the server asks. */
const OFFERED_ON_CONNECT = [Opt.NAWS];

export class NegotiationPolicy {
  private readonly remoteOn = new Set<number>();
  private readonly localOn = new Set<number>();
  /** Our WILLs still waiting for the server's DO or DONT (RFC 1143: answer neither with a WILL). */
  private readonly offered = new Set<number>();

  constructor(private readonly settings: NegotiationSettings) {}

  /** What to send on connect: we offer NAWS, so servers that never ask still learn our width. */
  offers(): Buffer[] {
    for (const option of OFFERED_ON_CONNECT) this.offered.add(option);
    return OFFERED_ON_CONNECT.map((option) => negotiation('WILL', option));
  }

  /** Is the server's side of this option on (e.g. EOR: prompts end with IAC EOR)? */
  remoteEnabled(option: number): boolean {
    return this.remoteOn.has(option);
  }

  /** The bytes to send back for one negotiation or subnegotiation token (empty: nothing). */
  answer(token: TelnetToken): Buffer[] {
    if (token.type === 'negotiation') return this.answerVerb(token.verb, token.option);
    if (token.type === 'subnegotiation') return this.answerSub(token.option, token.bytes);
    return [];
  }

  private answerVerb(verb: NegotiationVerb, option: number): Buffer[] {
    switch (verb) {
      case 'WILL':
        if (!REMOTE_OK.has(option)) return [negotiation('DONT', option)];
        if (this.remoteOn.has(option)) return [];
        this.remoteOn.add(option);
        return [negotiation('DO', option)];
      case 'WONT':
        if (!this.remoteOn.delete(option)) return [];
        return [negotiation('DONT', option)];
      case 'DO': {
        if (!LOCAL_OK.has(option)) return [negotiation('WONT', option)];
        if (this.localOn.has(option)) return [];
        this.localOn.add(option);
        // The server accepted our offer: no WILL again, just what follows the agreement.
        const out = this.offered.delete(option) ? [] : [negotiation('WILL', option)];
        // NAWS has no request: the size follows the agreement at once.
        if (option === Opt.NAWS) out.push(this.windowSize());
        return out;
      }
      case 'DONT':
        // A refused offer needs no answer; neither does refusing what is already off.
        if (this.offered.delete(option) || !this.localOn.delete(option)) return [];
        return [negotiation('WONT', option)];
    }
  }

  private answerSub(option: number, bytes: Buffer): Buffer[] {
    if (option === Opt.TTYPE && bytes[0] === TTYPE_SEND) {
      const name = Buffer.from(this.settings.terminalType, 'ascii');
      return [subnegotiation(Opt.TTYPE, Buffer.concat([Buffer.from([TTYPE_IS]), name]))];
    }
    if (option === Opt.CHARSET && bytes[0] === CHARSET_REQUEST) return [this.charsetAnswer(bytes.subarray(1))];
    return [];
  }

  private windowSize(): Buffer {
    const payload = Buffer.alloc(4);
    payload.writeUInt16BE(Math.min(this.settings.width, 0xffff), 0);
    payload.writeUInt16BE(NAWS_HEIGHT, 2);
    return subnegotiation(Opt.NAWS, payload);
  }

  /** RFC 2066: `REQUEST [TTABLE ...] <sep><name><sep><name>...`; we pick our encoding or reject. */
  private charsetAnswer(body: Buffer): Buffer {
    let text = body.toString('latin1');
    if (text.startsWith('[TTABLE]')) text = text.slice('[TTABLE]'.length + 1);
    const sep = text[0];
    const offered = sep ? text.slice(1).split(sep).filter(Boolean) : [];
    const wanted = CHARSET_NAMES[this.settings.encoding] ?? [this.settings.encoding.toUpperCase()];
    const pick = offered.find((name) => wanted.includes(name.trim().toUpperCase()));
    if (!pick) return subnegotiation(Opt.CHARSET, Buffer.from([CHARSET_REJECTED]));
    return subnegotiation(Opt.CHARSET, Buffer.concat([Buffer.from([CHARSET_ACCEPTED]), Buffer.from(pick.trim(), 'latin1')]));
  }
}
