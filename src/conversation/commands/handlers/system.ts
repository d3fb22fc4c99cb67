// `system [prompt]`: shows or sets this channel's system prompt ("default" resets).
import type { Handler } from '../context.js';

export const system: Handler<'system'> = async ({ cmd, msg, surface }, { store, speaker, settings }) => {
  if (cmd.prompt === undefined) {
    const current = (await store.getSettings(msg.channel)).systemPrompt ?? settings.chat.systemPrompt;
    return speaker.say(surface, 'system_current', { prompt: current });
  }
  if (['default', 'reset'].includes(cmd.prompt.toLowerCase())) {
    await store.setSettings(msg.channel, { systemPrompt: undefined });
    return speaker.say(surface, 'system_reset');
  }
  await store.setSettings(msg.channel, { systemPrompt: cmd.prompt });
  return speaker.say(surface, 'system_set');
};
