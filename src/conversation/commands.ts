// One parser for the command vocabulary, shared by every surface. Surfaces differ only in the
// prefix: '/' on the console, Telegram and Discord text; '' for MUD keywords after the trigger.
import type { Command, CommandKind } from '../types.js';

/** Words users may type for each command (English and Chinese aliases). */
const ALIASES: Record<string, CommandKind> = {
  reset: 'reset',
  new: 'reset',
  clear: 'reset',
  重置: 'reset',
  image: 'image',
  img: 'image',
  imagine: 'image',
  画: 'image',
  tts: 'tts',
  voice: 'voice',
  tools: 'tools',
  工具: 'tools',
  model: 'model',
  models: 'model',
  system: 'system',
  persona: 'persona',
  personas: 'persona',
  角色: 'persona',
  stop: 'stop',
  停: 'stop',
  retry: 'retry',
  regenerate: 'retry',
  usage: 'usage',
  help: 'help',
  start: 'help',
  帮助: 'help',
  more: 'more',
};

/** Keywords that may stand alone in MUD mode only: a bare word there is otherwise chat. */
const BARE_KEYWORDS_WITHOUT_ARGS = new Set<CommandKind>(['reset', 'stop', 'retry', 'usage', 'help', 'more', 'model', 'voice', 'system', 'persona', 'tools']);

export interface ParseOptions {
  /** '/' (default) or '' for keyword mode. */
  prefix?: string;
}

function onOff(arg: string): boolean | undefined {
  const a = arg.trim().toLowerCase();
  if (['on', 'true', '1', 'yes', '开'].includes(a)) return true;
  if (['off', 'false', '0', 'no', '关'].includes(a)) return false;
  return undefined;
}

/** Builds a command from its kind and the rest of the line. Returns undefined when args are missing. */
export function commandFrom(kind: CommandKind, arg: string): Command | undefined {
  const rest = arg.trim();
  switch (kind) {
    case 'image':
      return rest ? { kind, prompt: rest } : undefined;
    case 'tts':
      return rest ? { kind, text: rest } : undefined;
    case 'voice':
    case 'tools':
      return { kind, on: onOff(rest) };
    case 'model':
      return rest ? { kind, name: rest } : { kind };
    case 'system':
      return rest ? { kind, prompt: rest } : { kind };
    case 'persona':
      return rest ? { kind, name: rest } : { kind };
    case 'reset':
      return /^(all|全部)$/i.test(rest) ? { kind, all: true } : { kind };
    case 'chat':
      return { kind, text: rest };
    default:
      return { kind };
  }
}

/**
 * Parses a line. With prefix '/', `/image a cat` is a command and anything else is chat
 * (`/image` with no prompt becomes help for that command, here: help). Telegram's
 * `/cmd@BotName` form is accepted. With prefix '', a known keyword opens the line.
 */
export function parseCommand(text: string, opts: ParseOptions = {}): Command {
  const prefix = opts.prefix ?? '/';
  const trimmed = text.trim();
  if (prefix && !trimmed.startsWith(prefix)) return { kind: 'chat', text: trimmed };
  const body = trimmed.slice(prefix.length);
  const m = /^(\S+)(?:\s+([\s\S]*))?$/.exec(body);
  if (!m) return { kind: 'chat', text: trimmed };
  const word = m[1]!.replace(/@\w+$/, '').toLowerCase();
  const arg = m[2] ?? '';
  const kind = ALIASES[word];
  if (!kind) return prefix ? { kind: 'help' } : { kind: 'chat', text: trimmed };
  // In keyword mode "reset the story please" is chat, not a reset: only exact short forms count.
  const takesArgs = ['model', 'voice', 'system', 'persona', 'tools'].includes(kind) || (kind === 'reset' && /^(all|全部)$/i.test(arg.trim()));
  if (!prefix && arg && BARE_KEYWORDS_WITHOUT_ARGS.has(kind) && !takesArgs) {
    return { kind: 'chat', text: trimmed };
  }
  return commandFrom(kind, arg) ?? (prefix ? { kind: 'help' } : { kind: 'chat', text: trimmed });
}

/** Commands only admins may run in shared channels. */
export function isAdminCommand(cmd: Command): boolean {
  return (
    (cmd.kind === 'model' && cmd.name !== undefined) ||
    (cmd.kind === 'system' && cmd.prompt !== undefined) ||
    (cmd.kind === 'persona' && cmd.name !== undefined) ||
    (cmd.kind === 'tools' && cmd.on !== undefined) ||
    (cmd.kind === 'reset' && cmd.all === true)
  );
}

/** Commands that call the provider and so count against rate limits. */
export function isCostly(cmd: Command): boolean {
  return cmd.kind === 'chat' || cmd.kind === 'image' || cmd.kind === 'tts' || cmd.kind === 'retry';
}
