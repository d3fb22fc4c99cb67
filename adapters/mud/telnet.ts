// A small telnet byte state machine (RFC 854/855). Bytes go in, in any chunking; tokens come out
// in wire order: data, bare commands (GA, EOR, NOP...), negotiations (WILL/WONT/DO/DONT opt) and
// subnegotiations (SB opt ... SE). IAC IAC inside data or SB is one literal 0xFF byte.

export const IAC = 0xff;
export const DONT = 0xfe;
export const DO = 0xfd;
export const WONT = 0xfc;
export const WILL = 0xfb;
export const SB = 0xfa;
export const GA = 0xf9;
export const NOP = 0xf1;
export const SE = 0xf0;
export const EOR = 0xef;

export const Opt = {
  BINARY: 0,
  ECHO: 1,
  SGA: 3,
  TTYPE: 24,
  EOR: 25,
  NAWS: 31,
  CHARSET: 42,
} as const;

export type NegotiationVerb = 'WILL' | 'WONT' | 'DO' | 'DONT';

export type TelnetToken =
  | { type: 'data'; bytes: Buffer }
  /** A two-byte command other than SB/negotiation: GA (249), EOR (239), NOP (241), ... */
  | { type: 'command'; code: number }
  | { type: 'negotiation'; verb: NegotiationVerb; option: number }
  | { type: 'subnegotiation'; option: number; bytes: Buffer };

const VERB_OF: Record<number, NegotiationVerb> = { [WILL]: 'WILL', [WONT]: 'WONT', [DO]: 'DO', [DONT]: 'DONT' };
export const VERB_CODE: Record<NegotiationVerb, number> = { WILL, WONT, DO, DONT };

/** A hostile or broken server must not grow our memory without bound inside one SB. */
const MAX_SUBNEGOTIATION_BYTES = 8 * 1024;

type State = 'data' | 'iac' | 'verb' | 'sb-option' | 'sb-data' | 'sb-iac';

export class TelnetParser {
  private state: State = 'data';
  private verb: NegotiationVerb = 'WILL';
  private sbOption = 0;
  private sbBytes: number[] = [];
  private sbOverflow = false;

  /** Feeds one chunk; returns the tokens it completes. Data tokens never hold IAC sequences. */
  // eslint-disable-next-line max-lines-per-function -- the byte-level telnet state machine reads best as one loop
  push(chunk: Uint8Array): TelnetToken[] {
    const tokens: TelnetToken[] = [];
    let dataStart = -1;
    const flushData = (end: number) => {
      if (dataStart >= 0 && end > dataStart) tokens.push({ type: 'data', bytes: Buffer.from(chunk.subarray(dataStart, end)) });
      dataStart = -1;
    };
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      switch (this.state) {
        case 'data':
          if (b === IAC) {
            flushData(i);
            this.state = 'iac';
          } else if (dataStart < 0) {
            dataStart = i;
          }
          break;
        case 'iac':
          if (b === IAC) {
            // Escaped 0xFF: a literal data byte.
            tokens.push({ type: 'data', bytes: Buffer.from([IAC]) });
            this.state = 'data';
          } else if (b in VERB_OF) {
            this.verb = VERB_OF[b]!;
            this.state = 'verb';
          } else if (b === SB) {
            this.state = 'sb-option';
          } else {
            tokens.push({ type: 'command', code: b });
            this.state = 'data';
          }
          break;
        case 'verb':
          tokens.push({ type: 'negotiation', verb: this.verb, option: b });
          this.state = 'data';
          break;
        case 'sb-option':
          this.sbOption = b;
          this.sbBytes = [];
          this.sbOverflow = false;
          this.state = 'sb-data';
          break;
        case 'sb-data':
          if (b === IAC) this.state = 'sb-iac';
          else this.addSbByte(b);
          break;
        case 'sb-iac':
          if (b === SE) {
            if (!this.sbOverflow) tokens.push({ type: 'subnegotiation', option: this.sbOption, bytes: Buffer.from(this.sbBytes) });
            this.sbBytes = [];
            this.state = 'data';
          } else if (b === IAC) {
            this.addSbByte(IAC);
            this.state = 'sb-data';
          } else {
            // IAC <cmd> inside SB is a protocol error; keep the byte and stay in SB until SE.
            this.addSbByte(b);
            this.state = 'sb-data';
          }
          break;
      }
    }
    if (this.state === 'data') flushData(chunk.length);
    return tokens;
  }

  private addSbByte(b: number) {
    if (this.sbBytes.length >= MAX_SUBNEGOTIATION_BYTES) {
      this.sbOverflow = true;
      return;
    }
    this.sbBytes.push(b);
  }
}

/** Escapes data for the wire: every 0xFF byte is doubled. */
export function escapeIac(bytes: Uint8Array): Buffer {
  let count = 0;
  for (const b of bytes) if (b === IAC) count++;
  if (count === 0) return Buffer.from(bytes);
  const out = Buffer.alloc(bytes.length + count);
  let j = 0;
  for (const b of bytes) {
    out[j++] = b;
    if (b === IAC) out[j++] = IAC;
  }
  return out;
}

export function negotiation(verb: NegotiationVerb, option: number): Buffer {
  return Buffer.from([IAC, VERB_CODE[verb], option]);
}

export function subnegotiation(option: number, payload: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([IAC, SB, option]), escapeIac(payload), Buffer.from([IAC, SE])]);
}
