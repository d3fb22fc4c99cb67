// `persona [name]`: the personas, or this channel's choice (its greeting follows on its own).
import { personaCommand } from '../../persona-command.js';
import type { Handler } from '../context.js';

export const persona: Handler<'persona'> = async ({ cmd, msg, surface }, { store, speaker, personas }) => {
  const answers = await personaCommand({ store, book: personas, say: speaker.line.bind(speaker) }, msg.channel, cmd.name);
  for (const text of answers) await speaker.sayText(surface, text);
};
