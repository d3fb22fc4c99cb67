// The Telegram command menu, generated from the core's command registry: the menu registered
// with setMyCommands and the text /start and /help answer name the same commands, with the
// same descriptions, as every other surface's help.
import { helpFor } from '../../src/conversation/commands/help.js';
import { MENU_OFFERING, offeredOn } from '../../src/conversation/commands/registry.js';
import { t } from '../../src/conversation/messages.js';
import type { Locale } from './lines.js';

/** What setMyCommands registers: the menu Telegram's clients show next to the input box. */
export function menuCommands(locale: Locale): { command: string; description: string }[] {
  return offeredOn(MENU_OFFERING).map((c) => ({ command: c.name, description: t(locale, c.help) }));
}

/** What /start and /help answer: the core's help for a surface with '/' commands and sound. */
export function helpText(locale: Locale): string {
  return helpFor(locale, MENU_OFFERING);
}
