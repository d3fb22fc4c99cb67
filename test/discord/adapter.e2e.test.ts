// The Discord surface end to end: the real discord.js client inside our adapter, against the
// fake Discord (gateway + REST) and the fake OpenAI-compatible upstream, all on 127.0.0.1.
// The fake runs Discord's per-channel limit 5x faster (5 writes per second) and does not
// advertise it, so any pacing mistake of ours shows up as a counted 429.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { registerCommands } from '../../adapters/discord/commands.js';
import { IS_VOICE_MESSAGE, OPTION_TYPE, type FakeDiscord, type StoredMessage } from '../fakes/discord/server.js';
import { TINY_PNG, type FakeUpstream } from '../fakes/upstream/server.js';
import { originalReply, startDiscord, type DiscordAdapter, type DiscordHarness } from './harness.js';

const EDIT_INTERVAL_MS = 300;
const SCALED_CHANNEL_LIMIT = { limit: 5, windowMs: 1000 };
const FENCE_LINE = /^```\w*$/;
/** Requests may arrive a little closer together than they were sent. */
const PACING_TOLERANCE = 0.5;

const countFences = (text: string) => text.split('\n').filter((l) => FENCE_LINE.test(l.trim())).length;
/** Text without fence lines and whitespace: what must survive splitting unchanged. */
const substance = (text: string) =>
  text
    .split('\n')
    .filter((l) => !FENCE_LINE.test(l.trim()))
    .join('')
    .replace(/\s+/g, '');

describe('discord adapter e2e', () => {
  let h: DiscordHarness;
  let upstream: FakeUpstream;
  let discord: FakeDiscord;
  let adapter: DiscordAdapter;

  beforeAll(async () => {
    h = await startDiscord({
      discord: { channelRateLimit: SCALED_CHANNEL_LIMIT, advertiseRateLimits: false },
      env: (fake) => ({ DISCORD_EDIT_INTERVAL_MS: String(EDIT_INTERVAL_MS), DISCORD_LISTEN_CHANNELS: fake.ids.otherChannel }),
      core: { shutdownGraceMs: 2000 },
    });
    ({ upstream, discord, adapter } = h);
  });

  // A failed test must not leave its scripted reply to the next one.
  afterEach(() => upstream.reset());
  afterAll(() => h?.close());

  /** The bot's answer to a user message: its reply plus what followed it in that channel. */
  const answerTo = (userMessageId: string, channelId = discord.ids.channel): StoredMessage[] => {
    const all = discord.state.botMessagesIn(channelId);
    const first = all.findIndex((m) => m.replyTo === userMessageId);
    if (first < 0) return [];
    const next = all.findIndex((m, i) => i > first && m.replyTo !== undefined);
    return all.slice(first, next < 0 ? undefined : next);
  };
  const waitForText = (userMessageId: string, text: string, channelId = discord.ids.channel) =>
    discord.waitFor(() => {
      const msgs = answerTo(userMessageId, channelId);
      return msgs.length > 0 && msgs.map((m) => m.content).join('') === text ? msgs : undefined;
    }, `answer "${text.slice(0, 40)}"`);
  const lastChatRequest = () => [...upstream.requests].reverse().find((r) => r.route === 'chat/completions')!;

  it('registered the slash commands for the guild once, and does not re-register unchanged ones', async () => {
    expect(discord.state.commandPuts).toEqual([discord.ids.guild]);
    const names = discord.state.guildCommands.get(discord.ids.guild)!.map((c) => c.name).sort();
    expect(names).toEqual(['chat', 'help', 'image', 'model', 'persona', 'reset', 'retry', 'stop', 'system', 'tools', 'tts', 'usage', 'voice']);
    const again = await registerCommands(adapter.client.rest, discord.ids.application, discord.ids.guild);
    expect(again.changed).toBe(false);
    expect(discord.state.commandPuts).toHaveLength(1);
  });

  it('mention → a reply that grows by edits; the final text equals the upstream text; zero 429s', async () => {
    const words = Array.from({ length: 40 }, (_, i) => `word${i}`).join(' ');
    upstream.setReply(words);
    upstream.setChunking({ tokensPerChunk: 1, chunkDelayMs: 25 });
    const typingBefore = discord.state.typingCount;
    const id = discord.sendMessage({ content: 'tell me forty words', mentionBot: true });
    const [reply] = await waitForText(id, words);

    expect(reply!.replyTo).toBe(id);
    expect(reply!.versions.length).toBeGreaterThanOrEqual(3);
    // Every version is a prefix of the next: the text only grows.
    reply!.versions.forEach((v, i) => i > 0 && expect(v.startsWith(reply!.versions[i - 1]!.trimEnd())).toBe(true));
    expect(discord.state.typingCount).toBeGreaterThan(typingBefore);
    expect(discord.state.rateLimitHits).toBe(0);
    const editTimes = discord.state.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith(`/messages/${reply!.id}`)).map((r) => r.at);
    // Paced: never two edits of one message closer than the interval (minus arrival jitter).
    const gaps = editTimes.slice(1).map((t, i) => t - editTimes[i]!);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(EDIT_INTERVAL_MS * PACING_TOLERANCE);
    // The user's text reached the model without the bot's mention.
    const messages = (lastChatRequest().body as { messages: { role: string; content: string; name?: string }[] }).messages;
    expect(messages.at(-1)).toMatchObject({ role: 'user', content: 'tell me forty words', name: 'alice' });
    upstream.reset();
  });

  it('splits a 5,000-character answer in order, each part within 2,000 characters, code fences balanced', async () => {
    const prose = Array.from({ length: 30 }, (_, i) => `Paragraph ${i} explains one more thing about the code below.`).join('\n\n');
    const code = Array.from({ length: 80 }, (_, i) => `const value${i} = compute(${i}); // step ${i}`).join('\n');
    const long = `${prose}\n\n\`\`\`ts\n${code}\n\`\`\`\n\nThat is all.`;
    expect(long.length).toBeGreaterThan(4500);
    upstream.setReply(long);
    upstream.setChunking({ tokensPerChunk: 40, chunkDelayMs: 5 });
    const id = discord.sendMessage({ content: 'long please', mentionBot: true });
    const parts = await discord.waitFor(() => {
      const msgs = answerTo(id);
      return msgs.length >= 3 && substance(msgs.map((m) => m.content).join('\n')) === substance(long) ? msgs : undefined;
    }, 'the long answer');

    expect(parts[0]!.replyTo).toBe(id);
    for (const part of parts) {
      expect(part.content.length).toBeLessThanOrEqual(2000);
      expect(countFences(part.content) % 2).toBe(0);
    }
    expect(parts.at(-1)!.content.trimEnd().endsWith('That is all.')).toBe(true);
    expect(discord.state.rateLimitHits).toBe(0);
    upstream.reset();
  });

  it('sends model text with @everyone and <@id> with every mention disabled', async () => {
    const text = 'Hey @everyone and @here, ask <@123456789012345678> or <@&223456789012345678>.';
    upstream.setReply(text);
    const id = discord.sendMessage({ content: 'ping people', mentionBot: true });
    const [reply] = await waitForText(id, text);
    expect(reply!.allowedMentions.length).toBeGreaterThan(0);
    for (const am of reply!.allowedMentions) expect(am).toEqual({ parse: [], replied_user: false });
    upstream.reset();
  });

  it('/image defers, then uploads the image as a file with the prompt as text', async () => {
    const id = discord.sendCommand('image', [{ name: 'prompt', type: OPTION_TYPE.String, value: 'a red fox' }]);
    const original = await originalReply(discord, id, (m) => m.files.length > 0, 'the image upload');
    expect(discord.state.interactions.get(id)!.callbackType).toBe(5);
    expect(original.files[0]!.filename).toBe('image.png');
    expect(Buffer.from(original.files[0]!.bytes)).toEqual(TINY_PNG);
    expect(original.content).toContain('red fox');
  });

  it('/tts uploads an mp3', async () => {
    const id = discord.sendCommand('tts', [{ name: 'text', type: OPTION_TYPE.String, value: 'read this aloud' }]);
    const original = await originalReply(discord, id, (m) => m.files.length > 0, 'the audio upload');
    expect(original.files[0]!.filename).toBe('speech.mp3');
    expect(Buffer.from(original.files[0]!.bytes).toString('latin1')).toContain('read this aloud');
  });

  it('/chat streams into the deferred reply and continues in follow-ups past 2,000 characters', async () => {
    const long = Array.from({ length: 90 }, (_, i) => `Sentence number ${i} of a long slash answer.`).join(' ');
    expect(long.length).toBeGreaterThan(3000);
    upstream.setReply(long);
    upstream.setChunking({ tokensPerChunk: 50, chunkDelayMs: 5 });
    const id = discord.sendCommand('chat', [{ name: 'prompt', type: OPTION_TYPE.String, value: 'go long' }]);
    const parts = await discord.waitFor(() => {
      const msgs = [...discord.state.messages.values()].filter((m) => m.interactionId === id);
      return msgs.length >= 2 && substance(msgs.map((m) => m.content).join(' ')) === substance(long) ? msgs : undefined;
    }, 'the slash answer');
    expect(parts[0]!.isOriginal).toBe(true);
    expect(parts.slice(1).every((m) => !m.isOriginal)).toBe(true);
    expect(discord.state.interactions.get(id)!.callbackType).toBe(5);
    const mentionSettings = parts.flatMap((m) => m.allowedMentions).filter(Boolean);
    expect(mentionSettings.length).toBeGreaterThanOrEqual(parts.length);
    for (const am of mentionSettings) expect(am).toEqual({ parse: [], replied_user: false });
    upstream.reset();
  });

  it('/stop ends the answer being written and leaves no "thinking…" behind', async () => {
    upstream.setReply(Array.from({ length: 300 }, (_, i) => `s${i}`).join(' '));
    upstream.setChunking({ tokensPerChunk: 1, chunkDelayMs: 20 });
    const id = discord.sendMessage({ content: 'talk a lot', mentionBot: true });
    await discord.waitFor(() => answerTo(id).length > 0, 'the first words');
    const stop = discord.sendCommand('stop');
    const [reply] = await discord.waitFor(() => {
      const msgs = answerTo(id);
      return msgs.length > 0 && msgs[0]!.content.endsWith('(stopped)') ? msgs : undefined;
    }, 'the stopped answer');
    expect(reply!.content.startsWith('s0 s1')).toBe(true);
    const stopInteraction = discord.state.interactions.get(stop)!;
    await discord.waitFor(() => discord.state.messages.get(stopInteraction.originalMessageId!)?.deleted, 'the placeholder removed');
    upstream.reset();
  });

  // Issue 8.5: /help and the README promise /retry on every surface; Discord had no such command.
  it('/retry regenerates the last answer into the command\'s own reply, replacing the old one in history', async () => {
    const channelId = discord.ids.otherChannel;
    upstream.setReply('first take');
    const asked = discord.sendMessage({ content: 'name a colour', channelId });
    await waitForText(asked, 'first take', channelId);
    const chatsBefore = upstream.requests.filter((r) => r.route === 'chat/completions').length;
    upstream.setReply('second take');

    const id = discord.sendCommand('retry', [], { channelId });
    const original = await originalReply(discord, id, (m) => m.content === 'second take', 'the regenerated answer');

    expect(discord.state.interactions.get(id)!.callbackType).toBe(5);
    expect(original.isOriginal).toBe(true);
    expect(upstream.requests.filter((r) => r.route === 'chat/completions')).toHaveLength(chatsBefore + 1);
    // The same question went again, without the answer it replaces.
    const messages = (lastChatRequest().body as { messages: { role: string; content: unknown }[] }).messages;
    expect(messages.at(-1)).toMatchObject({ role: 'user', content: 'name a colour' });
    expect(messages.some((m) => m.content === 'first take')).toBe(false);
  });

  it('/help answers only the caller (ephemeral)', async () => {
    const id = discord.sendCommand('help');
    const original = await originalReply(discord, id, (m) => m.content.includes('/image'), 'the help text');
    expect(original.flags & 64).toBe(64);
  });

  it('/model autocompletes from the provider model list', async () => {
    const id = discord.sendAutocomplete('model', [{ name: 'name', type: OPTION_TYPE.String, value: 'gpt', focused: true }]);
    const choices = await discord.waitFor(() => discord.state.interactions.get(id)?.choices, 'autocomplete choices');
    expect(choices.map((c) => c.value)).toEqual(expect.arrayContaining(['gpt-4o', 'gpt-4o-mini']));
    expect(choices.every((c) => c.value.includes('gpt'))).toBe(true);
  });

  it('/reset forgets the channel history (listen channel: no mention needed)', async () => {
    const channelId = discord.ids.otherChannel;
    const first = discord.sendMessage({ content: 'my secret word is kumquat', channelId });
    await waitForText(first, 'You said: my secret word is kumquat', channelId);
    const historyOf = () => (lastChatRequest().body as { messages: { content: unknown }[] }).messages.map((m) => JSON.stringify(m.content)).join(' ');

    const second = discord.sendMessage({ content: 'what was it?', channelId });
    await waitForText(second, 'You said: what was it?', channelId);
    expect(historyOf()).toContain('kumquat');

    const reset = discord.sendCommand('reset', [], { channelId });
    await originalReply(discord, reset, (m) => m.content.length > 0, 'the reset confirmation');

    const third = discord.sendMessage({ content: 'and now?', channelId });
    await waitForText(third, 'You said: and now?', channelId);
    expect(historyOf()).not.toContain('kumquat');
  });

  it('an image attachment reaches the upstream as an image_url part', async () => {
    const attachment = discord.addAttachment(TINY_PNG, 'cat.png', 'image/png');
    const id = discord.sendMessage({ content: 'what is this?', mentionBot: true, attachments: [attachment] });
    await waitForText(id, 'You said: what is this? [1 image]');
    const content = (lastChatRequest().body as { messages: { content: unknown }[] }).messages.at(-1)!.content as {
      type: string;
      image_url?: { url: string };
    }[];
    const image = content.find((p) => p.type === 'image_url');
    expect(image?.image_url?.url).toBe(`data:image/png;base64,${TINY_PNG.toString('base64')}`);
  });

  it('a voice message is transcribed and answered', async () => {
    const voice = discord.addAttachment(Buffer.from('OggS fake opus'), 'voice-message.ogg', 'audio/ogg', { duration_secs: 2, waveform: 'AAAA' });
    const id = discord.sendMessage({ content: '', mentionBot: false, dm: true, attachments: [voice], flags: IS_VOICE_MESSAGE });
    await discord.waitFor(
      () => discord.state.botMessagesIn(discord.ids.dmChannel).some((m) => m.content === 'You said: hello from a voice note'),
      'the answer to the voice note',
    );
    expect(upstream.requests.some((r) => r.route === 'audio/transcriptions')).toBe(true);
    expect(discord.state.botMessagesIn(discord.ids.dmChannel)[0]!.replyTo).toBe(id);
  });

  it('an upstream 529 yields one short line', async () => {
    upstream.setNext({ status: 529, route: 'chat/completions' }, 1);
    const id = discord.sendMessage({ content: 'are you there?', mentionBot: true });
    const msgs = await discord.waitFor(() => {
      const m = answerTo(id);
      return m.length > 0 && m[0]!.content.length > 0 ? m : undefined;
    }, 'the error line');
    // Answers on one channel go in order: once the next message is answered, nothing more
    // can follow the error line.
    const next = discord.sendMessage({ content: 'and now?', mentionBot: true });
    await waitForText(next, 'You said: and now?');
    expect(answerTo(id)).toHaveLength(1);
    expect(msgs[0]!.content).toMatch(/overloaded/i);
    expect(msgs[0]!.content.split('\n')).toHaveLength(1);
    expect(msgs[0]!.content.length).toBeLessThan(200);
  });

  it('stays silent where it is not addressed, answers in threads as their own conversation', async () => {
    const ignored = discord.sendMessage({ content: 'just chatting among humans' });
    const fromBot = discord.sendMessage({ content: 'I am another bot', mentionBot: true, from: { id: '923456789012345678', username: 'otherbot', bot: true } });
    const inThread = discord.sendMessage({ content: 'thread question', channelId: discord.ids.thread, mentionBot: true });
    await waitForText(inThread, 'You said: thread question', discord.ids.thread);
    expect(answerTo(ignored)).toEqual([]);
    expect(answerTo(fromBot)).toEqual([]);
    const threadHistory = (lastChatRequest().body as { messages: { role: string }[] }).messages.filter((m) => m.role !== 'system');
    expect(threadHistory).toHaveLength(1);
  });

  it('a reply to one of its messages is answered without a mention', async () => {
    const first = discord.sendMessage({ content: 'start', mentionBot: true });
    const [botReply] = await waitForText(first, 'You said: start');
    const followUp = discord.sendMessage({ content: 'and then?', replyTo: botReply!.id });
    await waitForText(followUp, 'You said: and then?');
    // Answered as a follow-up in the same conversation: the earlier turn went to the model too.
    expect(JSON.stringify(lastChatRequest().body)).toContain('You said: start');
  });

  it('resumes after the gateway drops mid-answer and keeps answering', async () => {
    const words = Array.from({ length: 30 }, (_, i) => `w${i}`).join(' ');
    upstream.setReply(words);
    upstream.setChunking({ tokensPerChunk: 1, chunkDelayMs: 30 });
    const resumed = new Promise((resolve) => discord.events.once('resumed', resolve));
    const id = discord.sendMessage({ content: 'keep going', mentionBot: true });
    await discord.waitFor(() => answerTo(id).length > 0, 'the first words');
    discord.dropConnection();
    await resumed;
    await waitForText(id, words);
    upstream.reset();

    const after = discord.sendMessage({ content: 'still there?', mentionBot: true });
    await waitForText(after, 'You said: still there?');
    expect(discord.gateway.resumeCount).toBe(1);
    expect(discord.gateway.identifyCount).toBe(1);
  });

  it('caused no 429 in the whole conversation', () => {
    expect(discord.state.rateLimitHits).toBe(0);
  });
});
