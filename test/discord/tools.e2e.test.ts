// Tools end to end on Discord: the real discord.js client inside our adapter, against the fake
// Discord, the fake upstream streaming tool_calls split across chunks, and a real MCP server
// over stdio. The channel sees one reply: "🔧 Using add, echo…" first, edited into the answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDiscordAdapter } from '../../adapters/discord/index.js';
import { createCore, type Core } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import { t } from '../../src/conversation/messages.js';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord/server.js';
import { startFakeUpstream, type FakeUpstream } from '../fakes/upstream/server.js';
import { testEnv } from '../helpers/env.js';
import { addThenAnswer, answerFromResults, testServersFile, TOOL_ANSWER } from '../helpers/tools.js';

const STATUS = t('en', 'tool_status', { tool: 'add, echo' });

describe('tools on Discord', () => {
  let upstream: FakeUpstream;
  let discord: FakeDiscord;
  let core: Core;
  let adapter: ReturnType<typeof createDiscordAdapter>;

  beforeAll(async () => {
    upstream = await startFakeUpstream({ reply: answerFromResults });
    upstream.setToolPlanner(addThenAnswer);
    discord = await startFakeDiscord();
    const config = loadConfig(testEnv(upstream, {
      LLM_MAX_RETRIES: '0',
      DISCORD_TOKEN: discord.token,
      DISCORD_API_URL: discord.apiUrl,
      DISCORD_GUILD_ID: discord.ids.guild,
      DISCORD_EDIT_INTERVAL_MS: '200',
      MCP_SERVERS: testServersFile(),
    }));
    core = await createCore(config, { shutdownGraceMs: 1000 });
    adapter = createDiscordAdapter(core);
    await adapter.start();
  }, 30_000);

  afterAll(async () => {
    await core?.manager.shutdown();
    await adapter?.stop();
    await core?.close();
    await discord?.close();
    await upstream?.close();
  });

  it('a mention that needs tools: the status message is edited into the answer', async () => {
    const id = discord.sendMessage({ content: 'what is 2+40?', mentionBot: true });
    const reply = await discord.waitFor(() => {
      const m = discord.state.botMessagesIn(discord.ids.channel).find((x) => x.replyTo === id);
      return m?.content === TOOL_ANSWER ? m : undefined;
    }, 'the answer');
    expect(reply.versions[0]).toBe(STATUS);
    expect(reply.versions.at(-1)).toBe(TOOL_ANSWER);
    // One message for the whole reply.
    expect(discord.state.botMessagesIn(discord.ids.channel).filter((m) => m.replyTo === id)).toHaveLength(1);
    const bodies = upstream.requests.filter((r) => r.route === 'chat/completions').map((r) => r.body as { tools?: unknown[] });
    expect(bodies.map((b) => b.tools !== undefined)).toEqual([true, true]);
  }, 30_000);
});
