// One parser for the command vocabulary, generated from the registry and shared by every
// surface. Surfaces differ only in the prefix: '/' on the console, Telegram and Discord text;
// '' for MUD keywords after the trigger.
import type { Command, CommandKind } from '../../types.js';
import { ALL_COMMANDS, specOf } from './registry.js';
import type { CommandSpec } from './spec.js';

/** Every word users may type, each locale's aliases included, to its kind. */
const WORDS: ReadonlyMap<string, CommandKind> = new Map(
  ALL_COMMANDS.flatMap((c) => [c.name, ...Object.values(c.aliases).flat()].map((w) => [w, c.kind] as const)),
);

export interface ParseOptions {
  /** '/' (default) or '' for keyword mode. */
  prefix?: string;
}

/** Builds a command from its kind and the rest of the line. Returns undefined when args are missing. */
export function commandFrom(kind: CommandKind, arg: string): Command | undefined {
  return specOf(kind).build(arg.trim());
}

/**
 * In keyword mode a line that merely starts with a command word is chat ("reset the quest for
 * me please"): a word counts only bare, or with the kind of argument it takes.
 */
function keywordTakes(spec: CommandSpec, arg: string): boolean {
  if (!arg) return true;
  if (!spec.arg) return false;
  if (spec.arg.kind === 'flag') return (spec.arg.words ?? []).includes(arg.trim().toLowerCase());
  return true;
}

/**
 * Parses a line. With prefix '/', `/image a cat` is a command and anything else is chat
 * (`/image` with no prompt, or an unknown word, becomes help). Telegram's `/cmd@BotName`
 * form is accepted. With prefix '', a known keyword opens the line.
 */
export function parseCommand(text: string, opts: ParseOptions = {}): Command {
  const prefix = opts.prefix ?? '/';
  const trimmed = text.trim();
  const chat: Command = { kind: 'chat', text: trimmed };
  if (prefix && !trimmed.startsWith(prefix)) return chat;
  const m = /^(\S+)(?:\s+([\s\S]*))?$/.exec(trimmed.slice(prefix.length));
  if (!m) return chat;
  const kind = WORDS.get(m[1]!.replace(/@\w+$/, '').toLowerCase());
  const arg = m[2] ?? '';
  if (!kind) return prefix ? { kind: 'help' } : chat;
  const spec = specOf(kind);
  if (!prefix && (spec.offered === 'prefixed' || !keywordTakes(spec, arg))) return chat;
  return commandFrom(kind, arg) ?? (prefix ? { kind: 'help' } : chat);
}

/** Commands only admins may run in shared channels: changing a setting, not reading it. */
export function isAdminCommand(cmd: Command): boolean {
  const spec = specOf(cmd.kind);
  if (spec.admin === 'never') return false;
  const { kind: _kind, ...args } = cmd;
  return Object.values(args).some((v) => v !== undefined);
}

/** Commands that call the provider and so count against rate limits. */
export function isCostly(cmd: Command): boolean {
  return specOf(cmd.kind).costly;
}
