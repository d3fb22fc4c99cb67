// The few lines only the Discord adapter says (everything else comes from the core's catalogue).
import { defineLines, type Locale } from '../../src/conversation/index.js';

export type { Locale };

export const line = defineLines({
  en: {
    notHere: 'This bot is not available here.',
    unknownCommand: 'Unknown command.',
    audioTooLarge: '⚠️ The audio is too large for Discord.',
  },
  zh: {
    notHere: '这个机器人在这里不可用。',
    unknownCommand: '未知命令。',
    audioTooLarge: '⚠️ 音频太大，无法上传到 Discord。',
  },
});
