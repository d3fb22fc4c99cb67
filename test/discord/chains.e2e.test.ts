// Discord reply chains and text attachments end to end: the real discord.js client inside our
// adapter against the fake Discord and the fake upstream. With DISCORD_CONTEXT=chain the model
// sees the reply chain a message continues, not the channel; the default keeps the channel.
import { describe, expect, it, vi } from 'vitest';
import type { TextChannel } from 'discord.js';
import { OPTION_TYPE } from '../fakes/discord/server.js';
import { useStack } from '../helpers/stack.js';
import { startDiscord } from './harness.js';

const TEXT_LIMIT = 1024;

type Sent = { role: string; content: string; name?: string };

async function startBot(context: 'channel' | 'chain') {
  const h = await startDiscord({
    env: { DISCORD_EDIT_INTERVAL_MS: '200', DISCORD_CONTEXT: context, TEXT_ATTACHMENT_MAX_BYTES: String(TEXT_LIMIT) },
    core: { shutdownGraceMs: 2000 },
  });
  const { upstream, discord } = h;
  /** The bot's first message in reply to `userMessageId`, once its text is `text`. */
  const answer = (userMessageId: string, text: string) =>
    discord.waitFor(() => discord.state.botMessagesIn(discord.ids.channel).find((m) => m.replyTo === userMessageId && m.content === text), `answer "${text}"`);
  /** What the model was sent for the newest chat request, without the system prompt. */
  const lastSent = () =>
    ([...upstream.requests].reverse().find((r) => r.route === 'chat/completions')!.body as { messages: Sent[] }).messages.filter((m) => m.role !== 'system');
  return { ...h, answer, lastSent };
}

