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
import type { Command } from '../../src/types.js';

const PROMPT_MAX_CHARS = 4000;

/** Commands whose answer only the caller needs to see. */
export const EPHEMERAL_COMMANDS = new Set(['help', 'usage']);

export function commandDefinitions(): RESTPostAPIChatInputApplicationCommandsJSONBody[] {
  const builders = [
    new SlashCommandBuilder()
      .setName('chat')
      .setDescription('Ask the model something')
      .addStringOption((o) => o.setName('prompt').setDescription('What to say').setRequired(true).setMaxLength(PROMPT_MAX_CHARS)),
    new SlashCommandBuilder()
      .setName('image')
      .setDescription('Generate an image')
      .addStringOption((o) => o.setName('prompt').setDescription('What to draw').setRequired(true).setMaxLength(PROMPT_MAX_CHARS)),
    new SlashCommandBuilder()
      .setName('tts')
      .setDescription('Read text aloud (mp3)')
      .addStringOption((o) => o.setName('text').setDescription('What to say').setRequired(true).setMaxLength(PROMPT_MAX_CHARS)),
    new SlashCommandBuilder()
      .setName('voice')
      .setDescription('Speak every answer in this channel')
      .addBooleanOption((o) => o.setName('enabled').setDescription('On or off (default: toggle)')),
    new SlashCommandBuilder()
      .setName('tools')
      .setDescription('Show the tools the model may use here, or switch them (admins)')
      .addBooleanOption((o) => o.setName('enabled').setDescription('On or off (default: show)')),
    new SlashCommandBuilder()
      .setName('reset')
      .setDescription('Forget this conversation')
      .addBooleanOption((o) => o.setName('all').setDescription('Also clear the persona (default: keep it)')),
    new SlashCommandBuilder()
      .setName('model')
      .setDescription('Show or choose the model for this channel')
      .addStringOption((o) => o.setName('name').setDescription('Model id ("default" to reset)').setAutocomplete(true)),
    new SlashCommandBuilder()
      .setName('system')
      .setDescription('Show or set the system prompt for this channel')
      .addStringOption((o) => o.setName('prompt').setDescription('New system prompt ("default" to reset)').setMaxLength(PROMPT_MAX_CHARS)),
    new SlashCommandBuilder()
      .setName('persona')
      .setDescription('Show or choose the persona for this channel')
      .addStringOption((o) => o.setName('name').setDescription('Persona ("default" for none)').setAutocomplete(true)),
    new SlashCommandBuilder().setName('stop').setDescription('Stop the answer being written'),
    new SlashCommandBuilder().setName('retry').setDescription('Regenerate the last answer'),
    new SlashCommandBuilder().setName('usage').setDescription('Tokens used today and history size'),
    new SlashCommandBuilder().setName('help').setDescription('What this bot can do'),
  ];
  return builders.map((b) => b.toJSON());
}

/** Maps a slash command to our vocabulary; undefined for names we do not own. */
export function commandFromInteraction(i: ChatInputCommandInteraction): Command | undefined {
  const str = (name: string) => i.options.getString(name) ?? undefined;
  switch (i.commandName) {
    case 'chat':
      return { kind: 'chat', text: str('prompt') ?? '' };
    case 'image':
      return { kind: 'image', prompt: str('prompt') ?? '' };
    case 'tts':
      return { kind: 'tts', text: str('text') ?? '' };
    case 'voice':
      return { kind: 'voice', on: i.options.getBoolean('enabled') ?? undefined };
    case 'tools':
      return { kind: 'tools', on: i.options.getBoolean('enabled') ?? undefined };
    case 'model':
      return { kind: 'model', name: str('name') };
    case 'system':
      return { kind: 'system', prompt: str('prompt') };
    case 'persona':
      return { kind: 'persona', name: str('name') };
    case 'reset':
      return i.options.getBoolean('all') ? { kind: 'reset', all: true } : { kind: 'reset' };
    case 'stop':
    case 'retry':
    case 'usage':
    case 'help':
      return { kind: i.commandName };
    default:
      return undefined;
  }
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
    default:
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
