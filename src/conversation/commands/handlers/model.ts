// `model [name]`: the catalog, or this channel's model ("default" resets; a model clearly not
// for chat is set only when asked twice).
import { nonChatRefusal } from '../../models.js';
import type { Handler } from '../context.js';

export const model: Handler<'model'> = async ({ cmd, msg, surface }, services) => {
  const { store, speaker, models } = services;
  const say = speaker.line.bind(speaker);
  if (cmd.name === undefined) return speaker.sayText(surface, await models.describe(await services.currentModel(msg.channel), say));
  if (['default', 'reset'].includes(cmd.name.toLowerCase())) {
    await store.setSettings(msg.channel, { model: undefined });
    return speaker.say(surface, 'model_reset', { model: services.settings.chat.chatModel });
  }
  const check = models.confirmNonChat(msg.channel, cmd.name);
  if (!check.ok) return speaker.sayText(surface, nonChatRefusal(cmd.name, check.kind, surface.commandPrefix, say));
  await store.setSettings(msg.channel, { model: cmd.name });
  const ids = await models.list();
  return speaker.say(surface, ids.length > 0 && !ids.includes(cmd.name) ? 'model_set_unlisted' : 'model_set', { model: cmd.name });
};
