// The `help` answer, built from what the surface can do: commands that cannot work there (tts and
// voice where no sound plays) are left out, and a line-mode surface (a MUD, where help scrolls
// by between other players' chatter) gets at most three lines.
import type { Surface } from '../types.js';
import { t, type Locale } from './messages.js';

/** Commands that only make sense where sound can be played. */
const AUDIO_COMMANDS = new Set(['tts', 'voice']);

/** The command words a line-mode surface lists, in the order of the full help. */
const LINE_MODE_COMMANDS = ['reset', 'image', 'tts', 'voice', 'model', 'system', 'persona', 'tools', 'stop', 'retry', 'more', 'usage', 'help'];

export function helpText(locale: Locale, surface: Surface): string {
  const prefix = surface.commandPrefix;
  const canPlayAudio = surface.limits.audio !== false;
  const works = (command: string) => canPlayAudio || !AUDIO_COMMANDS.has(command);
  if (surface.limits.lineMode) {
    const commands = LINE_MODE_COMMANDS.filter(works)
      .map((c) => `${prefix}${c}`)
      .join(', ');
    return [t(locale, 'help_short'), t(locale, 'help_commands', { commands })].join('\n');
  }
  const [intro = '', ...lines] = t(locale, 'help', { p: prefix }).split('\n');
  // Each line after the intro starts with the command word: "/tts <text>: speak text aloud".
  const commandOf = (line: string) => line.slice(prefix.length).split(/[\s:：]/, 1)[0]!;
  return [intro, ...lines.filter((line) => works(commandOf(line)))].join('\n');
}
