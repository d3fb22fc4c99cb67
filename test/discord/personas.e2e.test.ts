// /persona on Discord end to end (issue 13): the real discord.js client in our adapter against the
// fake Discord and the fake upstream. Autocomplete offers the PERSONAS file's personas; choosing
// one (admins only in a guild) answers with its greeting and changes the next reply's system
// prompt; /reset keeps it, /reset all:true clears it.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OPTION_TYPE, type FakeDiscord } from '../fakes/discord/server.js';
import type { FakeUpstream } from '../fakes/upstream/server.js';
import { writePersonas } from '../helpers/personas.js';
import { startDiscord, type DiscordHarness } from './harness.js';

const BOOLEAN = 5;

describe('discord /persona e2e', () => {
  let h: DiscordHarness;
  let upstream: FakeUpstream;
  let discord: FakeDiscord;

  beforeAll(async () => {
    h = await startDiscord({
      env: (fake) => ({ DISCORD_EDIT_INTERVAL_MS: '200', PERSONAS: writePersonas(), ADMINS: `discord:${fake.users.alice.id}` }),
      core: { shutdownGraceMs: 2000 },
    });
    ({ upstream, discord } = h);
  });
  afterEach(() => upstream.reset());
  afterAll(() => h?.close());

  /** The text of a slash command's answer, once it has some. */
  const answerOf = (interactionId: string, includes: string) =>
    discord.waitFor(() => {
      const i = discord.state.interactions.get(interactionId)!;
      const m = i.originalMessageId ? discord.state.messages.get(i.originalMessageId) : undefined;
      const followUps = discord.state.botMessagesIn(i.channelId).map((x) => x.content);
      const all = [m?.content ?? '', ...followUps].join('\n');
      return all.includes(includes) ? all : undefined;
    }, `answer containing "${includes}"`);
  const systemOfLastChat = () => {
    const chat = [...upstream.requests].reverse().find((r) => r.route === 'chat/completions')!;
    return (chat.body as { messages: { role: string; content: string }[] }).messages[0]!;
  };
  const mentionAndWait = async (content: string) => {
    const id = discord.sendMessage({ content, mentionBot: true });
    await discord.waitFor(() => discord.state.botMessagesIn(discord.ids.channel).some((m) => m.replyTo === id && m.content.startsWith('You said')), 'the reply');
  };

  it('registers /persona with autocomplete and /reset with an "all" option', () => {
    const commands = discord.state.guildCommands.get(discord.ids.guild)!;
    expect(commands.find((c) => c.name === 'persona')?.options?.[0]).toMatchObject({ name: 'name', autocomplete: true });
    expect(commands.find((c) => c.name === 'reset')?.options?.[0]).toMatchObject({ name: 'all', type: BOOLEAN });
  });

  it('autocompletes persona names from what was typed, with their descriptions', async () => {
    const id = discord.sendAutocomplete('persona', [{ name: 'name', type: OPTION_TYPE.String, value: 'pira', focused: true }]);
    const choices = await discord.waitFor(() => discord.state.interactions.get(id)?.choices, 'autocomplete choices');
    expect(choices).toEqual([{ name: 'pirate: Talks like a pirate', value: 'pirate' }]);
    const all = discord.sendAutocomplete('persona', [{ name: 'name', type: OPTION_TYPE.String, value: '', focused: true }]);
    const every = await discord.waitFor(() => discord.state.interactions.get(all)?.choices, 'all choices');
    expect(every.map((c) => c.value)).toEqual(['pirate', 'tutor', 'default']);
  });

  it('an admin sets a persona: the greeting shows, replies use its prompt; /reset keeps it, /reset all clears it', async () => {
    const set = discord.sendCommand('persona', [{ name: 'name', type: OPTION_TYPE.String, value: 'pirate' }]);
    const text = await answerOf(set, 'Ahoy, matey!');
    expect(text).toContain('Persona for this channel set to pirate.');
    await mentionAndWait('hello');
    expect(systemOfLastChat().content).toBe('You are a pirate. Answer in pirate speak.');

    await answerOf(discord.sendCommand('reset'), 'Conversation cleared');
    await mentionAndWait('still there?');
    expect(systemOfLastChat().content).toBe('You are a pirate. Answer in pirate speak.');

    await answerOf(discord.sendCommand('reset', [{ name: 'all', type: BOOLEAN, value: true }]), 'Conversation and persona cleared.');
    await mentionAndWait('and now?');
    expect(systemOfLastChat().content).not.toContain('pirate');
  });

  it('someone who is not an admin cannot set the guild channel persona', async () => {
    const id = discord.sendCommand('persona', [{ name: 'name', type: OPTION_TYPE.String, value: 'tutor' }], { from: discord.users.bob });
    await answerOf(id, 'only an admin');
  });
});
