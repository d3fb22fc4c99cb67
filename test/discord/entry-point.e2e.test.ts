// Discord as `npm start` runs it: src/main.ts in a child process (the core loads before the
// lazily imported discord.js, as in production) against the fake Discord and fake upstream.
import { createRequire } from 'node:module';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OPTION_TYPE, startFakeDiscord, type FakeDiscord } from '../fakes/discord/server.js';
import { startFakeUpstream, TINY_PNG, type FakeUpstream } from '../fakes/upstream/server.js';
import { testEnv } from '../helpers/env.js';
import { startMain, type RunningMain } from '../helpers/entry-point.js';
import { originalReply } from './harness.js';

describe('discord through the real entry point', () => {
  let upstream: FakeUpstream;
  let discord: FakeDiscord;
  let main: RunningMain;

  beforeAll(async () => {
    upstream = await startFakeUpstream();
    discord = await startFakeDiscord();
    main = startMain(
      testEnv(upstream, {
        LOG_LEVEL: 'info',
        DISCORD_TOKEN: discord.token,
        DISCORD_API_URL: discord.apiUrl,
        DISCORD_GUILD_ID: discord.ids.guild,
      }),
    );
    await main.waitForLog('"platform":"discord"', 'surface started');
  });

  afterAll(async () => {
    await main?.dispose();
    await discord?.close();
    await upstream?.close();
  });

  /** The deferred response of a slash command once it carries a file. */
  const uploadFor = (interactionId: string, what: string) => originalReply(discord, interactionId, (m) => m.files.length > 0, what);

  // Issue 8.1: undici 7 loaded by the core first, then discord.js with its own undici 6: the
  // global dispatcher of one served the other's multipart upload ("action is not a function").
  it('/image uploads the generated image: its bytes arrive', async () => {
    const id = discord.sendCommand('image', [{ name: 'prompt', type: OPTION_TYPE.String, value: 'a red fox' }]);
    const message = await uploadFor(id, 'the image upload');
    expect(message.files[0]!.filename).toBe('image.png');
    expect(Buffer.from(message.files[0]!.bytes)).toEqual(TINY_PNG);
    expect(main.stdout).not.toContain('action is not a function');
  });

  it('/tts uploads an mp3: its bytes arrive', async () => {
    const id = discord.sendCommand('tts', [{ name: 'text', type: OPTION_TYPE.String, value: 'read this aloud' }]);
    const message = await uploadFor(id, 'the audio upload');
    expect(message.files[0]!.filename).toBe('speech.mp3');
    const speech = upstream.requests.filter((r) => r.route === 'audio/speech').at(-1);
    expect(speech).toBeDefined();
    expect(Buffer.from(message.files[0]!.bytes).toString('latin1')).toContain('read this aloud');
  });

  it('voice mode: a mention is answered in text, then spoken as an uploaded mp3', async () => {
    const channelId = discord.ids.otherChannel;
    const toggle = discord.sendCommand('voice', [{ name: 'enabled', type: OPTION_TYPE.Boolean, value: true }], { channelId });
    await originalReply(discord, toggle, (m) => m.content !== '', 'voice mode confirmed');
    const id = discord.sendMessage({ content: 'say it', mentionBot: true, channelId });
    const spoken = await discord.waitFor(() => discord.state.botMessagesIn(channelId).find((m) => m.files.length > 0), 'the spoken answer');
    expect(spoken.files[0]!.filename).toBe('speech.mp3');
    expect(Buffer.from(spoken.files[0]!.bytes).toString('latin1')).toContain('You said: say it');
    expect(discord.state.botMessagesIn(channelId).some((m) => m.replyTo === id && m.content === 'You said: say it')).toBe(true);
  });

  it('stops cleanly on SIGTERM with exit code 0', async () => {
    main.child.kill('SIGTERM');
    expect(await main.exited).toBe(0);
  });
});

describe('one undici for the whole tree', () => {
  // The cause of issue 8.1, named: two undici majors share one global dispatcher slot.
  it('discord.js resolves the same undici as parley', () => {
    const ours = createRequire(import.meta.url).resolve('undici');
    const discords = createRequire(createRequire(import.meta.url).resolve('@discordjs/rest')).resolve('undici');
    expect(discords).toBe(ours);
  });
});

// Issue 9.6: after a close code discord.js does not reconnect from, the process used to live on
// with a dead Discord surface. Now it says what to fix in one line and exits 1.
describe('discord shut out for good, through the real entry point', () => {
  let upstream: FakeUpstream;
  let discord: FakeDiscord | undefined;
  let main: RunningMain | undefined;

  beforeAll(async () => {
    upstream = await startFakeUpstream();
  });
  afterEach(async () => {
    await main?.dispose();
    await discord?.close();
    main = undefined;
    discord = undefined;
  });
  afterAll(async () => {
    await upstream?.close();
  });

  const start = (fake: FakeDiscord, token = fake.token) =>
    startMain(testEnv(upstream, { LOG_LEVEL: 'info', DISCORD_TOKEN: token, DISCORD_API_URL: fake.apiUrl }));
  const stderrLines = (m: RunningMain) => m.stderr.trim().split('\n');

  it('4014 at login: one line saying to turn on Message Content Intent, exit 1', async () => {
    discord = await startFakeDiscord({ identifyCloseCode: 4014 });
    main = start(discord);
    expect(await main.exited).toBe(1);
    expect(stderrLines(main)).toHaveLength(1);
    expect(main.stderr).toContain('Message Content Intent');
    expect(main.stderr).not.toContain(discord.token);
  });

  it('4004 while running (token reset): one line naming DISCORD_TOKEN, logged at fatal, exit 1', async () => {
    discord = await startFakeDiscord();
    main = start(discord);
    await main.waitForLog('"platform":"discord"', 'surface started');
    discord.dropConnection(4004);
    expect(await main.exited).toBe(1);
    expect(stderrLines(main)).toHaveLength(1);
    expect(main.stderr).toContain('Discord rejected DISCORD_TOKEN');
    const fatal = main.stdout.split('\n').find((l) => l.includes('"level":60'));
    expect(fatal).toContain('DISCORD_TOKEN');
    expect(fatal).toContain('"platform":"discord"');
    // It did not try to resume a session Discord closed for good.
    expect(discord.gateway.resumeCount).toBe(0);
  });

  it('a token the REST API rejects at start: the same line, exit 1', async () => {
    discord = await startFakeDiscord();
    main = start(discord, 'not-the-bot-token');
    expect(await main.exited).toBe(1);
    expect(stderrLines(main)).toHaveLength(1);
    expect(main.stderr).toContain('Discord rejected DISCORD_TOKEN');
    expect(main.stderr).not.toContain('not-the-bot-token');
  });
});
