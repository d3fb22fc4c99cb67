// Slash command definitions and the "register only when changed" comparison.
import { describe, expect, it } from 'vitest';
import { commandDefinitions, commandText, sameCommands } from '../../adapters/discord/commands.js';

type Shape = Parameters<typeof sameCommands>[0][number];

describe('commandDefinitions', () => {
  it('defines every command of the vocabulary, /model with autocomplete', () => {
    const defs = commandDefinitions();
    expect(defs.map((d) => d.name).sort()).toEqual(['chat', 'help', 'image', 'model', 'persona', 'reset', 'retry', 'stop', 'system', 'tools', 'tts', 'usage', 'voice']);
    const model = defs.find((d) => d.name === 'model')!;
    expect(model.options?.[0]).toMatchObject({ name: 'name', autocomplete: true });
    for (const d of defs) expect(d.description.length).toBeGreaterThan(0);
  });
});

describe('sameCommands', () => {
  const wanted = commandDefinitions() as unknown as Shape[];

  /** What Discord sends back: ids, versions, defaults added, `required: false` dropped, other order. */
  const asDiscordReturnsThem = (defs: Shape[]) =>
    [...defs].reverse().map((d, i) => ({
      ...d,
      id: `10000000000000000${i}`,
      application_id: '1',
      version: '2',
      type: 1,
      nsfw: false,
      contexts: null,
      integration_types: [0],
      default_member_permissions: null,
      options: d.options?.map(({ required, ...o }) => (required ? { ...o, required } : o)),
    }));

  it('treats what Discord returns for our own definitions as unchanged', () => {
    expect(sameCommands(wanted, asDiscordReturnsThem(wanted))).toBe(true);
  });

  it('notices a changed description, a new option, a missing command', () => {
    const changed = asDiscordReturnsThem(wanted).map((c) => (c.name === 'help' ? { ...c, description: 'old text' } : c));
    expect(sameCommands(wanted, changed)).toBe(false);
    const fewer = asDiscordReturnsThem(wanted).filter((c) => c.name !== 'usage');
    expect(sameCommands(wanted, fewer)).toBe(false);
    const noAutocomplete = asDiscordReturnsThem(wanted).map((c) =>
      c.name === 'model' ? { ...c, options: c.options?.map((o) => ({ ...o, autocomplete: false })) } : c,
    );
    expect(sameCommands(wanted, noAutocomplete)).toBe(false);
    expect(sameCommands(wanted, [])).toBe(false);
  });
});

describe('commandText', () => {
  it('spells commands as a user would type them', () => {
    expect(commandText({ kind: 'chat', text: 'hi' })).toBe('hi');
    expect(commandText({ kind: 'image', prompt: 'a cat' })).toBe('/image a cat');
    expect(commandText({ kind: 'reset' })).toBe('/reset');
  });
});
