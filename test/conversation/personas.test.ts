// Personas (issue 13): the PERSONAS file is validated at start with one line naming the field; a
// channel's persona sets the system prompt, model and temperature of its replies; `reset` keeps
// it and `reset all` clears it. Through the real manager and client against the fake upstream.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseCommand } from '../../src/conversation/commands/index.js';
import { loadPersonas, parsePersonas, PersonaError } from '../../src/conversation/personas.js';
import { writePersonas } from '../helpers/personas.js';
import { startFakeUpstream, type FakeUpstream } from '../fakes/upstream/server.js';
import { chatBodies, incoming, makeCore, RecordingSurface, type Harness } from './harness.js';

describe('PERSONAS file', () => {
  it('loads names, prompts and the optional model, temperature and greeting', () => {
    const book = loadPersonas(writePersonas());
    expect(book.all.map((p) => p.name)).toEqual(['pirate', 'tutor']);
    expect(book.get('PIRATE')).toMatchObject({ model: 'gpt-4o-mini', temperature: 1.3, greeting: 'Ahoy, matey!' });
    expect(book.get('tutor')?.model).toBeUndefined();
  });

  it.each([
    [{ personas: [{ name: 'a', description: 'd' }] }, 'personas[0].system: is required'],
    [{ personas: [{ name: 'two words', description: 'd', system: 's' }] }, 'personas[0].name: 1-32 letters'],
    [{ personas: [{ name: 'a', description: 'd', system: 's', temperature: 3 }] }, 'personas[0].temperature: must be a number from 0 to 2'],
    [{ personas: [{ name: 'a', description: 'd', system: 's' }, { name: 'A', description: 'd', system: 's' }] }, 'personas[1].name: "A" is used twice'],
    [{ personas: [] }, 'personas: must list at least one persona'],
    [['a list'], 'must be a YAML mapping with a `personas:` list'],
  ])('refuses %j with one line naming the field', (data, message) => {
    expect(() => parsePersonas(data, 'p.yaml')).toThrow(PersonaError);
    expect(() => parsePersonas(data, 'p.yaml')).toThrow(`PERSONAS p.yaml: ${message}`);
  });

  it('the shipped personas.example.yaml is valid', () => {
    expect(loadPersonas('personas.example.yaml').size).toBeGreaterThan(0);
  });

  it('names a missing file and broken YAML', () => {
    expect(() => loadPersonas('/nonexistent/personas.yaml')).toThrow(/cannot read the file \(ENOENT\)/);
    expect(() => loadPersonas(writePersonas('personas: [\n'))).toThrow(/not valid YAML/);
  });
});

describe('persona command', () => {
  it.each([
    ['/persona', '/', { kind: 'persona' }],
    ['/persona pirate', '/', { kind: 'persona', name: 'pirate' }],
    ['/reset all', '/', { kind: 'reset', all: true }],
    ['/reset', '/', { kind: 'reset' }],
    ['persona pirate', '', { kind: 'persona', name: 'pirate' }],
    ['persona', '', { kind: 'persona' }],
    ['reset all', '', { kind: 'reset', all: true }],
  ])('%j (prefix %j)', (text, prefix, expected) => {
    expect(parseCommand(text, { prefix })).toEqual(expected);
  });
});

describe('personas in replies', () => {
  let upstream: FakeUpstream;
  let h: Harness;
  const channel = 'test:personas';
  const ask = async (text: string, over = {}) => {
    const surface = new RecordingSurface({}, channel);
    await h.core.manager.handle(incoming(text, { channel, ...over }), surface);
    return surface;
  };
  const lastChat = () => chatBodies(upstream).at(-1)! as { model: string; temperature?: number; messages: { role: string; content: unknown }[] };

  beforeAll(async () => {
    upstream = await startFakeUpstream();
    h = await makeCore(upstream, { PERSONAS: writePersonas(), CHAT_MODEL: 'gpt-4o', RATE_LIMIT_PER_MINUTE: '0' });
  });
  afterEach(() => upstream.reset());
  afterAll(async () => {
    await h.core.close();
    await upstream.close();
  });

  it('lists the personas with their descriptions', async () => {
    const s = await ask('/persona');
    expect(s.all).toContain('No persona chosen');
    expect(s.all).toContain('pirate: Talks like a pirate');
    expect(s.all).toContain('tutor: A patient maths tutor');
  });

  it('setting a persona says its greeting; replies use its system prompt, model and temperature', async () => {
    const set = await ask('/persona Pirate');
    expect(set.all).toContain('Persona for this channel set to pirate.');
    expect(set.all).toContain('Ahoy, matey!');
    await ask('hello');
    const body = lastChat();
    expect(body.model).toBe('gpt-4o-mini');
    expect(body.temperature).toBe(1.3);
    expect(body.messages[0]).toEqual({ role: 'system', content: 'You are a pirate. Answer in pirate speak.' });
    expect((await ask('/usage')).all).toContain('gpt-4o-mini');
  });

  it('reset keeps the persona; reset all clears it and the defaults return', async () => {
    await ask('/persona pirate');
    await ask('/reset');
    await ask('still a pirate?');
    expect(lastChat().messages[0]!.content).toBe('You are a pirate. Answer in pirate speak.');
    expect(lastChat().messages.map((m) => m.content)).not.toContain('hello');

    const all = await ask('/reset all');
    expect(all.all).toContain('Conversation and persona cleared.');
    await ask('and now?');
    expect(lastChat().model).toBe('gpt-4o');
    expect(lastChat().messages[0]!.content).not.toContain('pirate');
  });

  it('an unknown name lists the choices; in a shared channel only an admin may set one', async () => {
    expect((await ask('/persona ninja')).all).toContain('There is no persona "ninja". Choose one of: pirate, tutor');
    const refused = await ask('/persona tutor', { isDirect: false, isGroup: true });
    expect(refused.all).toContain('only an admin');
    expect((await ask('/persona')).all).not.toContain('Current persona: tutor');
  });
});
