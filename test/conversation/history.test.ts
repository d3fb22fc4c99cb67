import { describe, expect, it } from 'vitest';
import { buildMessages, estimateTokens, INTERRUPTED_MARK, sanitizeName, userContent } from '../../src/conversation/history.js';
import type { StoredTurn } from '../../src/store/types.js';

const turns = (n: number): StoredTurn[] =>
  Array.from({ length: n }, (_, i) => ({ role: i % 2 === 0 ? 'user' : 'assistant', content: `turn ${i} ${'x'.repeat(36)}`, at: i }));

describe('buildMessages', () => {
  it('puts the system prompt first and the new message last', () => {
    const out = buildMessages(turns(4), { role: 'user', content: 'now' }, { systemPrompt: 'sys', maxMessages: 100, maxTokens: 10_000 });
    expect(out[0]).toEqual({ role: 'system', content: 'sys' });
    expect(out.at(-1)).toEqual({ role: 'user', content: 'now' });
    expect(out.length).toBe(6);
  });

  it('drops the oldest turns first to fit the message count, never the system prompt', () => {
    const out = buildMessages(turns(10), { role: 'user', content: 'now' }, { systemPrompt: 'sys', maxMessages: 5, maxTokens: 10_000 });
    expect(out[0]!.role).toBe('system');
    expect(out.slice(1, -1).map((m) => m.content as string).map((c) => c.split(' ')[1])).toEqual(['6', '7', '8', '9']);
  });

  it('drops the oldest turns to fit the token estimate and never opens with an orphaned answer', () => {
    // each turn ~ 4 + 11 tokens; budget leaves room for about 3 turns
    const out = buildMessages(turns(10), { role: 'user', content: 'now' }, { systemPrompt: 'sys', maxMessages: 100, maxTokens: 60 });
    const kept = out.slice(1, -1);
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThan(10);
    expect(kept[0]!.role).toBe('user');
    expect((kept.at(-1)!.content as string).startsWith('turn 9')).toBe(true);
  });

  it('keeps speaker names', () => {
    const out = buildMessages([{ role: 'user', content: 'hi', name: 'alice', at: 0 }], undefined, { systemPrompt: 's', maxMessages: 10, maxTokens: 1000 });
    expect(out[1]).toEqual({ role: 'user', content: 'hi', name: 'alice' });
  });
});

describe('estimateTokens', () => {
  it('counts CJK characters about one token each and Latin text about 4 chars a token', () => {
    expect(estimateTokens('你好世界')).toBe(4);
    expect(estimateTokens('abcdefgh')).toBe(2);
    expect(estimateTokens('')).toBe(0);
  });
});

describe('sanitizeName', () => {
  it('keeps [A-Za-z0-9_]{1,64}', () => {
    expect(sanitizeName('Alice Smith')).toBe('Alice_Smith');
    expect(sanitizeName('José')).toBe('Jose');
    expect(sanitizeName('李雷')).toBeUndefined();
    expect(sanitizeName('a'.repeat(100))).toHaveLength(64);
    expect(sanitizeName('<@123> evil')).toBe('123_evil');
  });
});

describe('userContent', () => {
  it('is a string without images and parts with them', () => {
    expect(userContent('hi', [])).toBe('hi');
    expect(userContent('what is this', ['https://x/cat.png'])).toEqual([
      { type: 'text', text: 'what is this' },
      { type: 'image_url', image_url: { url: 'https://x/cat.png' } },
    ]);
  });
});

describe('buildMessages after failed turns', () => {
  const opts = { systemPrompt: 'sys', maxMessages: 100, maxTokens: 10_000 };
  const at = 1;

  it('an interrupted answer is marked; U+FFFD debris is dropped', () => {
    const history: StoredTurn[] = [
      { role: 'user', content: 'q', at },
      { role: 'assistant', content: 'half an ans\uFFFD ', at, interrupted: true },
    ];
    expect(buildMessages(history, { role: 'user', content: 'go on' }, opts).slice(1)).toEqual([
      { role: 'user', content: 'q' },
      { role: 'assistant', content: `half an ans\n\n${INTERRUPTED_MARK}` },
      { role: 'user', content: 'go on' },
    ]);
  });

  it('a run of user turns goes out as its newest one, names and images included', () => {
    const history: StoredTurn[] = [
      { role: 'user', content: 'a', at },
      { role: 'assistant', content: 'A', at },
      { role: 'user', content: 'b', name: 'Bob', at },
      { role: 'user', content: 'c', name: 'Cy', at },
    ];
    const next = { role: 'user' as const, content: userContent('look', ['https://x/cat.png']), name: 'Dee' };
    expect(buildMessages(history, next, opts).slice(1)).toEqual([{ role: 'user', content: 'a' }, { role: 'assistant', content: 'A' }, next]);
  });
});
