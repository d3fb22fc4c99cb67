// /start and /help name exactly the commands of the menu registered with setMyCommands (issue
// 8.10: they used to say /reset while the menu said /new), and every menu command is one the
// core understands.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCommand } from '../../src/conversation/commands/index.js';
import { helpText, menuCommands } from '../../adapters/telegram/menu.js';
import type { FakeTelegram } from '../fakes/telegram/server.js';
import { startTelegram, type TelegramHarness } from './harness.js';

/** The commands a help text names, in order: every line that starts with /word. */
const commandsNamedIn = (text: string) => text.split('\n').flatMap((l) => /^\/([a-z0-9_]+)/.exec(l)?.[1] ?? []);

describe('/start and /help against the registered menu (real telegraf, fake Bot API)', () => {
  let h: TelegramHarness;
  let tg: FakeTelegram;

  beforeAll(async () => {
    h = await startTelegram({ upstream: { chunkDelayMs: 1 }, env: { TELEGRAM_STREAM: 'edit' } });
    tg = h.tg;
  });
  afterAll(() => h?.close());

  it.each(['/start', '/help'])('%s names the commands setMyCommands registered, with their descriptions', async (command) => {
    const chatId = command === '/start' ? 71 : 72;
    tg.sendUserMessage({ chatId, text: command });
    await tg.waitFor(() => tg.messagesIn(chatId).length > 0);
    const text = tg.messagesIn(chatId)[0]!.text;
    const registered = tg.callsOf('setMyCommands').at(-1)?.payload.commands as { command: string; description: string }[];
    expect(registered.length).toBeGreaterThan(0);
    expect(commandsNamedIn(text)).toEqual(registered.map((c) => c.command));
    for (const c of registered) {
      expect(text.split('\n').find((l) => l.startsWith(`/${c.command}`))).toContain(c.description);
    }
  });
});

describe('the menu', () => {
  it.each(['en', 'zh'] as const)('help text and menu list the same commands (%s)', (locale) => {
    expect(commandsNamedIn(helpText(locale))).toEqual(menuCommands(locale).map((c) => c.command));
  });

  it('names only commands the core understands', () => {
    for (const { command } of menuCommands('en')) {
      // An unknown /word parses as help; only start and help may legitimately mean help.
      const parsed = parseCommand(`/${command} x`);
      if (parsed.kind === 'help') expect(['start', 'help']).toContain(command);
    }
  });
});
