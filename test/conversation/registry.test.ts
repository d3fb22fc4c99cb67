// The command registry's invariants: each word means one command, every entry fits the limits of
// the platforms its menus go to, every line it names exists in both locales, and the types make
// a kind without an entry or a handler a compile error (tsc checks the @ts-expect-error lines).
import { describe, expect, it } from 'vitest';
import { ALL_COMMANDS, COMMANDS, MENU_OFFERING, offeredOn } from '../../src/conversation/commands/index.js';
import type { Handlers } from '../../src/conversation/commands/context.js';
import { HANDLERS } from '../../src/conversation/commands/handlers/index.js';
import type { Registry } from '../../src/conversation/commands/spec.js';
import { t } from '../../src/conversation/messages.js';

describe('command registry', () => {
  it('no word is claimed by two commands', () => {
    const words = ALL_COMMANDS.flatMap((c) => [c.name, ...Object.values(c.aliases).flat()]);
    expect(new Set(words).size).toBe(words.length);
  });

  it('menu names and descriptions fit Discord (1-32 lowercase, 100 chars) and Telegram (256 chars)', () => {
    for (const c of offeredOn(MENU_OFFERING)) {
      expect(c.name).toMatch(/^[a-z0-9_]{1,32}$/);
      expect(t('en', c.help).length).toBeLessThanOrEqual(100);
      expect(t('zh', c.help).length).toBeLessThanOrEqual(256);
      if (c.arg) expect(c.arg.describe.length).toBeLessThanOrEqual(100);
    }
  });

  it('every help line exists in Chinese, not only in English', () => {
    for (const c of ALL_COMMANDS) expect(t('zh', c.help)).not.toBe(t('en', c.help));
  });

  it('admin-with-argument commands need an admin only when changing something', () => {
    for (const c of ALL_COMMANDS.filter((c) => c.admin === 'with-argument')) expect(c.arg).toBeDefined();
  });

  it('has exactly one entry and one handler per kind', () => {
    expect(Object.keys(HANDLERS).sort()).toEqual(Object.keys(COMMANDS).sort());
    const { more: _more, ...withoutMore } = COMMANDS;
    // @ts-expect-error a registry without an entry for `more` does not compile
    const _registry: Registry = withoutMore;
    const { more: _handler, ...handlersWithoutMore } = HANDLERS;
    // @ts-expect-error handlers without one for `more` do not compile
    const _handlers: Handlers = handlersWithoutMore;
    expect(_registry).toBeDefined();
    expect(_handlers).toBeDefined();
  });
});
