import { describe, expect, it } from 'vitest';
import { NegotiationPolicy } from '../../adapters/mud/negotiation.js';
import { DO, DONT, IAC, Opt, SB, SE, WILL, WONT, type NegotiationVerb } from '../../adapters/mud/telnet.js';

const policy = (encoding = 'utf8') => new NegotiationPolicy({ terminalType: 'parley', width: 80, encoding });
const neg = (verb: NegotiationVerb, option: number) => ({ type: 'negotiation' as const, verb, option });
const sub = (option: number, ...bytes: (number | string)[]) => ({
  type: 'subnegotiation' as const,
  option,
  bytes: Buffer.concat(bytes.map((x) => (typeof x === 'number' ? Buffer.from([x]) : Buffer.from(x, 'latin1')))),
});
const wire = (bufs: Buffer[]) => bufs.map((x) => [...x]);

describe('NegotiationPolicy', () => {
  it('accepts SGA and EOR from the server, once', () => {
    const p = policy();
    expect(wire(p.answer(neg('WILL', Opt.SGA)))).toEqual([[IAC, DO, Opt.SGA]]);
    expect(wire(p.answer(neg('WILL', Opt.EOR)))).toEqual([[IAC, DO, Opt.EOR]]);
    // Repeating an agreed WILL gets no answer: no negotiation loops.
    expect(p.answer(neg('WILL', Opt.EOR))).toEqual([]);
    expect(p.remoteEnabled(Opt.EOR)).toBe(true);
    expect(wire(p.answer(neg('WONT', Opt.EOR)))).toEqual([[IAC, DONT, Opt.EOR]]);
    expect(p.answer(neg('WONT', Opt.EOR))).toEqual([]);
  });

  it('refuses options it does not know, both ways', () => {
    const p = policy();
    expect(wire(p.answer(neg('WILL', 86)))).toEqual([[IAC, DONT, 86]]); // MCCP2
    expect(wire(p.answer(neg('DO', 91)))).toEqual([[IAC, WONT, 91]]);
    expect(p.answer(neg('DONT', 91))).toEqual([]);
    expect(p.answer(neg('WONT', 86))).toEqual([]);
  });

  it('reports the terminal type when asked', () => {
    const p = policy();
    expect(wire(p.answer(neg('DO', Opt.TTYPE)))).toEqual([[IAC, WILL, Opt.TTYPE]]);
    expect(wire(p.answer(sub(Opt.TTYPE, 1)))).toEqual([[IAC, SB, Opt.TTYPE, 0, ...Buffer.from('parley'), IAC, SE]]);
  });

  it('sends the window size right after agreeing to NAWS', () => {
    const p = new NegotiationPolicy({ terminalType: 'x', width: 255, encoding: 'utf8' });
    expect(wire(p.answer(neg('DO', Opt.NAWS)))).toEqual([
      [IAC, WILL, Opt.NAWS],
      // 255 is IAC: doubled inside the subnegotiation.
      [IAC, SB, Opt.NAWS, 0, IAC, IAC, 0, 50, IAC, SE],
    ]);
  });

  it('offers NAWS on connect; a DO gets only the size (no second WILL), a DONT gets nothing', () => {
    const p = policy();
    expect(wire(p.offers())).toEqual([[IAC, WILL, Opt.NAWS]]);
    expect(wire(p.answer(neg('DO', Opt.NAWS)))).toEqual([[IAC, SB, Opt.NAWS, 0, 80, 0, 50, IAC, SE]]);
    expect(p.answer(neg('DO', Opt.NAWS))).toEqual([]);

    const q = policy();
    q.offers();
    expect(q.answer(neg('DONT', Opt.NAWS))).toEqual([]);
    // Asked again later, it agrees as usual.
    expect(wire(q.answer(neg('DO', Opt.NAWS)))[0]).toEqual([IAC, WILL, Opt.NAWS]);
  });

  it('answers a CHARSET request with the profile encoding', () => {
    const p = policy('gbk');
    expect(wire(p.answer(neg('DO', Opt.CHARSET)))).toEqual([[IAC, WILL, Opt.CHARSET]]);
    expect(wire(p.answer(sub(Opt.CHARSET, 1, ';UTF-8;GBK;BIG5')))).toEqual([[IAC, SB, Opt.CHARSET, 2, ...Buffer.from('GBK'), IAC, SE]]);
    expect(wire(policy('utf8').answer(sub(Opt.CHARSET, 1, ' UTF-8 ISO-8859-1')))).toEqual([[IAC, SB, Opt.CHARSET, 2, ...Buffer.from('UTF-8'), IAC, SE]]);
    expect(wire(policy('big5').answer(sub(Opt.CHARSET, 1, '[TTABLE]', 1, ';BIG5')))).toEqual([[IAC, SB, Opt.CHARSET, 2, ...Buffer.from('BIG5'), IAC, SE]]);
  });

  it('rejects a CHARSET request without our encoding', () => {
    expect(wire(policy('gbk').answer(sub(Opt.CHARSET, 1, ';UTF-8;ISO-8859-1')))).toEqual([[IAC, SB, Opt.CHARSET, 3, IAC, SE]]);
  });

  it('tolerates ECHO and BINARY (servers use them for passwords and after CHARSET)', () => {
    const p = policy();
    expect(wire(p.answer(neg('WILL', Opt.ECHO)))).toEqual([[IAC, DO, Opt.ECHO]]);
    expect(wire(p.answer(neg('WONT', Opt.ECHO)))).toEqual([[IAC, DONT, Opt.ECHO]]);
    expect(wire(p.answer(neg('DO', Opt.BINARY)))).toEqual([[IAC, WILL, Opt.BINARY]]);
    expect(wire(p.answer(neg('DONT', Opt.BINARY)))).toEqual([[IAC, WONT, Opt.BINARY]]);
  });
});
