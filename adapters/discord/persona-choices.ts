// /persona autocomplete: the personas whose name or description holds what was typed, each shown
// with its description, plus "default" to go back to none.
import type { PersonaBook } from '../../src/conversation/personas.js';
import { AUTOCOMPLETE_MAX_CHOICES, CHOICE_MAX_CHARS } from './limits.js';

export function personaChoices(book: PersonaBook | undefined, typed: string): { name: string; value: string }[] {
  if (!book) return [];
  const needle = typed.trim().toLowerCase();
  const matches = (text: string) => text.toLowerCase().includes(needle);
  const personas = book.all
    .filter((p) => matches(p.name) || matches(p.description))
    .map((p) => ({ name: clip(`${p.name}: ${p.description}`), value: p.name }));
  const choices = matches('default') ? [...personas, { name: 'default', value: 'default' }] : personas;
  return choices.slice(0, AUTOCOMPLETE_MAX_CHOICES);
}

function clip(text: string): string {
  return text.length <= CHOICE_MAX_CHARS ? text : `${text.slice(0, CHOICE_MAX_CHARS - 1)}…`;
}
