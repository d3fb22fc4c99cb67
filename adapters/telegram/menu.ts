// The one list of commands the Telegram bot offers. The menu registered with setMyCommands and
// the text /start and /help answer are both built from it, so they cannot name different
// commands. Every command here is one the core's parseCommand understands.
import type { Locale } from './lines.js';

interface MenuEntry {
  command: string;
  /** Argument hint shown in the help text, e.g. <prompt>. */
  args?: Record<Locale, string>;
  description: Record<Locale, string>;
}

const MENU: readonly MenuEntry[] = [
  { command: 'start', description: { en: 'Say hello and show what I can do', zh: '打个招呼，看看我能做什么' } },
  { command: 'help', description: { en: 'List the commands', zh: '显示命令列表' } },
  { command: 'new', description: { en: 'Start a new conversation (forget this one)', zh: '开始新对话（清空本对话）' } },
  { command: 'image', args: { en: '<prompt>', zh: '<描述>' }, description: { en: 'Draw a picture', zh: '画一张图' } },
  { command: 'tts', args: { en: '<text>', zh: '<文字>' }, description: { en: 'Speak text aloud', zh: '朗读文字' } },
  { command: 'voice', args: { en: 'on|off', zh: 'on|off' }, description: { en: 'Voice replies on or off', zh: '开关语音回答' } },
  { command: 'tools', args: { en: '[on|off]', zh: '[on|off]' }, description: { en: 'Show or switch the tools I may use', zh: '查看或开关可用的工具' } },
  { command: 'model', args: { en: '[name]', zh: '[名称]' }, description: { en: 'Show or set the model', zh: '查看或设置模型' } },
  { command: 'system', args: { en: '[prompt]', zh: '[提示词]' }, description: { en: 'Show or set the system prompt', zh: '查看或设置系统提示词' } },
  { command: 'persona', args: { en: '[name]', zh: '[名称]' }, description: { en: 'Show or choose a persona', zh: '查看或选择角色' } },
  { command: 'stop', description: { en: 'Stop the answer in progress', zh: '停止正在进行的回答' } },
  { command: 'retry', description: { en: 'Regenerate the last answer', zh: '重新生成上一个回答' } },
  { command: 'usage', description: { en: 'Tokens used today', zh: '今天用了多少 token' } },
];

const INTRO: Record<Locale, string> = {
  en: 'I am an AI assistant. Talk to me and I answer. Commands:',
  zh: '我是 AI 助手，直接和我说话即可。命令：',
};

/** What setMyCommands registers: the menu Telegram's clients show next to the input box. */
export function menuCommands(locale: Locale): { command: string; description: string }[] {
  return MENU.map((e) => ({ command: e.command, description: e.description[locale] }));
}

/** What /start and /help answer: the same commands, in the same order, with their arguments. */
export function helpText(locale: Locale): string {
  const lines = MENU.map((e) => `/${e.command}${e.args ? ` ${e.args[locale]}` : ''} — ${e.description[locale]}`);
  return [INTRO[locale], ...lines].join('\n');
}
