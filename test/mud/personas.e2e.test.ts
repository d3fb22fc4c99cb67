// `persona` in a MUD (issue 13): a keyword after the tell lists the personas as tell lines and sets
// one by name; the next answer uses its system prompt. The real MUD adapter against the fake MUD.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeMud } from '../fakes/mud/server.js';
import type { ChatBody, FakeUpstream } from '../fakes/upstream/server.js';
import { writePersonas } from '../helpers/personas.js';
import { startMud, type MudHarness } from './harness.js';

let h: MudHarness;
let upstream: FakeUpstream;
let mud: FakeMud;

beforeAll(async () => {
  h = await startMud({ profile: { pacingMs: 150, maxLines: 40, promptFlushMs: 60, loginTimeoutMs: 3000 }, env: { PERSONAS: writePersonas() } });
  ({ upstream, mud } = h);
});
afterAll(() => h?.close());

const saidTo = (who: string) => mud.commands.filter((c) => c.text.startsWith(`tell ${who} `)).map((c) => c.text.slice(`tell ${who} `.length));

describe('persona in a MUD', () => {
  it('lists personas as tell lines, sets one by name with its greeting, and the next answer wears it', async () => {
    mud.tell('Alice', 'persona');
    await mud.waitForCommand((c) => c.text.includes('tutor: A patient maths tutor'));
    expect(saidTo('Alice').join('\n')).toContain('pirate: Talks like a pirate');

    mud.tell('Alice', 'persona pirate');
    await mud.waitForCommand((c) => c.text === 'tell Alice Ahoy, matey!');
    expect(saidTo('Alice')).toContain('Persona for this channel set to pirate.');

    mud.tell('Alice', 'who are you');
    await mud.waitForCommand((c) => c.text === 'tell Alice You said: who are you');
    const body = upstream.requests.filter((r) => r.route === 'chat/completions').at(-1)!.body as ChatBody;
    expect(body.messages?.[0]).toEqual({ role: 'system', content: 'You are a pirate. Answer in pirate speak.' });
  });
});
