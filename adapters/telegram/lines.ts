// The few lines only the Telegram adapter says (everything else comes from the core's catalogue).
import { defineLines, type Locale } from '../../src/conversation/index.js';

export type { Locale };

export const line = defineLines({
  en: {
    refused: 'Sorry, this bot is private. Ask its owner to add you.',
    downloadFailed: '⚠️ I could not download that file from Telegram. Please try again.',
    tooLarge: '⚠️ That file is too large for a bot to download (20 MB limit).',
    regenerate: '🔄 Regenerate',
    defaultChoice: 'Default',
    buttonExpired: 'This button has expired.',
    notYourButton: 'Only the person who asked can use this button.',
  },
  zh: {
    refused: '抱歉，这是一个私人机器人。请联系它的主人把你加入允许列表。',
    downloadFailed: '⚠️ 无法从 Telegram 下载该文件，请重试。',
    tooLarge: '⚠️ 文件太大，机器人无法下载（上限 20 MB）。',
    regenerate: '🔄 重新生成',
    defaultChoice: '默认',
    buttonExpired: '这个按钮已失效。',
    notYourButton: '只有提问的人可以使用这个按钮。',
  },
});
