// The `help` answer, generated from the registry and what the surface can do: commands that
// cannot work there (tts and voice where no sound plays) are left out, and a line-mode surface
// (a MUD, where help scrolls by between other players' chatter) gets at most two lines.
import type { Surface } from '../../types.js';
import { t, type Locale } from '../messages.js';
import { offeredOn } from './registry.js';
import type { CommandSpec, Offering } from './spec.js';

/** What a surface offers, read from its own limits. */
export function offeringOf(surface: Pick<Surface, 'commandPrefix' | 'limits'>): Offering {
  return { prefix: surface.commandPrefix, paged: surface.limits.lineMode !== undefined, audio: surface.limits.audio !== false };
}

/** One help line: `/image <prompt>: draw a picture`. */
export function helpLine(locale: Locale, prefix: string, spec: CommandSpec): string {
  const command = `${prefix}${spec.name}${spec.arg ? ` ${spec.arg.hint[locale]}` : ''}`;
  return t(locale, 'help_line', { command, what: t(locale, spec.help) });
}

export function helpFor(locale: Locale, where: Offering): string {
  const commands = offeredOn(where);
  if (where.paged) {
    const names = commands.map((c) => `${where.prefix}${c.name}`).join(', ');
    return [t(locale, 'help_short'), t(locale, 'help_commands', { commands: names })].join('\n');
  }
  return [t(locale, 'help'), ...commands.map((c) => helpLine(locale, where.prefix, c))].join('\n');
}

export function helpText(locale: Locale, surface: Pick<Surface, 'commandPrefix' | 'limits'>): string {
  return helpFor(locale, offeringOf(surface));
}
