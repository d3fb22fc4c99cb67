// The service as `npm start` runs it: src/main.ts in a child process with every platform
// configured at once (fake Discord, fake Telegram Bot API, fake MUD, fake upstream), answering
// on each, then stopping cleanly on SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify as toYaml, parse as parseYaml } from 'yaml';
import { startFakeDiscord, type FakeDiscord } from './fakes/discord/server.js';
import { startFakeMud, type FakeMud } from './fakes/mud/server.js';
import { startFakeTelegram, type FakeTelegram } from './fakes/telegram/server.js';
import { startFakeUpstream, type FakeUpstream } from './fakes/upstream/server.js';

const TSX = pathToFileURL(join(process.cwd(), 'node_modules/tsx/dist/loader.mjs')).href;
const MAIN = join(process.cwd(), 'src/main.ts');

/** `npm start`'s entry point in `dir`, with only these settings (no developer .env or tokens). */
function startMain(dir: string, upstream: FakeUpstream, settings: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', TSX, MAIN], {
    cwd: dir,
    env: { PATH: process.env.PATH, OPENAI_BASE_URL: upstream.url, OPENAI_API_KEY: 'test-key', DATA_DIR: join(dir, 'data'), ...settings },
  });
}

describe('npm start with every platform configured', () => {
  let upstream: FakeUpstream;
  let discord: FakeDiscord;
  let telegram: FakeTelegram;
  let mud: FakeMud;
  let dir: string;
  let child: ChildProcess;
  let stdout = '';
  let exited: Promise<number | null>;

  beforeAll(async () => {
    upstream = await startFakeUpstream();
    discord = await startFakeDiscord();
    telegram = await startFakeTelegram({ pollHoldMs: 300 });
    mud = await startFakeMud({ style: 'diku' });
    dir = mkdtempSync(join(tmpdir(), 'parley-main-'));
    const profile = parseYaml(readFileSync('profiles/diku-example.yaml', 'utf8')) as Record<string, unknown>;
    const profilePath = join(dir, 'mud.yaml');
    writeFileSync(profilePath, toYaml({ ...profile, port: mud.port, pacingMs: 100 }));
    child = startMain(dir, upstream, {
      LOG_LEVEL: 'info',
      DISCORD_TOKEN: discord.token,
      DISCORD_API_URL: discord.apiUrl,
      DISCORD_GUILD_ID: discord.ids.guild,
      TELEGRAM_BOT_TOKEN: telegram.token,
      TELEGRAM_API_ROOT: telegram.apiRoot,
      MUD_PROFILE: profilePath,
      MUD_PASSWORD: 'sekrit-pass',
    });
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
    // Loading tsx, discord.js and telegraf in the child takes 10 s and more on a loaded machine.
    await mud.waitForLogins(1, 45_000);
  }, 60_000);

  afterAll(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await Promise.all([upstream.close(), discord.close(), telegram.close(), mud.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers on Discord, Telegram and the MUD from one process', async () => {
    const discordStarted = () => stdout.split('\n').some((l) => l.includes('"platform":"discord"') && l.includes('surface started'));
    await discord.waitFor(() => (discordStarted() ? true : undefined), 'discord started');
    const id = discord.sendMessage({ content: 'hello from discord', mentionBot: true });
    await discord.waitFor(
      () => discord.state.botMessagesIn(discord.ids.channel).find((m) => m.replyTo === id && m.content === 'You said: hello from discord'),
      'discord answer',
    );

    telegram.sendUserMessage({ chatId: 4242, text: 'hello from telegram' });
    await telegram.waitFor(() => telegram.messagesIn(4242).some((m) => m.text === 'You said: hello from telegram'));

    mud.tell('Alice', 'hello from the mud');
    const cmd = await mud.waitForCommand((c) => c.text.startsWith('tell Alice'));
    expect(cmd.text).toBe('tell Alice You said: hello from the mud');
  });

  it('stops cleanly on SIGTERM: MUD quit, exit code 0, no key in the logs', async () => {
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(mud.commands.some((c) => c.text === 'quit')).toBe(true);
    expect(stdout).toContain('"msg":"shutting down"');
    expect(stdout).not.toContain('sekrit-pass');
    expect(stdout).not.toContain(discord.token);
    expect(stdout).not.toContain(telegram.token);
  });
});

describe('npm start when one surface cannot start', () => {
  it('says which and why in one line, stops the surfaces already running, exits 1', async () => {
    const upstream = await startFakeUpstream();
    const discord = await startFakeDiscord();
    const telegram = await startFakeTelegram({ pollHoldMs: 300 });
    const dir = mkdtempSync(join(tmpdir(), 'parley-main-fail-'));
    const closeCodes: number[] = [];
    discord.events.on('close', (e: { code: number }) => closeCodes.push(e.code));
    try {
      const child = startMain(dir, upstream, {
        DISCORD_TOKEN: discord.token,
        DISCORD_API_URL: discord.apiUrl,
        TELEGRAM_BOT_TOKEN: '999999:not-the-right-token',
        TELEGRAM_API_ROOT: telegram.apiRoot,
      });
      let stderr = '';
      child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.stdout!.resume();
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect(code).toBe(1);
      expect(stderr).toContain('Start-up failed: Telegram: could not connect (TELEGRAM_BOT_TOKEN was rejected');
      expect(stderr).not.toMatch(/\n\s+at /);
      // Discord had started first; it logged out (a normal close) rather than dying with the
      // process (1006, abnormal closure). The close may be seen just after the exit.
      await discord.waitFor(() => (closeCodes.length > 0 ? true : undefined), 'gateway close');
      expect(closeCodes).toEqual([1000]);
    } finally {
      await Promise.all([upstream.close(), discord.close(), telegram.close()]);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
