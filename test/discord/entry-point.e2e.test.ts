// Discord as `npm start` runs it: src/main.ts in a child process (the core loads before the
// lazily imported discord.js, as in production) against the fake Discord and fake upstream.
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPTION_TYPE, startFakeDiscord, type FakeDiscord, type StoredMessage } from '../fakes/discord/server.js';
import { startFakeUpstream, TINY_PNG, type FakeUpstream } from '../fakes/upstream/server.js';
import { testEnv } from '../helpers/env.js';
import { startMain, type RunningMain } from '../helpers/entry-point.js';

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
  const uploadFor = (interactionId: string, what: string) =>
    discord.waitFor((): StoredMessage | undefined => {
      const original = discord.state.interactions.get(interactionId)?.originalMessageId;
      const message = original ? discord.state.messages.get(original) : undefined;
      return message && message.files.length > 0 ? message : undefined;
    }, what);

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
    await discord.waitFor(() => {
      const original = discord.state.interactions.get(toggle)?.originalMessageId;
      return original ? discord.state.messages.get(original)?.content : undefined;
    }, 'voice mode confirmed');
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
