// Tools end to end on Discord: the real discord.js client inside our adapter, against the fake
// Discord, the fake upstream streaming tool_calls split across chunks, and a real MCP server
// over stdio. The channel sees one reply: "🔧 Using add, echo…" first, edited into the answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { t } from '../../src/conversation/messages.js';
import type { FakeDiscord } from '../fakes/discord/server.js';
import type { FakeUpstream } from '../fakes/upstream/server.js';
import { addThenAnswer, answerFromResults, testServersFile, TOOL_ANSWER } from '../helpers/tools.js';
import { startDiscord, type DiscordHarness } from './harness.js';

const STATUS = t('en', 'tool_status', { tool: 'add, echo' });

describe('tools on Discord', () => {
  let h: DiscordHarness;
  let upstream: FakeUpstream;
  let discord: FakeDiscord;

  beforeAll(async () => {
    h = await startDiscord({
      upstream: { reply: answerFromResults },
      env: { DISCORD_EDIT_INTERVAL_MS: '200', MCP_SERVERS: testServersFile() },
      core: { shutdownGraceMs: 1000 },
    });
    ({ upstream, discord } = h);
    // Set before any message is sent; the planner only shapes chat replies.
    upstream.setToolPlanner(addThenAnswer);
  }, 30_000);
  afterAll(() => h?.close());

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
