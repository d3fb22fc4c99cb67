// The `persona` command, the same on every surface: no name lists the personas, a name sets this
// channel's persona (its greeting follows as a message of its own), "default" goes back to none.
import type { HistoryStore } from '../store/types.js';
import type { ChannelKey } from '../types.js';
import type { MessageId } from './messages.js';
import type { PersonaBook } from './personas.js';

type Say = (id: MessageId, params?: Record<string, string | number>) => string;

/** Words that take the channel back to no persona. */
const CLEAR_WORDS = new Set(['default', 'none', 'off', 'reset', '默认', '无']);

export interface PersonaCommandDeps {
  store: HistoryStore;
  /** Undefined when PERSONAS is not set. */
  book: PersonaBook | undefined;
  say: Say;
}

/** What to answer, as separate messages, for `persona [name]` on `channel`. */
export async function personaCommand(deps: PersonaCommandDeps, channel: ChannelKey, name: string | undefined): Promise<string[]> {
  const { store, book, say } = deps;
  if (!book || book.size === 0) return [say('persona_none')];
  const current = book.get((await store.getSettings(channel)).persona);
  if (name === undefined) {
    const header = current ? say('persona_current', { name: current.name }) : say('persona_current_none');
    return [[header, ...book.all.map((p) => `• ${p.name}: ${p.description}`)].join('\n')];
  }
  if (CLEAR_WORDS.has(name.trim().toLowerCase())) {
    await store.setSettings(channel, { persona: undefined });
    return [say('persona_cleared')];
  }
  const persona = book.get(name);
  if (!persona) return [say('persona_unknown', { name: name.trim(), names: book.all.map((p) => p.name).join(', ') })];
  // The persona's prompt and model replace this channel's own /system and /model choices;
  // choosing either again later overrides the persona's.
  await store.setSettings(channel, { persona: persona.name, systemPrompt: undefined, model: undefined });
  return [say('persona_set', { name: persona.name }), ...(persona.greeting ? [persona.greeting] : [])];
}
