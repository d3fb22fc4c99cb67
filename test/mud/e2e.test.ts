// The real MUD adapter (telnet, login, triggers, manager, relay, paced writer) against the fake MUD
// and the fake OpenAI upstream, both on 127.0.0.1.
import iconv from 'iconv-lite';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FakeMud, FakeMudOptions, ReceivedCommand } from '../fakes/mud/server.js';
import { startFakeUpstream, type ChatBody, type FakeUpstream } from '../fakes/upstream/server.js';
import { exampleProfile, PASSWORD, startMud, type MudHarness } from './harness.js';

/** Test pacing: 150 ms = 6.7 commands/s, under the fake's flood rule of 10 per second. */
const PACING_MS = 150;
/** Waits on a condition as long as the fake MUD waits on its events (a loaded CI machine is slow). */
const UNTIL = { timeout: 8_000, interval: 20 };

let upstream: FakeUpstream;
let running: MudHarness[] = [];

beforeAll(async () => {
  upstream = await startFakeUpstream();
});

afterEach(async () => {
  for (const r of running) await r.close();
  running = [];
  upstream.reset();
});

afterAll(async () => {
  await upstream.close();
});

interface BotOptions {
  style?: 'diku' | 'lpc' | 'evennia';
  profile?: Record<string, unknown>;
  mud?: FakeMudOptions;
  /** Default true: resolve once the character is in the game. */
  waitReady?: boolean;
  /** Extra core settings (LOCALE, RATE_LIMIT_PER_MINUTE...). */
  env?: Record<string, string>;
}

/** A shipped example profile pointed at a fresh fake MUD, with test-sized tunables. */
async function startBot(opts: BotOptions = {}) {
  const bot = await startMud({
    ...opts,
    sharedUpstream: upstream,
    captureLogs: true,
    profile: { pacingMs: PACING_MS, maxLines: 40, promptFlushMs: 60, reconnect: { initialMs: 50, maxMs: 200 }, loginTimeoutMs: 3000, ...opts.profile },
  });
  running.push(bot);
  return bot;
}

const chatRequests = () => upstream.requests.filter((r) => r.route === 'chat/completions');
const lastChatBody = () => chatRequests().at(-1)!.body as ChatBody;
const text = (cs: ReceivedCommand[]) => cs.map((c) => c.text);

/** Waits until the bot has sent `prefix` lines whose joined text contains `tail`. */
async function waitForReply(mud: FakeMud, prefix: string, tail: string, after = 0): Promise<ReceivedCommand[]> {
  await mud.waitForCommand((c) => c.text.startsWith(prefix) && c.text.includes(tail) && mud.commands.indexOf(c) >= after);
  return mud.commands.slice(after).filter((c) => c.text.startsWith(prefix));
}

