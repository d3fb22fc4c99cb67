// `stop`: ends the channel's answer in flight (the provider request is aborted).
import type { Handler } from '../context.js';

export const stop: Handler<'stop'> = async ({ msg, surface }, services) => {
  if (!services.stop(msg.channel)) await services.speaker.say(surface, 'nothing_to_stop');
};
