// Issue 8.3, end to end: the real discord.js client in our adapter against the fake Discord.
// A message whose attachment is still downloading (the CDN holds it) keeps its place: a later
// text-only message in the same channel is answered after it, while help answers at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeDiscord } from '../fakes/discord/server.js';
import { TINY_PNG, type ChatBody, type FakeUpstream } from '../fakes/upstream/server.js';
import { answerNaming } from '../helpers/answers.js';
import type { HoldingProxy } from '../helpers/holding-proxy.js';
import { startDiscord, type DiscordHarness } from './harness.js';

describe('discord: per-channel order includes attachment downloads', () => {
  let h: DiscordHarness;
  let upstream: FakeUpstream;
  let discord: FakeDiscord;
  let cdn: HoldingProxy;

  beforeAll(async () => {
    h = await startDiscord({ upstream: { reply: answerNaming }, hold: (path) => path.startsWith('/attachments/'), core: { shutdownGraceMs: 2000 } });
    ({ upstream, discord } = h);
    cdn = h.cdn!;
  });
  afterAll(() => h?.close());

  it('answers the message with a slow attachment before the text-only message that followed it', async () => {
    const stored = discord.addAttachment(TINY_PNG, 'cat.png', 'image/png');
    const url = stored.url.replace(discord.baseUrl, cdn.origin);
    const first = discord.sendMessage({ content: 'first, with a picture', mentionBot: true, attachments: [{ ...stored, url, proxy_url: url }] });
    await cdn.held();
    const second = discord.sendMessage({ content: 'second, text only', mentionBot: true });
    const help = discord.sendMessage({ content: '/help', mentionBot: true });
    // Help answers while the download is still held; by then discord.js has delivered `second` too.
    await discord.waitFor(() => discord.state.botMessagesIn(discord.ids.channel).find((m) => m.replyTo === help && m.content.includes('/reset')), 'help');
    expect(upstream.requests.filter((r) => r.route === 'chat/completions')).toHaveLength(0);

    cdn.releaseAll();
    const answers = await discord.waitFor(() => {
      const mine = discord.state.botMessagesIn(discord.ids.channel).filter((m) => m.replyTo === first || m.replyTo === second);
      return mine.length === 2 && mine.every((m) => m.content.startsWith('re: ')) ? mine : undefined;
    }, 'both answers');
    expect(answers.map((m) => [m.replyTo, m.content])).toEqual([
      [first, 're: first, with a picture'],
      [second, 're: second, text only'],
    ]);
    const asked = upstream.requests.filter((r) => r.route === 'chat/completions').map((r) => answerNaming(r.body as ChatBody));
    expect(asked).toEqual(['re: first, with a picture', 're: second, text only']);
  });
});
