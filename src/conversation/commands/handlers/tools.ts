// `tools`: lists the tools and whether they are on here; `tools on|off` (admins) switches them.
import type { Handler } from '../context.js';

export const tools: Handler<'tools'> = async ({ cmd, msg, surface }, { store, speaker, tools: runner }) => {
  const specs = runner?.specs() ?? [];
  if (!runner || specs.length === 0) return speaker.say(surface, 'tools_none');
  if (cmd.on !== undefined) await store.setSettings(msg.channel, { tools: cmd.on ? undefined : false });
  const enabled = cmd.on ?? (await store.getSettings(msg.channel)).tools !== false;
  if (!enabled) return speaker.say(surface, 'tools_off', { p: surface.commandPrefix });
  await speaker.say(surface, 'tools_on', { tools: specs.map((s) => runner.displayName(s.name)).join(', ') });
};
