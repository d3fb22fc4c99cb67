// A PERSONAS file for tests: two personas, one with every optional field.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PERSONAS_YAML = `personas:
  - name: pirate
    description: Talks like a pirate
    system: You are a pirate. Answer in pirate speak.
    model: gpt-4o-mini
    temperature: 1.3
    greeting: Ahoy, matey!
  - name: tutor
    description: A patient maths tutor
    system: You are a patient maths tutor.
`;

/** Writes `text` to a fresh temporary personas.yaml and returns its path. */
export function writePersonas(text = PERSONAS_YAML): string {
  const path = join(mkdtempSync(join(tmpdir(), 'parley-personas-')), 'personas.yaml');
  writeFileSync(path, text);
  return path;
}