describe('discord reply chains (DISCORD_CONTEXT=chain)', () => {
  const bot = useStack(() => startBot('chain'));

  it('a reply to an older answer gives the model only that branch; a message replying to nothing starts fresh', async () => {
    const { discord, answer, lastSent } = bot;
    const first = discord.sendMessage({ content: 'first', mentionBot: true });
    const firstAnswer = await answer(first, 'You said: first');
    const second = discord.sendMessage({ content: 'second', mentionBot: true });
    await answer(second, 'You said: second');
    // Not a reply: a fresh conversation, although the channel holds "first".
    expect(lastSent()).toEqual([{ role: 'user', content: 'second', name: 'alice' }]);

    const branch = discord.sendMessage({ content: 'branch', replyTo: firstAnswer.id });
    await answer(branch, 'You said: branch');
    expect(lastSent()).toEqual([
      { role: 'user', content: 'first', name: 'alice' },
      { role: 'assistant', content: 'You said: first' },
      { role: 'user', content: 'branch', name: 'alice' },
    ]);
  });

  it('fetches chain messages discord.js no longer holds over REST', async () => {
    const { discord, adapter, answer, lastSent } = bot;
    const root = discord.sendMessage({ content: 'root', mentionBot: true });
    const rootAnswer = await answer(root, 'You said: root');
    const channel = adapter.client.channels.cache.get(discord.ids.channel) as TextChannel;
    // Each REST answer about the bot's reply re-caches the question it replies to: wait for the last.
    await vi.waitFor(() => expect(channel.messages.cache.get(rootAnswer.id)?.content).toBe('You said: root'));
    channel.messages.cache.clear();
    const before = discord.state.requests.length;

    const next = discord.sendMessage({ content: 'next', replyTo: rootAnswer.id });
    await answer(next, 'You said: next');
    expect(lastSent().map((m) => m.content)).toEqual(['root', 'You said: root', 'next']);
    const fetched = discord.state.requests.slice(before).filter((r) => r.method === 'GET' && r.path.includes('/messages/'));
    // The answer came nested in the new message's event; the question before it had to be fetched.
    expect(fetched.map((r) => r.path)).toEqual([`/channels/${discord.ids.channel}/messages/${root}`]);
  });

  it('a reply to the last part of a long answer follows the whole answer back to its question', async () => {
    const { discord, upstream, lastSent } = bot;
    const long = `START ${'word '.repeat(500)}END`;
    upstream.setReply(long);
    const ask = discord.sendMessage({ content: 'say a lot', mentionBot: true });
    const parts = await discord.waitFor(() => {
      const all = discord.state.botMessagesIn(discord.ids.channel);
      const first = all.findIndex((m) => m.replyTo === ask);
      const answer = first < 0 ? [] : all.slice(first);
      return answer.length >= 2 && answer.at(-1)!.content.endsWith('END') ? answer : undefined;
    }, 'the answer in parts');
    upstream.setReply(undefined);
    const more = discord.sendMessage({ content: 'shorter please', replyTo: parts.at(-1)!.id });
    await bot.answer(more, 'You said: shorter please');
    const sent = lastSent();
    expect(sent.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(sent[0]!.content).toBe('say a lot');
    expect(sent[1]!.content).toMatch(/^START word[\s\S]*END$/);
    expect(sent[1]!.content.replace(/\s+/g, ' ')).toBe(long.replace(/\s+/g, ' '));
  });

  it('/chat replies to nothing, so it starts fresh too', async () => {
    const { discord, upstream, lastSent, answer } = bot;
    // Something said in the channel before: the channel's history is not the command's.
    const earlier = discord.sendMessage({ content: 'earlier', mentionBot: true });
    await answer(earlier, 'You said: earlier');
    const before = upstream.requests.length;
    const id = discord.sendCommand('chat', [{ name: 'prompt', type: OPTION_TYPE.String, value: 'fresh start' }]);
    await discord.waitFor(() => [...discord.state.messages.values()].some((m) => m.interactionId === id && m.content === 'You said: fresh start'), 'the /chat answer');
    expect(upstream.requests.length).toBeGreaterThan(before);
    expect(lastSent()).toEqual([{ role: 'user', content: 'fresh start', name: 'alice' }]);
  });

  it('follows replies between users: the message replied to is part of the question', async () => {
    const { discord, answer, lastSent } = bot;
    const fromBob = discord.sendMessage({ content: 'the build fails on arm64', from: discord.users.bob });
    const ask = discord.sendMessage({ content: 'why could that be?', mentionBot: true, replyTo: fromBob });
    const question = '> bob: the build fails on arm64\n\nwhy could that be?';
    await answer(ask, `You said: ${question}`);
    expect(lastSent()).toEqual([{ role: 'user', content: question, name: 'alice' }]);
  });
});

describe('discord context default (channel)', () => {
  const bot = useStack(() => startBot('channel'));

  it('a reply to an older answer still sees the whole channel', async () => {
    const { discord, answer, lastSent } = bot;
    const first = discord.sendMessage({ content: 'first', mentionBot: true });
    const firstAnswer = await answer(first, 'You said: first');
    const second = discord.sendMessage({ content: 'second', mentionBot: true });
    await answer(second, 'You said: second');
    const branch = discord.sendMessage({ content: 'branch', replyTo: firstAnswer.id });
    await answer(branch, 'You said: branch');
    expect(lastSent().map((m) => m.content)).toEqual(['first', 'You said: first', 'second', 'You said: second', 'branch']);
  });
});

describe('discord text attachments', () => {
  const bot = useStack(() => startBot('channel'));

  const contentsIn = (channelId: string) => bot.discord.state.botMessagesIn(channelId).map((m) => m.content);

  it('a text file is read into the message with its name, fenced past the backticks inside it', async () => {
    const { discord, upstream, lastSent } = bot;
    upstream.setReply('read it');
    const notes = '# Notes\n```js\nlet a = 1;\n```\n';
    const file = discord.addAttachment(Buffer.from(notes), 'notes.md', 'text/markdown; charset=utf-8');
    const id = discord.sendMessage({ content: 'summarize this', mentionBot: true, attachments: [file] });
    await bot.answer(id, 'read it');
    expect(lastSent().at(-1)).toEqual({ role: 'user', content: `summarize this\n\nnotes.md:\n\`\`\`\`\n${notes}\`\`\`\``, name: 'alice' });
  });

  it('a file over the limit and a binary file each get a short note; the text is still answered', async () => {
    const { discord, upstream, lastSent } = bot;
    upstream.setReply('answered');
    const big = discord.addAttachment(Buffer.from('x'.repeat(TEXT_LIMIT + 1)), 'big.log', 'text/plain');
    const blob = discord.addAttachment(Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1]), 'tool', 'application/octet-stream');
    const id = discord.sendMessage({ content: 'and these?', mentionBot: true, attachments: [big, blob] });
    await discord.waitFor(() => contentsIn(discord.ids.channel).includes('answered'), 'the answer');
    expect(contentsIn(discord.ids.channel)).toEqual(expect.arrayContaining(['(Not read, larger than 1 KB: big.log)', '(Not read, not a text file: tool)']));
    expect(discord.state.botMessagesIn(discord.ids.channel).find((m) => m.replyTo === id)?.content).toBe('(Not read, larger than 1 KB: big.log)');
    expect(lastSent().at(-1)).toEqual({ role: 'user', content: 'and these?', name: 'alice' });
    // Neither file was downloaded: the size and the type said enough.
    expect(discord.state.requests.some((r) => r.path.includes('/attachments/'))).toBe(false);
  });

  it('a binary file alone gets its note and no model call', async () => {
    const { discord, upstream } = bot;
    upstream.reset();
    const pdf = discord.addAttachment(Buffer.from('%PDF-1.7'), 'paper.pdf', 'application/pdf');
    const id = discord.sendMessage({ content: '', mentionBot: true, dm: true, attachments: [pdf] });
    await discord.waitFor(() => discord.state.botMessagesIn(discord.ids.dmChannel).find((m) => m.replyTo === id), 'the note');
    // Answers in one channel go in order: once the next is answered, nothing more followed the note.
    const next = discord.sendMessage({ content: 'hello', dm: true });
    await discord.waitFor(() => discord.state.botMessagesIn(discord.ids.dmChannel).find((m) => m.replyTo === next && m.content === 'You said: hello'), 'the next answer');
    expect(discord.state.botMessagesIn(discord.ids.dmChannel).map((m) => m.content)).toEqual(['(Not read, not a text file: paper.pdf)', 'You said: hello']);
    expect(upstream.requests.filter((r) => r.route === 'chat/completions')).toHaveLength(1);
  });
});
