import { describe, expect, it } from 'vitest';
import { shapeChain } from '../../adapters/discord/chain.js';
import type { StoredTurn } from '../../src/store/types.js';

const user = (content: string, name?: string): StoredTurn => ({ role: 'user', content, at: 1, ...(name ? { name } : {}) });
const bot = (content: string): StoredTurn => ({ role: 'assistant', content, at: 1 });

describe('reply chain shape', () => {
  it('folds people replying to each other into one user turn, each line led by its speaker', () => {
    const { turns, quote } = shapeChain([user('is it down?', 'bob'), user('for me too', 'carol'), bot('It is down.')]);
    expect(turns).toEqual([{ role: 'user', content: 'bob: is it down?\n\ncarol: for me too', at: 1 }, bot('It is down.')]);
    expect(quote).toBeUndefined();
  });

  it('quotes the users\' messages the new message answers, line by line', () => {
    const { turns, quote } = shapeChain([bot('Hi.'), user('line one\nline two', 'bob')]);
    expect(turns).toEqual([bot('Hi.')]);
    expect(quote).toBe('> bob: line one\n> line two');
  });

  it('keeps one speaker\'s run under their name', () => {
    expect(shapeChain([user('a', 'bob'), user('b', 'bob'), bot('ok')]).turns[0]).toEqual({ role: 'user', content: 'a\n\nb', at: 1, name: 'bob' });
  });
});