describe('MUD adapter against the fake MUD', () => {
  it('negotiates, logs in without logging the password, and reaches the game', async () => {
    const { mud, adapter, logs } = await startBot();
    expect(adapter.state).toBe('ready');
    expect(mud.logins).toBe(1);
    expect(mud.negotiated.ttype).toBe('parley');
    expect(mud.negotiated.naws).toEqual({ width: 76, height: 50 });
    expect(mud.negotiated.charset).toBe('UTF-8');
    expect(mud.negotiated.verbs).toEqual(expect.arrayContaining(['DO 3', 'DO 25', 'WILL 24', 'WILL 31', 'WILL 42']));
    expect(logs.join('')).toContain('MUD character is in the game');
    expect(logs.join('')).not.toContain(PASSWORD);
  });

  it('answers a tell with tell lines that are wrapped, paced and complete', async () => {
    const { mud } = await startBot({ profile: { wrap: 40, maxCommandBytes: 60 } });
    const answer =
      'Kobolds are small reptilian humanoids that live in warrens under the hills. They trade in ' +
      'copper and gossip, fear bright light, and will happily sell you a map that leads nowhere at all.';
    upstream.setReply(answer);
    mud.tell('Alice', 'what is a kobold?');
    const lines = await waitForReply(mud, 'tell Alice ', 'nowhere at all.');
    expect((lastChatBody().messages ?? []).at(-1)).toMatchObject({ role: 'user', content: 'what is a kobold?' });
    expect(lines.length).toBeGreaterThan(3);
    for (const c of lines) {
      expect(c.bytes.length).toBeLessThanOrEqual(60);
      expect(c.text.slice('tell Alice '.length).length).toBeLessThanOrEqual(40);
    }
    expect(text(lines).map((t) => t.slice('tell Alice '.length)).join(' ')).toBe(answer);
    // Paced: n lines take at least (n-1) intervals on the wire (10% slack for timer granularity).
    expect(lines.at(-1)!.at - lines[0]!.at).toBeGreaterThanOrEqual((lines.length - 1) * PACING_MS * 0.9);
    expect(mud.floodKicks).toBe(0);
  });

  it('GBK profile: Chinese in, Chinese out, wrapped by bytes', async () => {
    const { mud } = await startBot({ style: 'lpc', profile: { maxCommandBytes: 50, wrap: 70 } });
    expect(mud.negotiated.charset).toBe('GBK');
    const answer = '侠客行是一个经典的中文泥巴游戏，玩家在江湖中闯荡，拜师学艺，行侠仗义，结交朋友。';
    upstream.setReply(answer);
    mud.tell('alice', '给我介绍一下这个游戏');
    const lines = await waitForReply(mud, 'tell alice ', '友。');
    expect((lastChatBody().messages ?? []).at(-1)).toMatchObject({ role: 'user', content: '给我介绍一下这个游戏' });
    for (const c of lines) {
      expect(c.bytes.length).toBeLessThanOrEqual(50);
      expect(iconv.encode(c.text, 'gbk').equals(c.bytes)).toBe(true);
    }
    expect(text(lines).map((t) => t.slice('tell alice '.length)).join('')).toBe(answer);
  });

  it('GBK channel line: answered on the channel, its own echo is ignored', async () => {
    const { mud } = await startBot({ style: 'lpc' });
    upstream.setReply('parley，这是我自己说的话，不要回答我。');
    mud.channel('bob', 'parley，你好');
    await waitForReply(mud, 'chat ', '不要回答我');
    // The fake echoes "【闲聊】派利(parley): parley，..." which matches the trigger but is ours.
    upstream.setReply('好的。');
    mud.tell('carol', '在吗');
    await waitForReply(mud, 'tell carol ', '好的。');
    expect(chatRequests()).toHaveLength(2);
  });

  it('a long answer never trips the flood rule', async () => {
    const { mud } = await startBot();
    const answer = Array.from({ length: 20 }, (_, i) => `Line ${i + 1} of a long answer.`).join('\n');
    upstream.setReply(answer);
    mud.tell('Bob', 'tell me a long story');
    const lines = await waitForReply(mud, 'tell Bob ', 'Line 20 of');
    expect(lines).toHaveLength(20);
    // Nominally 7 commands (1000 / PACING_MS + 1) land in any one-second window; the rule allows 10.
    const maxInWindow = Math.max(...lines.map((l) => lines.filter((m) => m.at >= l.at && m.at - l.at < 1000).length));
    expect(maxInWindow).toBeLessThanOrEqual(10);
    expect(mud.floodKicks).toBe(0);
    expect(mud.logins).toBe(1);
  });

  it('the fake really kicks an unpaced client (control for the test above)', async () => {
    const { mud } = await startBot({ profile: { pacingMs: 0 } });
    upstream.setReply(Array.from({ length: 20 }, (_, i) => `Line ${i + 1}`).join('\n'));
    mud.tell('Bob', 'flood please');
    await mud.waitFor(() => mud.floodKicks > 0, 'a flood kick');
    expect(mud.commands).toHaveLength(11); // the 11th command inside one second is the kick
    expect(mud.floodKicks).toBe(1);
  });

  it('model text with newline+quit, ;drop all, IAC and ANSI goes out as inert tell text', async () => {
    const { mud } = await startBot();
    upstream.setReply('Sure.\nquit\n;drop all\x1b[31m red \u00ff\u001b]0;t\u0007 x\rquit\nThe end.');
    mud.tell('Mallory', 'write something dangerous');
    await waitForReply(mud, 'tell Mallory ', 'The end.');
    const sent = mud.commands.filter((c) => c.text !== 'look');
    for (const c of sent) {
      expect(c.text.startsWith('tell Mallory ')).toBe(true);
      expect([...c.bytes]).not.toContain(0xff);
      expect([...c.bytes]).not.toContain(0x1b);
      expect(c.text).not.toMatch(/[;\r\n\x00-\x1f]/);
    }
    expect(text(sent)).toContain('tell Mallory quit');
    // The separator is gone and the escape bytes too (the visible rest of "ESC[31m" may remain).
    expect(text(sent).some((t) => /^tell Mallory drop all\b.*\bred\b/.test(t))).toBe(true);
    expect(mud.online).toBe(1); // "quit" was a tell, not a command
    expect(mud.logins).toBe(1);
  });

  it('reconnects after a drop, logs in again and still remembers the conversation', async () => {
    const { mud, adapter } = await startBot();
    mud.tell('Alice', 'my name is Zed');
    await waitForReply(mud, 'tell Alice ', 'my name is Zed');
    mud.dropAll();
    await mud.waitForLogins(2);
    await adapter.whenReady();
    const before = mud.commands.length;
    upstream.setReply((body: ChatBody) => {
      const remembered = (body.messages ?? []).some((m) => m.role === 'user' && m.content === 'my name is Zed');
      return remembered ? 'Your name is Zed.' : 'I do not know your name.';
    });
    mud.tell('Alice', 'what is my name?');
    const lines = await waitForReply(mud, 'tell Alice ', 'name', before);
    expect(text(lines)).toEqual(['tell Alice Your name is Zed.']);
    expect(lines[0]!.session).toBe(2);
  });

  it('a reply that was in flight during a drop is delivered after the re-login', async () => {
    const { mud } = await startBot();
    upstream.setNext({ delayMs: 300 });
    upstream.setReply('Worth the wait.');
    mud.tell('Alice', 'slow question');
    // The tell reached the bot when its question reaches the provider; the answer is 300 ms away.
    await vi.waitFor(() => expect(chatRequests()).toHaveLength(1), UNTIL);
    mud.dropAll();
    const lines = await waitForReply(mud, 'tell Alice ', 'Worth the wait.');
    expect(lines.map((l) => l.session)).toEqual([2]);
  });

  it('stop() while the MUD is unreachable returns promptly', async () => {
    const { mud, adapter } = await startBot();
    await mud.close();
    await vi.waitFor(() => expect(adapter.state).not.toBe('ready'), UNTIL);
    await adapter.stop();
    expect(adapter.state).toBe('stopped');
  });

  it('never answers its own echoed room line', async () => {
    const { mud } = await startBot();
    upstream.setReply('Parley, that is me talking to myself.');
    mud.say('Bob', 'Parley, what is your name?');
    await waitForReply(mud, 'say ', 'talking to myself');
    // The fake echoed "Parley says 'Parley, that is me ...'": it matches the room trigger.
    upstream.setReply('ok');
    mud.tell('Alice', 'ping');
    await waitForReply(mud, 'tell Alice ', 'ok');
    expect(chatRequests()).toHaveLength(2);
    expect(mud.commands.filter((c) => c.text.startsWith('say '))).toHaveLength(1);
  });

  it('keyword commands after the trigger reach the manager (help, image)', async () => {
    const { mud } = await startBot();
    mud.tell('Alice', 'image a red dragon');
    const lines = await waitForReply(mud, 'tell Alice ', 'Image: http');
    expect(lines.some((c) => /Image: http:\/\/127\.0\.0\.1:\d+\//.test(c.text))).toBe(true);
    const imageReq = upstream.requests.find((r) => r.route === 'images/generations');
    expect(imageReq?.body).toMatchObject({ prompt: 'a red dragon' });
  });

  it('a tell split into tiny packets (cutting GBK characters) is still one line', async () => {
    const { mud } = await startBot({ style: 'lpc' });
    upstream.setReply('收到。');
    const wire = iconv.encode('\x1b[35m爱丽丝(alice)告诉你：分开发送的消息\x1b[0m\r\n', 'gbk');
    for (let i = 0; i < wire.length; i += 3) {
      mud.broadcastBytes(wire.subarray(i, i + 3));
      // Spaces the writes so they tend to arrive as separate reads (pacing only, not a wait for a result).
      await new Promise((r) => setTimeout(r, 2));
    }
    await waitForReply(mud, 'tell alice ', '收到。');
    expect((lastChatBody().messages ?? []).at(-1)).toMatchObject({ role: 'user', content: '分开发送的消息' });
  });

  it('caps long answers at maxLines and continues on "more"', async () => {
    const { mud } = await startBot({ profile: { maxLines: 3 } });
    upstream.setReply(Array.from({ length: 6 }, (_, i) => `Part ${i + 1}.`).join('\n'));
    mud.tell('Alice', 'list six parts');
    const first = await waitForReply(mud, 'tell Alice ', 'more');
    expect(text(first)).toEqual(['tell Alice Part 1.', 'tell Alice Part 2.', 'tell Alice Part 3.', "tell Alice (more: tell me 'more')"]);
    const before = mud.commands.length;
    mud.tell('Alice', 'more');
    const rest = await waitForReply(mud, 'tell Alice ', 'Part 6.', before);
    expect(text(rest)).toEqual(['tell Alice Part 4.', 'tell Alice Part 5.', 'tell Alice Part 6.']);
    expect(chatRequests()).toHaveLength(1);
  });

  // Issue 8.8: a player over the profile's rate limit got silence.
  it('a player over the per-player rate limit is told once per window, then ignored (loop guard)', async () => {
    const { mud } = await startBot({ profile: { rateLimit: { count: 2, windowMs: 60_000 } } });
    for (const n of [1, 2, 3, 4]) mud.tell('Spammer', `message ${n}`);
    await waitForReply(mud, 'tell Spammer ', 'message 2');
    await waitForReply(mud, 'tell Spammer ', 'too fast');
    upstream.setReply('pong');
    mud.tell('Alice', 'ping');
    await waitForReply(mud, 'tell Alice ', 'pong');
    expect(chatRequests()).toHaveLength(3);
    expect(mud.commands.some((c) => /message [34]/.test(c.text))).toBe(false);
    expect(text(mud.commands.filter((c) => c.text.includes('too fast')))).toEqual(['tell Spammer You are sending messages too fast. Please wait a minute.']);
  });

  it("the core's own rate-limit notice reaches the player", async () => {
    const { mud } = await startBot({ env: { RATE_LIMIT_PER_MINUTE: '1' } });
    upstream.setReply('first answer');
    mud.tell('Alice', 'one');
    await waitForReply(mud, 'tell Alice ', 'first answer');
    mud.tell('Alice', 'two');
    await waitForReply(mud, 'tell Alice ', 'too fast');
    expect(chatRequests()).toHaveLength(1);
  });

  // Issue 8.8: help in a MUD was 11 game lines and offered tts/voice, which cannot work there.
  it('help is at most three lines of commands that work in a MUD', async () => {
    const { mud } = await startBot();
    mud.tell('Alice', 'help');
    const lines = text(await waitForReply(mud, 'tell Alice ', 'Commands:'));
    expect(lines.length).toBeLessThanOrEqual(3);
    expect(lines.join(' ')).toContain('reset');
    expect(lines.join(' ')).not.toMatch(/\btts\b|\bvoice\b/);
  });

  it("with LOCALE=zh the MUD's help, notices and rate-limit line are Chinese", async () => {
    const { mud } = await startBot({ style: 'lpc', env: { LOCALE: 'zh' }, profile: { maxLines: 10, rateLimit: { count: 1, windowMs: 60_000 } } });
    mud.tell('alice', 'help');
    const help = text(await waitForReply(mud, 'tell alice ', '命令：'));
    expect(help.length).toBeLessThanOrEqual(3);
    expect(help[0]).toBe('tell alice 我是 AI 助手：直接说话我就回答，也可以用命令词开头。');
    mud.tell('alice', 'tts 你好');
    expect(text(await waitForReply(mud, 'tell alice ', '太快'))).toContain('tell alice 你发消息太快了，请一分钟后再试。');
    mud.tell('bob', 'tts 你好');
    expect(text(await waitForReply(mud, 'tell bob ', '声音'))).toEqual(['tell bob 这里无法播放声音。']);
    // The paging hint of a long answer, too.
    upstream.setReply(Array.from({ length: 14 }, (_, i) => `第${i + 1}行。`).join('\n'));
    mud.tell('carol', '讲一个长故事');
    expect(text(await waitForReply(mud, 'tell carol ', '还有更多')).at(-1)).toBe('tell carol （还有更多：对我说 more）');
  });

  it('without loginRejected, a wrong password keeps retrying with backoff and never reaches the game', async () => {
    expect(exampleProfile('diku').loginRejected).toBeDefined();
    const bot = await startMud({
      sharedUpstream: upstream,
      mud: { accounts: { parley: 'another-password' } },
      profile: { loginRejected: undefined, pacingMs: 20, reconnect: { initialMs: 20, maxMs: 40 } },
      adapter: {},
      waitReady: false,
    });
    running.push(bot);
    const { mud, adapter } = bot;
    await mud.waitFor(() => mud.connections >= 3, 'three connection attempts');
    expect(mud.logins).toBe(0);
    expect(adapter.state).not.toBe('ready');
  });

  it('with the shipped loginRejected, a wrong password stops at the first refusal', async () => {
    const { mud, adapter, fatal } = await startBot({ mud: { accounts: { parley: 'another-password' } }, waitReady: false });
    await vi.waitFor(() => expect(fatal).toEqual([`MUD diku-example (127.0.0.1:${mud.port}) refused the login of Parley: "Wrong password."`]), UNTIL);
    expect(adapter.state).toBe('stopped');
    expect(mud.connections).toBe(1);
  });

    it('sends keepalives when idle and quits cleanly on stop', async () => {
    const { mud, adapter } = await startBot({ profile: { keepalive: { everyMs: 200, send: 'look' } } });
    await mud.waitForCommand((c) => c.text === 'look');
    await adapter.stop();
    expect(mud.commands.at(-1)!.text).toBe('quit');
    expect(adapter.state).toBe('stopped');
    await mud.waitFor(() => mud.online === 0, 'the bot to leave');
  });
});

// Issue 9.7, found against a real Evennia 6.1: a login that cannot succeed looped silently.
describe('Evennia profile against an Evennia-like fake MUD', () => {
  const lastUserText = () => (lastChatBody().messages ?? []).at(-1)?.content;

  it('answers a page, a whisper and a say that names the bot', async () => {
    const { mud } = await startBot({ style: 'evennia' });
    expect(mud.loginLines).toEqual([`connect Parley ${PASSWORD}`]);
    upstream.setReply('Hello from the bot.');
    mud.tell('Alice', 'are you there?');
    expect(text(await waitForReply(mud, 'page ', 'Hello'))).toEqual(['page Alice = Hello from the bot.']);
    expect(lastUserText()).toBe('are you there?');
    mud.whisper('Bob', 'a secret question');
    expect(text(await waitForReply(mud, 'whisper ', 'Hello'))).toEqual(['whisper Bob = Hello from the bot.']);
    expect(lastUserText()).toBe('a secret question');
    mud.say('Carol', 'Parley, what is this place?');
    expect(text(await waitForReply(mud, 'say ', 'Hello'))).toEqual(['say Hello from the bot.']);
    expect(lastUserText()).toBe('what is this place?');
    expect(chatRequests()).toHaveLength(3);
  });

  it('a refused password stops retrying and reports one line naming the MUD and the reason', async () => {
    const { mud, adapter, fatal } = await startBot({ style: 'evennia', mud: { accounts: { parley: 'another-password' } }, waitReady: false });
    await vi.waitFor(() => expect(fatal).toHaveLength(1), UNTIL);
    expect(fatal[0]).toBe(`MUD evennia-example (127.0.0.1:${mud.port}) refused the login of Parley: "Username and/or password is incorrect."`);
    // Stopped for good: no reconnect timer is left to try again.
    expect(adapter.state).toBe('stopped');
    expect(mud.loginRejections).toBe(1);
    expect(mud.connections).toBe(1);
  });

  it('a server showing no login screen gets one empty line, then the login goes on', async () => {
    const { mud, adapter } = await startBot({
      style: 'evennia',
      mud: { restarted: true },
      profile: { loginNudge: { afterMs: 200, send: '' } },
      waitReady: false,
    });
    await adapter.whenReady();
    expect(mud.loginLines).toEqual(['', `connect Parley ${PASSWORD}`]);
    expect(mud.connections).toBe(1);
  });
});
