// Personas: named characters from a YAML file (PERSONAS) that a channel can wear. A persona brings
// its own system prompt and optionally a model, a temperature and a greeting said when it is set.
// A wrong file stops start-up with one line naming the field, like a MUD profile does:
// "PERSONAS personas.yaml: personas[1].system: is required (the persona's system prompt)".
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

export class PersonaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PersonaError';
  }
}

export interface Persona {
  /** What users type: `persona pirate`. */
  name: string;
  description: string;
  systemPrompt: string;
  model?: string;
  temperature?: number;
  greeting?: string;
}

/** Short, so a Telegram callback (64 bytes) and a Discord choice can carry it whole. */
const NAME_PATTERN = /^[\p{L}\p{N}_-]{1,32}$/u;

const personaSchema = z.object({
  name: z
    .string({ error: 'is required (what users type to choose it)' })
    .regex(NAME_PATTERN, { error: '1-32 letters, digits, - or _ (no spaces)' }),
  description: z.string({ error: 'is required (one line shown in the list)' }).min(1, { error: 'must not be empty' }),
  system: z.string({ error: "is required (the persona's system prompt)" }).min(1, { error: 'must not be empty' }),
  model: z.string().min(1, { error: 'must not be empty (leave it out for the default model)' }).optional(),
  temperature: z
    .number({ error: 'must be a number from 0 to 2' })
    .min(0, { error: 'must be a number from 0 to 2' })
    .max(2, { error: 'must be a number from 0 to 2' })
    .optional(),
  greeting: z.string().min(1, { error: 'must not be empty (leave it out for no greeting)' }).optional(),
});

const fileSchema = z.object({
  personas: z.array(personaSchema, { error: 'must be a list of personas' }).min(1, { error: 'must list at least one persona' }),
});

/** The personas of one file, looked up by name without regard to case. */
export class PersonaBook {
  private readonly byName: Map<string, Persona>;

  constructor(readonly all: readonly Persona[]) {
    this.byName = new Map(all.map((p) => [p.name.toLowerCase(), p]));
  }

  get(name: string | undefined): Persona | undefined {
    return name === undefined ? undefined : this.byName.get(name.trim().toLowerCase());
  }

  get size(): number {
    return this.all.length;
  }
}

const fieldPath = (path: readonly PropertyKey[]) =>
  path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)), '');

/** Validates parsed YAML; `source` names the file in error messages. */
export function parsePersonas(data: unknown, source: string): PersonaBook {
  const fail = (field: string, message: string): never => {
    throw new PersonaError(`PERSONAS ${source}: ${field ? `${field}: ` : ''}${message}`);
  };
  const parsed = fileSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    // A file that is not a mapping with `personas:` at all gets the shape, not a zod path.
    if (issue.path.length === 0) fail('', 'must be a YAML mapping with a `personas:` list');
    fail(fieldPath(issue.path), issue.message);
  }
  const seen = new Set<string>();
  const personas = parsed.data!.personas.map((p, i): Persona => {
    const key = p.name.toLowerCase();
    if (seen.has(key)) fail(`personas[${i}].name`, `"${p.name}" is used twice`);
    seen.add(key);
    return {
      name: p.name,
      description: p.description.trim(),
      systemPrompt: p.system,
      ...(p.model ? { model: p.model } : {}),
      ...(p.temperature !== undefined ? { temperature: p.temperature } : {}),
      ...(p.greeting ? { greeting: p.greeting.trim() } : {}),
    };
  });
  return new PersonaBook(personas);
}

/** Reads and validates the PERSONAS file. */
export function loadPersonas(path: string): PersonaBook {
  const shown = relative(process.cwd(), path) || path;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new PersonaError(`PERSONAS ${shown}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (err) {
    throw new PersonaError(`PERSONAS ${shown}: not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  return parsePersonas(data, shown);
}
