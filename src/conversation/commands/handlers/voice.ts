// `voice [on|off]`: speak every answer in this channel too (no argument toggles).
import type { Handler } from '../context.js';

export const voice: Handler<'voice'> = async ({ cmd, msg, surface }, { store, speaker }) => {
  if (surface.limits.audio === false) return speaker.say(surface, 'voice_unavailable');
  const next = cmd.on ?? !(await store.getSettings(msg.channel)).voice;
  await store.setSettings(msg.channel, { voice: next || undefined });
  return speaker.say(surface, next ? 'voice_on' : 'voice_off');
};
