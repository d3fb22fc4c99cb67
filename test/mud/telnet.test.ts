import { describe, expect, it } from 'vitest';
import { EOR, GA, IAC, NOP, Opt, SB, SE, TelnetParser, WILL, DO, DONT, WONT, escapeIac, subnegotiation, type TelnetToken } from '../../adapters/mud/telnet.js';

/** Joins adjacent data tokens: how a stream is chunked must not change what it means. */
function normalize(tokens: TelnetToken[]): unknown[] {
  const out: unknown[] = [];
  for (const t of tokens) {
    const last = out[out.length - 1] as { type: string; bytes: number[] } | undefined;
    if (t.type === 'data') {
      if (last?.type === 'data') last.bytes.push(...t.bytes);
      else out.push({ type: 'data', bytes: [...t.bytes] });
    } else if (t.type === 'subnegotiation') out.push({ ...t, bytes: [...t.bytes] });
    else out.push(t);
  }
  return out;
}

function parseChunks(chunks: Uint8Array[]): unknown[] {
  const p = new TelnetParser();
  return normalize(chunks.flatMap((c) => p.push(c)));
}

const b = (...parts: (number | string)[]) => Buffer.concat(parts.map((x) => (typeof x === 'number' ? Buffer.from([x]) : Buffer.from(x, 'latin1'))));
const data = (s: string | number[]) => ({ type: 'data', bytes: typeof s === 'string' ? [...Buffer.from(s, 'latin1')] : s });

/** Named wire sequences and what they must parse to. */
const CASES: { name: string; wire: Buffer; tokens: unknown[] }[] = [
  { name: 'plain text', wire: b('hello\r\n'), tokens: [data('hello\r\n')] },
  { name: 'prompt then GA', wire: b('> ', IAC, GA), tokens: [data('> '), { type: 'command', code: GA }] },
  { name: 'prompt then EOR', wire: b('HP:10> ', IAC, EOR), tokens: [data('HP:10> '), { type: 'command', code: EOR }] },
  { name: 'NOP between text', wire: b('a', IAC, NOP, 'b'), tokens: [data('a'), { type: 'command', code: NOP }, data('b')] },
  { name: 'escaped IAC in data', wire: b('x', IAC, IAC, 'y'), tokens: [data([0x78, 0xff, 0x79])] },
  { name: 'two escaped IACs', wire: b(IAC, IAC, IAC, IAC), tokens: [data([0xff, 0xff])] },
  {
    name: 'all four verbs',
    wire: b(IAC, WILL, Opt.SGA, IAC, WONT, Opt.ECHO, IAC, DO, Opt.TTYPE, IAC, DONT, 99),
    tokens: [
      { type: 'negotiation', verb: 'WILL', option: Opt.SGA },
      { type: 'negotiation', verb: 'WONT', option: Opt.ECHO },
      { type: 'negotiation', verb: 'DO', option: Opt.TTYPE },
      { type: 'negotiation', verb: 'DONT', option: 99 },
    ],
  },
  {
    name: 'negotiation on option 255 (IAC as option byte)',
    wire: b(IAC, DO, IAC, 'z'),
    tokens: [{ type: 'negotiation', verb: 'DO', option: 255 }, data('z')],
  },
  {
    name: 'subnegotiation with escaped IAC inside',
    wire: b('pre', IAC, SB, Opt.NAWS, 0, IAC, IAC, 0, 24, IAC, SE, 'post'),
    tokens: [data('pre'), { type: 'subnegotiation', option: Opt.NAWS, bytes: [0, 0xff, 0, 24] }, data('post')],
  },
  {
    name: 'charset request',
    wire: b(IAC, SB, Opt.CHARSET, 1, ';UTF-8;GBK', IAC, SE),
    tokens: [{ type: 'subnegotiation', option: Opt.CHARSET, bytes: [1, ...Buffer.from(';UTF-8;GBK')] }],
  },
  {
    name: 'negotiation before the banner, text, then GA',
    wire: b(IAC, WILL, Opt.EOR, IAC, DO, Opt.NAWS, 'Welcome\n\rName: ', IAC, GA),
    tokens: [
      { type: 'negotiation', verb: 'WILL', option: Opt.EOR },
      { type: 'negotiation', verb: 'DO', option: Opt.NAWS },
      data('Welcome\n\rName: '),
      { type: 'command', code: GA },
    ],
  },
  {
    name: 'empty subnegotiation',
    wire: b(IAC, SB, Opt.TTYPE, IAC, SE),
    tokens: [{ type: 'subnegotiation', option: Opt.TTYPE, bytes: [] }],
  },
  {
    name: 'multi-byte UTF-8 text is untouched',
    wire: Buffer.concat([Buffer.from('你好 '), b(IAC, GA)]),
    tokens: [data([...Buffer.from('你好 ')]), { type: 'command', code: GA }],
  },
];

