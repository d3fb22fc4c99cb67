// Issue 9.7: a MUD login that cannot succeed must stop the service, not loop silently. This runs
// `npm start`'s entry point in a child process against an Evennia-like fake that refuses the
// password, and checks the exit code and the one line a supervisor shows.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { startFakeMud, type FakeMud } from '../fakes/mud/server.js';
import { startFakeUpstream, type FakeUpstream } from '../fakes/upstream/server.js';

const TSX = pathToFileURL(join(process.cwd(), 'node_modules/tsx/dist/loader.mjs')).href;
const MAIN = join(process.cwd(), 'src/main.ts');

describe('npm start with a MUD that refuses the password', () => {
  let upstream: FakeUpstream;
  let mud: FakeMud;

  beforeAll(async () => {
    upstream = await startFakeUpstream();
    mud = await startFakeMud({ style: 'evennia', accounts: { parley: 'the-real-password' } });
  });

  afterAll(async () => {
    await Promise.all([upstream.close(), mud.close()]);
  });

  it('exits 1 with one line naming the MUD and the reason', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-mud-fatal-'));
    const profile = parseYaml(readFileSync('profiles/evennia-example.yaml', 'utf8')) as Record<string, unknown>;
    const profilePath = join(dir, 'mud.yaml');
    writeFileSync(profilePath, toYaml({ ...profile, port: mud.port }));
    const child = spawn(process.execPath, ['--import', TSX, MAIN], {
      cwd: dir,
      env: {
        PATH: process.env.PATH,
        OPENAI_BASE_URL: upstream.url,
        OPENAI_API_KEY: 'test-key',
        DATA_DIR: join(dir, 'data'),
        LOG_LEVEL: 'info',
        MUD_PROFILE: profilePath,
        MUD_PASSWORD: 'a-wrong-password',
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));

    const reason = `MUD evennia-example (127.0.0.1:${mud.port}) refused the login of Parley: "Username and/or password is incorrect."`;
    expect(code).toBe(1);
    expect(stderr).toBe(`${reason}\n`);
    const fatal = stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { level: number; reason?: string; platform?: string })
      .filter((l) => l.level === 60);
    expect(fatal).toEqual([expect.objectContaining({ platform: 'mud', reason })]);
    expect(stdout).not.toContain('a-wrong-password');
    expect(mud.loginRejections).toBe(1);
  }, 30_000);
});
