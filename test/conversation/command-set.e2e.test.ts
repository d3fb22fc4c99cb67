// Issue 10: the command names Discord has registered, the Telegram menu, `help` as answered on
// every surface and the README table are one set. Each is read from where a user meets it: the
// application commands the real discord.js client PUT to the fake REST, the setMyCommands the
// real telegraf sent to the fake Bot API, the help each running adapter answered, README.md.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { createConsoleAdapter } from '../../adapters/console/index.js';
import { createDiscordAdapter } from '../../adapters/discord/index.js';
import { createMudAdapter } from '../../adapters/mud/index.js';
import { createTelegramAdapter } from '../../adapters/telegram/index.js';
import { createCore, type Core } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import { ALL_COMMANDS, MENU_OFFERING, offeredOn } from '../../src/conversation/commands/index.js';
import { createLogger } from '../../src/log.js';
import type { Adapter } from '../../src/types.js';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord/server.js';
import { startFakeMud, type FakeMud } from '../fakes/mud/server.js';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram/server.js';
import { startFakeUpstream, type FakeUpstream } from '../fakes/upstream/server.js';
import { testEnv } from '../helpers/env.js';

const UNTIL = { timeout: 10_000, interval: 20 };
const sorted = (names: Iterable<string>) => [...new Set(names)].sort();
/** The commands a full help names: every line that starts with /word. */
const namedIn = (help: string) => sorted(help.split('\n').flatMap((l) => /^\/([^\s:：]+)/.exec(l.trim())?.[1] ?? []));
/** The commands a line-mode help names: "Commands: reset, image, …". */
const listedIn = (help: string) => sorted(/Commands: (.*)/.exec(help)?.[1]?.split(', ') ?? []);

/** The shipped Diku example profile pointed at the fake MUD. */
function mudProfileFor(mud: FakeMud): string {
  const example = parseYaml(readFileSync('profiles/diku-example.yaml', 'utf8')) as Record<string, unknown>;
  const path = join(mkdtempSync(join(tmpdir(), 'parley-command-set-')), 'profile.yaml');
  writeFileSync(path, toYaml({ ...example, host: mud.host, port: mud.port, pacingMs: 150, maxLines: 40, promptFlushMs: 60, loginTimeoutMs: 3000 }));
  return path;
}

/** The first cell of each row of README's command table, without arguments. */
function readmeCommands(): string[] {
  const section = readFileSync('README.md', 'utf8').split('## Commands (every surface)')[1]!.split('\n## ')[0]!;
  return sorted(section.split('\n').flatMap((l) => /^\| `([^` ]+)/.exec(l)?.[1] ?? []));
}

describe('one command set on every surface (real clients against the fakes)', () => {
  let upstream: FakeUpstream;
  let discord: FakeDiscord;
  let tg: FakeTelegram;
  let mud: FakeMud;
  const cores: Core[] = [];
  const adapters: Adapter[] = [];

  async function core(env: Record<string, string>): Promise<Core> {
    const c = await createCore(loadConfig(testEnv(upstream, env)), { logger: createLogger('silent') });
    cores.push(c);
    return c;
  }

  beforeAll(async () => {
    upstream = await startFakeUpstream();
    discord = await startFakeDiscord();
    tg = await startFakeTelegram({ pollHoldMs: 300 });
    mud = await startFakeMud({ style: 'diku' });
  });

  afterAll(async () => {
    for (const c of cores) await c.manager.shutdown();
    for (const a of adapters) await a.stop();
    for (const c of cores) await c.close();
    await discord?.close();
    await tg?.close();
    await mud?.close();
    await upstream?.close();
  });

  async function discordNames(): Promise<{ registered: string[]; help: string[] }> {
    const adapter = createDiscordAdapter(await core({ DISCORD_TOKEN: discord.token, DISCORD_API_URL: discord.apiUrl }));
    adapters.push(adapter);
    await adapter.start();
    const id = discord.sendCommand('help');
    const help = await discord.waitFor(() => {
      const i = discord.state.interactions.get(id);
      const m = i?.originalMessageId ? discord.state.messages.get(i.originalMessageId) : undefined;
      return m?.content.includes('/help') ? m.content : undefined;
    }, 'the help answer');
    return { registered: sorted(discord.state.globalCommands.map((c) => c.name)), help: namedIn(help) };
  }

  async function telegramNames(): Promise<{ menu: string[]; help: string[] }> {
    const adapter = createTelegramAdapter(await core({ TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_API_ROOT: tg.apiRoot }));
    adapters.push(adapter);
    await adapter.start();
    const menu = await vi.waitFor(() => tg.callsOf('setMyCommands').at(-1)!.payload.commands as { command: string }[], UNTIL);
    tg.sendUserMessage({ chatId: 81, text: '/help' });
    await tg.waitFor(() => tg.messagesIn(81).length > 0);
    return { menu: sorted(menu.map((c) => c.command)), help: namedIn(tg.messagesIn(81)[0]!.text) };
  }

  async function consoleHelp(): Promise<string[]> {
    let screen = '';
    const input = new PassThrough();
    const output = new Writable({ write: (chunk: Buffer, _enc, cb) => ((screen += chunk.toString('utf8')), cb()) });
    const adapter = createConsoleAdapter(await core({}), { input, output });
    adapters.push(adapter);
    await adapter.start();
    input.write('/help\n');
    await vi.waitFor(() => expect(screen).toMatch(/^\/help: /m), UNTIL);
    return namedIn(screen);
  }

  async function mudHelp(): Promise<string[]> {
    const adapter = createMudAdapter(await core({ MUD_PROFILE: mudProfileFor(mud), MUD_PASSWORD: 'sekrit-pass' }), { random: () => 0.5 });
    adapters.push(adapter);
    await adapter.start();
    await adapter.whenReady();
    mud.tell('Alice', 'help');
    // The list wraps over several tells; it is complete when the last command (help) came.
    const said = () => mud.commands.filter((c) => c.text.startsWith('tell Alice ')).map((c) => c.text.slice('tell Alice '.length)).join(' ');
    await vi.waitFor(() => expect(said()).toMatch(/Commands: .*\bhelp$/), UNTIL);
    return listedIn(said());
  }

  it('Discord, the Telegram menu, help on each surface and the README name the same commands', async () => {
    const d = await discordNames();
    const t = await telegramNames();
    const consoleNames = await consoleHelp();
    const mudNames = await mudHelp();
    const readme = readmeCommands();

    // Surfaces with a '/' and sound offer one set, and it is the registry's.
    expect(d.help).toEqual(d.registered);
    expect(t.menu).toEqual(d.registered);
    expect(t.help).toEqual(d.registered);
    expect(consoleNames).toEqual(d.registered);
    expect(d.registered).toEqual(sorted(offeredOn(MENU_OFFERING).map((c) => c.name)));
    // A MUD differs only where the registry says: no sound (tts, voice), every line is chat
    // already (chat), and long answers page there (more).
    const withoutMud = ['chat', 'tts', 'voice'];
    expect(mudNames).toEqual(sorted([...d.registered.filter((n) => !withoutMud.includes(n)), 'more']));
    // The README documents every command any surface offers, and no other.
    expect(readme).toEqual(sorted([...d.registered, ...mudNames]));
    expect(readme).toEqual(sorted(ALL_COMMANDS.map((c) => c.name)));
  });
});