describe('TelnetParser', () => {
  for (const c of CASES) {
    it(`${c.name}: whole`, () => {
      expect(parseChunks([c.wire])).toEqual(c.tokens);
    });

    it(`${c.name}: split at every byte position`, () => {
      for (let i = 0; i <= c.wire.length; i++) {
        expect(parseChunks([c.wire.subarray(0, i), c.wire.subarray(i)]), `split at ${i}`).toEqual(c.tokens);
      }
    });

    it(`${c.name}: split at every pair of positions and byte by byte`, () => {
      for (let i = 0; i <= c.wire.length; i++) {
        for (let j = i; j <= c.wire.length; j++) {
          const chunks = [c.wire.subarray(0, i), c.wire.subarray(i, j), c.wire.subarray(j)];
          expect(parseChunks(chunks), `split at ${i},${j}`).toEqual(c.tokens);
        }
      }
      expect(parseChunks([...c.wire].map((x) => Buffer.from([x])))).toEqual(c.tokens);
    });
  }

  it('every case concatenated, split at every byte, keeps all tokens in order', () => {
    const wire = Buffer.concat(CASES.map((c) => c.wire));
    const whole = parseChunks([wire]);
    expect(whole).toEqual(normalize(CASES.flatMap((c) => c.tokens as TelnetToken[]).map((t) => (t.type === 'data' || t.type === 'subnegotiation' ? { ...t, bytes: Buffer.from(t.bytes) } : t))));
    for (let i = 0; i <= wire.length; i++) expect(parseChunks([wire.subarray(0, i), wire.subarray(i)])).toEqual(whole);
  });

  it('data tokens never contain a raw IAC sequence', () => {
    const wire = b('a', IAC, WILL, 1, 'b', IAC, GA, 'c', IAC, SB, 24, 1, IAC, SE, 'd');
    const p = new TelnetParser();
    for (let i = 0; i < wire.length; i++) {
      for (const t of p.push(wire.subarray(i, i + 1))) if (t.type === 'data') expect([...t.bytes]).not.toContain(IAC);
    }
  });

  it('drops an absurdly long subnegotiation instead of buffering it', () => {
    const p = new TelnetParser();
    const tokens = p.push(Buffer.concat([b(IAC, SB, 201), Buffer.alloc(20_000, 0x41), b(IAC, SE, 'ok')]));
    expect(normalize(tokens)).toEqual([data('ok')]);
  });
});

describe('escapeIac / subnegotiation', () => {
  it('doubles every IAC byte and leaves the rest', () => {
    expect([...escapeIac(b('a', IAC, 'b', IAC))]).toEqual([0x61, IAC, IAC, 0x62, IAC, IAC]);
    expect([...escapeIac(b('plain'))]).toEqual([...b('plain')]);
  });

  it('round-trips through the parser as literal data', () => {
    const payload = Buffer.from([0, 1, 0xff, 0xfe, 0xff, 0xff, 200]);
    expect(parseChunks([escapeIac(payload)])).toEqual([data([...payload])]);
  });

  it('escapes IAC inside a subnegotiation payload', () => {
    const sb = subnegotiation(Opt.NAWS, Buffer.from([0, 255, 0, 50]));
    expect([...sb]).toEqual([IAC, SB, Opt.NAWS, 0, IAC, IAC, 0, 50, IAC, SE]);
    expect(parseChunks([sb])).toEqual([{ type: 'subnegotiation', option: Opt.NAWS, bytes: [0, 255, 0, 50] }]);
  });
});
