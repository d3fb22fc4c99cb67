// `reset [all]`: forgets the conversation; a plain reset keeps the channel's persona, `all` clears it.
import type { Handler } from '../context.js';

export const reset: Handler<'reset'> = async ({ cmd, msg, surface }, { store, speaker, paging }) => {
  await store.reset(msg.channel);
  paging.forget(msg.channel);
  if (cmd.all) await store.setSettings(msg.channel, { persona: undefined });
  return speaker.say(surface, cmd.all ? 'reset_all_done' : 'reset_done');
};
