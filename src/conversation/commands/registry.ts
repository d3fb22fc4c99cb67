// The command vocabulary as data, in the order help and menus list it.
import type { Command, CommandKind } from '../../types.js';
import type { CommandSpec, Offering, Registry } from './spec.js';

const RESET_ALL_WORDS = ['all', '全部'] as const;

function onOff(arg: string): boolean | undefined {
  const a = arg.trim().toLowerCase();
  if (['on', 'true', '1', 'yes', '开'].includes(a)) return true;
  if (['off', 'false', '0', 'no', '关'].includes(a)) return false;
  return undefined;
}

const bare = <K extends 'stop' | 'retry' | 'usage' | 'help' | 'more'>(kind: K) => () => ({ kind }) as Extract<Command, { kind: K }>;

export const COMMANDS: Registry = {
  chat: {
    kind: 'chat', name: 'chat', aliases: {}, admin: 'never', costly: true, queued: true, help: 'cmd.chat', offered: 'prefixed',
    arg: { kind: 'text', option: 'prompt', hint: { en: '<text>', zh: '<内容>' }, describe: 'What to say' },
    build: (arg) => (arg ? { kind: 'chat', text: arg } : undefined),
  },
  reset: {
    kind: 'reset', name: 'reset', aliases: { en: ['new', 'clear'], zh: ['重置'] }, admin: 'with-argument', costly: false, queued: true, help: 'cmd.reset', offered: 'everywhere',
    arg: { kind: 'flag', option: 'all', hint: { en: '[all]', zh: '[all]' }, describe: 'Also clear the persona (default: keep it)', words: RESET_ALL_WORDS },
    build: (arg) => (RESET_ALL_WORDS.includes(arg.toLowerCase() as 'all') ? { kind: 'reset', all: true } : { kind: 'reset' }),
  },
  image: {
    kind: 'image', name: 'image', aliases: { en: ['img', 'imagine'], zh: ['画'] }, admin: 'never', costly: true, queued: true, help: 'cmd.image', offered: 'everywhere',
    arg: { kind: 'text', option: 'prompt', hint: { en: '<prompt>', zh: '<描述>' }, describe: 'What to draw' },
    build: (arg) => (arg ? { kind: 'image', prompt: arg } : undefined),
  },
  tts: {
    kind: 'tts', name: 'tts', aliases: {}, admin: 'never', costly: true, queued: true, help: 'cmd.tts', offered: 'everywhere', needsAudio: true,
    arg: { kind: 'text', option: 'text', hint: { en: '<text>', zh: '<文字>' }, describe: 'What to say' },
    build: (arg) => (arg ? { kind: 'tts', text: arg } : undefined),
  },
  voice: {
    kind: 'voice', name: 'voice', aliases: {}, admin: 'never', costly: false, queued: false, help: 'cmd.voice', offered: 'everywhere', needsAudio: true,
    arg: { kind: 'switch', option: 'enabled', hint: { en: 'on|off', zh: 'on|off' }, describe: 'On or off (default: toggle)' },
    build: (arg) => ({ kind: 'voice', on: onOff(arg) }),
  },
  model: {
    kind: 'model', name: 'model', aliases: { en: ['models'] }, admin: 'with-argument', costly: false, queued: false, help: 'cmd.model', offered: 'everywhere',
    arg: { kind: 'optional', option: 'name', hint: { en: '[name]', zh: '[名称]' }, describe: 'Model id ("default" to reset)' },
    discord: { autocomplete: true },
    build: (arg) => (arg ? { kind: 'model', name: arg } : { kind: 'model' }),
  },
  system: {
    kind: 'system', name: 'system', aliases: {}, admin: 'with-argument', costly: false, queued: false, help: 'cmd.system', offered: 'everywhere',
    arg: { kind: 'optional', option: 'prompt', hint: { en: '[prompt]', zh: '[提示词]' }, describe: 'New system prompt ("default" to reset)' },
    build: (arg) => (arg ? { kind: 'system', prompt: arg } : { kind: 'system' }),
  },
  persona: {
    kind: 'persona', name: 'persona', aliases: { en: ['personas'], zh: ['角色'] }, admin: 'with-argument', costly: false, queued: false, help: 'cmd.persona', offered: 'everywhere',
    arg: { kind: 'optional', option: 'name', hint: { en: '[name]', zh: '[名称]' }, describe: 'Persona ("default" for none)' },
    discord: { autocomplete: true },
    build: (arg) => (arg ? { kind: 'persona', name: arg } : { kind: 'persona' }),
  },
  tools: {
    kind: 'tools', name: 'tools', aliases: { zh: ['工具'] }, admin: 'with-argument', costly: false, queued: false, help: 'cmd.tools', offered: 'everywhere',
    arg: { kind: 'switch', option: 'enabled', hint: { en: '[on|off]', zh: '[on|off]' }, describe: 'On or off (default: show)' },
    build: (arg) => ({ kind: 'tools', on: onOff(arg) }),
  },
  stop: { kind: 'stop', name: 'stop', aliases: { zh: ['停'] }, admin: 'never', costly: false, queued: false, help: 'cmd.stop', offered: 'everywhere', build: bare('stop') },
  retry: { kind: 'retry', name: 'retry', aliases: { en: ['regenerate'] }, admin: 'never', costly: true, queued: true, help: 'cmd.retry', offered: 'everywhere', build: bare('retry') },
  more: { kind: 'more', name: 'more', aliases: {}, admin: 'never', costly: false, queued: true, help: 'cmd.more', offered: 'paged', build: bare('more') },
  usage: {
    kind: 'usage', name: 'usage', aliases: {}, admin: 'never', costly: false, queued: false, help: 'cmd.usage', offered: 'everywhere',
    discord: { ephemeral: true }, build: bare('usage'),
  },
  help: {
    kind: 'help', name: 'help', aliases: { en: ['start'], zh: ['帮助'] }, admin: 'never', costly: false, queued: false, help: 'cmd.help', offered: 'everywhere',
    discord: { ephemeral: true }, build: bare('help'),
  },
};

/** Every entry, in listing order. */
export const ALL_COMMANDS: readonly CommandSpec[] = Object.values(COMMANDS);

export function specOf<K extends CommandKind>(kind: K): CommandSpec<K> {
  return COMMANDS[kind] as CommandSpec<K>;
}

/** The commands a surface offers, in listing order. */
export function offeredOn(where: Offering): CommandSpec[] {
  return ALL_COMMANDS.filter((c) => {
    if (c.needsAudio && !where.audio) return false;
    if (c.offered === 'paged') return where.paged;
    if (c.offered === 'prefixed') return where.prefix !== '';
    return true;
  });
}

/** Menus of prefixed, non-paging surfaces with sound (Discord's slash commands, Telegram's menu). */
export const MENU_OFFERING: Offering = { prefix: '/', paged: false, audio: true };
