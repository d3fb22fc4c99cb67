import { describe, expect, it } from 'vitest';
import { loadProfile } from '../../adapters/mud/profile.js';
import { matchLine, PlayerRateLimit } from '../../adapters/mud/triggers.js';

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

describe('PlayerRateLimit', () => {
  it('allows count per window per player', () => {
    let now = 0;
    const rl = new PlayerRateLimit(2, 1000, () => now);
    expect([rl.allow('a'), rl.allow('a'), rl.allow('a'), rl.allow('b')]).toEqual([true, true, false, true]);
    now = 1001;
    expect(rl.allow('a')).toBe(true);
  });
});
