// `persona` in a MUD (issue 13): a keyword after the tell lists the personas as tell lines and sets
// one by name; the next answer uses its system prompt. The real MUD adapter against the fake MUD.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { createMudAdapter, type MudAdapter } from '../../adapters/mud/index.js';
import { createCore, type Core } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import { startFakeMud, type FakeMud } from '../fakes/mud/server.js';
import { startFakeUpstream, type ChatBody, type FakeUpstream } from '../fakes/upstream/server.js';
import { testEnv } from '../helpers/env.js';
import { writePersonas } from '../helpers/personas.js';

let upstream: FakeUpstream;
let mud: FakeMud;
let core: Core;
let adapter: MudAdapter;

beforeAll(async () => {
  upstream = await startFakeUpstream();
  mud = await startFakeMud({ style: 'diku' });
  const example = parseYaml(readFileSync('profiles/diku-example.yaml', 'utf8')) as Record<string, unknown>;
  const profile = { ...example, host: mud.host, port: mud.port, pacingMs: 150, maxLines: 40, promptFlushMs: 60, loginTimeoutMs: 3000 };
  const path = join(mkdtempSync(join(tmpdir(), 'parley-mud-personas-')), 'profile.yaml');
  writeFileSync(path, toYaml(profile));
  core = await createCore(loadConfig(testEnv(upstream, { MUD_PROFILE: path, MUD_PASSWORD: 'sekrit-pass', PERSONAS: writePersonas() })));
  adapter = createMudAdapter(core, { random: () => 0.5 });
  await adapter.start();
  await adapter.whenReady();
});

afterAll(async () => {
  await core?.manager.shutdown();
  await adapter?.stop();
  await core?.close();
  await mud?.close();
  await upstream?.close();
});

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
