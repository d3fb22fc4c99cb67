// What one command is, as data: the parser, the help text, Discord's slash commands and
// Telegram's menu are all generated from these entries, so they cannot name different commands.
import type { Command, CommandKind } from '../../types.js';
import type { Locale, MessageId } from '../messages.js';

/**
 * The command's one argument, which decides how each platform spells it:
 * `text` is required free text (`image <prompt>`), `optional` free text or nothing
 * (`model [name]`), `switch` on|off or nothing (`voice`), `flag` one fixed word (`reset all`).
 */
export type ArgKind = 'text' | 'optional' | 'switch' | 'flag';

export interface ArgSpec {
  kind: ArgKind;
  /** Option name on Discord (`prompt`, `enabled`…). */
  option: string;
  /** How help and menus write it, e.g. `<prompt>`. */
  hint: Record<Locale, string>;
  /** Discord's option description (Discord shows one language here). */
  describe: string;
  /** `flag` only: the words that set it. */
  words?: readonly string[];
}

/**
 * Where a command is offered: everywhere; only where long answers page (line mode, so `more`
 * means something); only where commands carry a prefix (a keyword surface treats every line as
 * chat already, so `chat` would only steal sentences that start with "chat").
 */
export type Offered = 'everywhere' | 'paged' | 'prefixed';

interface SpecOf<K extends CommandKind> {
  kind: K;
  /** The one spelling menus, slash commands, help and the README show. */
  name: string;
  /** Other words users may type, by the locale they come from (all are accepted everywhere). */
  aliases: Partial<Record<Locale, readonly string[]>>;
  arg?: ArgSpec;
  /** `with-argument`: reading is for everyone, changing (an argument given) is for admins. */
  admin: 'never' | 'with-argument';
  /** Calls the provider, so it counts against the rate limit and budget. */
  costly: boolean;
  /** Waits its turn in the channel's order; otherwise answered at once. */
  queued: boolean;
  /** The line describing it in help and menus. */
  help: MessageId;
  offered: Offered;
  /** Only where sound can be played. */
  needsAudio?: boolean;
  /** Discord hints: the answer only the caller sees; the option autocompletes. */
  discord?: { ephemeral?: boolean; autocomplete?: boolean };
  /** The command from its argument text ('' when none); undefined when a required one is missing. */
  build(arg: string): Extract<Command, { kind: K }> | undefined;
}

/** One command's entry; without a parameter, any command's. */
export type CommandSpec<K extends CommandKind = CommandKind> = { [P in K]: SpecOf<P> }[K];

/** Exactly one entry per kind: a kind added to `Command` without an entry does not compile. */
export type Registry = { readonly [K in CommandKind]: CommandSpec<K> };

/** What a surface offers, for help and menus. */
export interface Offering {
  /** '/' or '' (keywords). */
  prefix: string;
  /** Long answers page (line mode). */
  paged: boolean;
  audio: boolean;
}
