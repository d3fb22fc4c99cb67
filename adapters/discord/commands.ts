// Slash commands: their definitions, how an invocation maps to our Command vocabulary, and
// registration that only writes when the definitions changed (re-registering unchanged
// commands at every start is how bots earn 429s).
import {
  ApplicationCommandOptionType,
  Routes,
  SlashCommandBuilder,
  type ChatInputCommandInteraction,
  type REST,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import { ALL_COMMANDS, MENU_OFFERING, offeredOn, specOf } from '../../src/conversation/commands/index.js';
import type { ArgSpec, CommandSpec } from '../../src/conversation/commands/index.js';
import { t } from '../../src/conversation/messages.js';
import type { Command, CommandKind } from '../../src/types.js';

const PROMPT_MAX_CHARS = 4000;

/** Commands whose answer only the caller needs to see (the registry's Discord hint). */
export const EPHEMERAL_COMMANDS: ReadonlySet<CommandKind> = new Set(ALL_COMMANDS.filter((c) => c.discord?.ephemeral).map((c) => c.kind));

/** Discord shows one language in the slash command picker: the English line. */
function slashCommand(spec: CommandSpec): SlashCommandBuilder {
  const builder = new SlashCommandBuilder().setName(spec.name).setDescription(t('en', spec.help));
  const arg = spec.arg;
  if (!arg) return builder;
  if (arg.kind === 'switch' || arg.kind === 'flag') {
    builder.addBooleanOption((o) => o.setName(arg.option).setDescription(arg.describe));
    return builder;
  }
  builder.addStringOption((o) => {
    o.setName(arg.option).setDescription(arg.describe).setRequired(arg.kind === 'text');
    // Names autocomplete from a list; free text is bounded by what a message can hold.
    return spec.discord?.autocomplete ? o.setAutocomplete(true) : o.setMaxLength(PROMPT_MAX_CHARS);
  });
  return builder;
}

/** One slash command per command the registry offers on a prefixed surface that does not page. */
export function commandDefinitions(): RESTPostAPIChatInputApplicationCommandsJSONBody[] {
  return offeredOn(MENU_OFFERING).map((spec) => slashCommand(spec).toJSON());
}

/** The option's value as the text a user would have typed after the command word. */
function argText(i: ChatInputCommandInteraction, arg: ArgSpec): string {
  if (arg.kind === 'text' || arg.kind === 'optional') return i.options.getString(arg.option) ?? '';
  const on = i.options.getBoolean(arg.option);
  if (arg.kind === 'flag') return on ? (arg.words?.[0] ?? '') : '';
  return on === null ? '' : on ? 'on' : 'off';
}

/** Maps a slash command to our vocabulary; undefined for names we do not own. */
export function commandFromInteraction(i: ChatInputCommandInteraction): Command | undefined {
  const spec = offeredOn(MENU_OFFERING).find((c) => c.name === i.commandName);
  if (!spec) return undefined;
  // Discord enforces required options; a missing one still gets an answer (help) rather than none.
  return specOf(spec.kind).build(spec.arg ? argText(i, spec.arg).trim() : '') ?? { kind: 'help' };
}

/** The command as a user would type it, for Incoming.text and logs. */
export function commandText(cmd: Command): string {
  switch (cmd.kind) {
    case 'chat':
      return cmd.text;
    case 'image':
      return `/image ${cmd.prompt}`;
    case 'tts':
      return `/tts ${cmd.text}`;
    case 'help':
    case 'model':
    case 'more':
    case 'persona':
    case 'reset':
    case 'retry':
    case 'stop':
    case 'system':
    case 'tools':
    case 'usage':
    case 'voice':
      return `/${cmd.kind}`;
  }
}

// ---- registration -----------------------------------------------------------------------------

interface OptionShape {
  type: number;
  name: string;
  description: string;
  required?: boolean;
  autocomplete?: boolean;
  max_length?: number;
  choices?: { name: string; value: string | number }[];
}

interface CommandShape {
  name: string;
  description: string;
  options?: OptionShape[];
}

/**
 * Only the fields we set, with Discord's defaults folded in: what Discord returns has extra
 * fields (ids, versions, contexts, nsfw…) and omits `required: false`.
 */
function normalize(commands: CommandShape[]): string {
  const shape = commands
    .map((c) => ({
      name: c.name,
      description: c.description,
      options: (c.options ?? []).map((o) => ({
        type: o.type,
        name: o.name,
        description: o.description,
        required: o.required ?? false,
        autocomplete: o.autocomplete ?? false,
        max_length: o.type === ApplicationCommandOptionType.String ? (o.max_length ?? null) : null,
        choices: (o.choices ?? []).map((ch) => ({ name: ch.name, value: ch.value })),
      })),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
  return JSON.stringify(shape);
}

export function sameCommands(wanted: CommandShape[], existing: CommandShape[]): boolean {
  return normalize(wanted) === normalize(existing);
}

export interface RegistrationResult {
  scope: string;
  changed: boolean;
}

/** Per guild when `guildId` is set (updates show at once), global otherwise (may take a while). */
export async function registerCommands(rest: REST, applicationId: string, guildId: string | undefined): Promise<RegistrationResult> {
  const route = guildId ? Routes.applicationGuildCommands(applicationId, guildId) : Routes.applicationCommands(applicationId);
  const wanted = commandDefinitions();
  const existing = (await rest.get(route)) as CommandShape[];
  const scope = guildId ? `guild ${guildId}` : 'global';
  if (sameCommands(wanted as CommandShape[], existing)) return { scope, changed: false };
  await rest.put(route, { body: wanted });
  return { scope, changed: true };
}
