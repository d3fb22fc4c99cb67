// `/persona` on the console as a user meets it: `npm start`'s entry point in a child process with
// PERSONAS set, talking to the fake upstream. A wrong PERSONAS file stops start-up with one line.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../fakes/upstream/server.js';
import { writePersonas } from '../helpers/personas.js';

const MAIN = join(process.cwd(), 'src/main.ts');
const TSX = pathToFileURL(join(process.cwd(), 'node_modules/tsx/dist/loader.mjs')).href;

describe('console /persona', () => {
  let upstream: FakeUpstream;
  let dir: string;
  const env = (extra: Record<string, string>) => ({ PATH: process.env.PATH, HOME: process.env.HOME, OPENAI_API_KEY: 'test-key', OPENAI_BASE_URL: upstream.url, DATA_DIR: join(dir, 'data'), ...extra });

  beforeAll(async () => {
    upstream = await startFakeUpstream();
    dir = mkdtempSync(join(tmpdir(), 'parley-console-personas-'));
  });
  afterAll(async () => {
    await upstream.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists, sets (with the greeting) and uses a persona; reset all clears it', async () => {
    const child = spawn(process.execPath, ['--import', TSX, MAIN], { env: env({ PERSONAS: writePersonas() }), cwd: dir });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const waitFor = async (pattern: RegExp) => {
      const start = Date.now();
      while (!pattern.test(out)) {
        if (Date.now() - start > 10_000) throw new Error(`timed out waiting for ${pattern}; stdout:\n${out}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    const send = (line: string) => child.stdin.write(`${line}\n`);
    const lastSystem = () => {
      const chat = upstream.requests.filter((r) => r.route === 'chat/completions').at(-1)!;
      return (chat.body as { messages: { content: string }[] }).messages[0]!.content;
    };

    await waitFor(/Type a message/);
    send('/persona');
    await waitFor(/tutor: A patient maths tutor/);
    send('/persona pirate');
    await waitFor(/Ahoy, matey!/);
    send('ahoy');
    await waitFor(/You said: ahoy\n/);
    expect(lastSystem()).toBe('You are a pirate. Answer in pirate speak.');
    send('/reset all');
    await waitFor(/Conversation and persona cleared\./);
    send('plain again');
    await waitFor(/You said: plain again\n/);
    expect(lastSystem()).not.toContain('pirate');
    send('/quit');
    expect(await exited).toBe(0);
  });

  it('a wrong PERSONAS file stops start-up with one line naming the field', () => {
    const bad = writePersonas('personas:\n  - name: pirate\n    description: Arr\n');
    const r = spawnSync(process.execPath, ['--import', TSX, MAIN], { env: env({ PERSONAS: bad }), cwd: dir, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^Start-up failed: PERSONAS .*personas\.yaml: personas\[0\]\.system: is required/m);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
