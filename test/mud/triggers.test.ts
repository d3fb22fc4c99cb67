import { describe, expect, it } from 'vitest';
import { loadProfile } from '../../adapters/mud/profile.js';
import { capLine, matchLine, PlayerRateLimit } from '../../adapters/mud/triggers.js';

const diku = loadProfile('profiles/diku-example.yaml', { password: 'pw-123456' });
const lpc = loadProfile('profiles/lpc-gbk-example.yaml', { password: 'pw-123456' });

describe('matchLine', () => {
  it('turns a tell into speaker, message and scope', () => {
    expect(matchLine(diku, "Alice tells you 'what is a kobold?'")).toMatchObject({
      hit: { speaker: 'Alice', message: 'what is a kobold?', scope: 'tell:alice' },
    });
    expect(matchLine(diku, "> Bob says 'Parley, hello there'")).toMatchObject({ hit: { speaker: 'Bob', message: 'hello there', scope: 'room' } });
    expect(matchLine(lpc, '爱丽丝(alice)告诉你：你好')).toMatchObject({ hit: { speaker: 'alice', message: '你好', scope: 'tell:alice' } });
  });

  it('never answers its own lines or ignored bots', () => {
    expect(matchLine(diku, "Parley says 'Parley, are you there?'")).toEqual({ skip: 'own-line' });
    expect(matchLine(diku, "Helperbot tells you 'hi'")).toEqual({ skip: 'ignored-speaker' });
    expect(matchLine(lpc, '【闲聊】派利(parley): parley，你好')).toEqual({ skip: 'own-line' });
    expect(matchLine(lpc, '【谣言】某人: parley，你好')).toEqual({ skip: 'ignored-line' });
    expect(matchLine(diku, 'The Town Square.')).toEqual({ skip: 'no-trigger' });
  });
});

// Issue 9.2: any player can send a line; its length bounds what a trigger regex may cost.
describe('the line cap before trigger matching', () => {
  it('tries at most maxLineChars of a line against the triggers', () => {
    const profile = { ...diku, maxLineChars: 100, triggers: [{ ...diku.triggers[0]!, match: /^(?<speaker>\w+) tells you (?<message>.+)/ }] };
    const result = matchLine(profile, `Alice tells you ${'x'.repeat(5_000)}`);
    expect('hit' in result && result.hit.message).toBe('x'.repeat(100 - 'Alice tells you '.length));
  });

  it('a line that only fits uncut is not answered once cut', () => {
    expect(matchLine({ ...diku, maxLineChars: 80 }, `Alice tells you '${'y'.repeat(100)}'`)).toEqual({ skip: 'no-trigger' });
    expect(matchLine(diku, `Alice tells you '${'y'.repeat(100)}'`)).toMatchObject({ hit: { speaker: 'Alice' } });
  });

  it('never cuts a surrogate pair in half', () => {
    expect(capLine('ab😀', 3)).toBe('ab');
    expect(capLine('ab😀c', 4)).toBe('ab😀');
    expect(capLine('short', 100)).toBe('short');
  });
});

describe('PlayerRateLimit', () => {
  it('allows count per window per player', () => {
    let now = 0;
    const rl = new PlayerRateLimit(2, 1000, () => now);
    expect([rl.check('a'), rl.check('a'), rl.check('b')]).toEqual(['allow', 'allow', 'allow']);
    now = 1001;
    expect(rl.check('a')).toBe('allow');
  });

  // Issue 8.8: a player over the limit got silence; now one notice per window, then silence.
  it('a player over the limit is told once per window, then ignored', () => {
    let now = 0;
    const rl = new PlayerRateLimit(2, 1000, () => now);
    expect([rl.check('a'), rl.check('a'), rl.check('a'), rl.check('a'), rl.check('a')]).toEqual(['allow', 'allow', 'notify', 'drop', 'drop']);
    now = 1001;
    expect([rl.check('a'), rl.check('a'), rl.check('a'), rl.check('a')]).toEqual(['allow', 'allow', 'notify', 'drop']);
  });
});
