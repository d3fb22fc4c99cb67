// The Discord surface's lifecycle: slash commands acknowledged inside Discord's deadline even
// when the model is slow, and a graceful stop that finishes (or closes with a notice) the
// answers in flight (the dispatcher's shutdown, as main.ts drives it) before logging out.
import { afterEach, describe, expect, it } from 'vitest';
import { commandDefinitions } from '../../adapters/discord/commands.js';
import { OPTION_TYPE } from '../fakes/discord/server.js';
import { originalReply, startDiscord, type DiscordHarness } from './harness.js';

let stack: DiscordHarness | undefined;

/** No DISCORD_GUILD_ID: the commands register globally. */
async function startStack(opts: { shutdownGraceMs: number; interactionDeadlineMs?: number }): Promise<DiscordHarness> {
  stack = await startDiscord({
    discord: { interactionDeadlineMs: opts.interactionDeadlineMs },
    guild: false,
    env: { DISCORD_EDIT_INTERVAL_MS: '200' },
    core: { shutdownGraceMs: opts.shutdownGraceMs },
  });
  return stack;
}

afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

const SLOWER_THAN_THE_DEADLINE_MS = 3500;

const words = (n: number) => Array.from({ length: n }, (_, i) => `w${i}`).join(' ');

describe('discord adapter lifecycle', () => {
  it('registers global commands when no guild is configured', async () => {
    const { discord } = await startStack({ shutdownGraceMs: 1000 });
    expect(discord.state.commandPuts).toEqual(['global']);
    expect(discord.state.globalCommands.map((c) => c.name)).toContain('retry');
    expect(discord.state.globalCommands.map((c) => c.name).sort()).toEqual(commandDefinitions().map((c) => c.name).sort());
  });

  it('acknowledges a slash command within the deadline although the model is slow', async () => {
    // Discord's real 3 s window, and a model slower than that: an adapter that waited for the
    // model before acknowledging would be refused. Generous both ways, so load cannot flake it.
    const { discord, upstream } = await startStack({ shutdownGraceMs: 1000 });
    upstream.setNext({ route: 'chat/completions', delayMs: SLOWER_THAN_THE_DEADLINE_MS });
    const id = discord.sendCommand('chat', [{ name: 'prompt', type: OPTION_TYPE.String, value: 'slowly' }]);
    const original = await originalReply(discord, id, (m) => m.content === 'You said: slowly', 'the slow answer', 15_000);
    const interaction = discord.state.interactions.get(id)!;
    expect(interaction.rejected).toBeUndefined();
    expect(interaction.callbackType).toBe(5);
    expect(original.isOriginal).toBe(true);
  });

  it('shutdown lets an answer in flight finish, then stop() logs out', async () => {
    const { discord, upstream, core, stopAdapter } = await startStack({ shutdownGraceMs: 5000 });
    const text = words(20);
    upstream.setReply(text);
    upstream.setChunking({ tokensPerChunk: 1, chunkDelayMs: 40 });
    const closed = new Promise((resolve) => discord.events.once('close', resolve));
    const id = discord.sendMessage({ content: 'long one', mentionBot: true });
    await discord.waitFor(() => discord.state.botMessagesIn(discord.ids.channel).find((m) => m.replyTo === id), 'the first words');

    // As main.ts does: the dispatcher drains while the client is connected, then it logs out.
    await core.manager.shutdown();
    await stopAdapter();

    const reply = discord.state.botMessagesIn(discord.ids.channel).find((m) => m.replyTo === id)!;
    expect(reply.content).toBe(text);
    await closed;
    expect(discord.gateway.connected).toBe(false);
  });

  it('shutdown ends an answer that outlasts the grace period with a notice', async () => {
    const { discord, upstream, core, stopAdapter } = await startStack({ shutdownGraceMs: 200 });
    upstream.setReply(words(200));
    upstream.setChunking({ tokensPerChunk: 1, chunkDelayMs: 30 });
    const id = discord.sendMessage({ content: 'very long one', mentionBot: true });
    await discord.waitFor(() => discord.state.botMessagesIn(discord.ids.channel).find((m) => m.replyTo === id), 'the first words');

    // As main.ts does: the dispatcher drains while the client is connected, then it logs out.
    await core.manager.shutdown();
    await stopAdapter();

    const reply = discord.state.botMessagesIn(discord.ids.channel).find((m) => m.replyTo === id)!;
    expect(reply.content.startsWith('w0 w1')).toBe(true);
    expect(reply.content).toMatch(/\(stopped\)$/);
    expect(reply.content.length).toBeLessThan(words(200).length);
  });
});
