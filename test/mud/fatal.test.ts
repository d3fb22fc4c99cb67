// Issue 9.7: a MUD login that cannot succeed must stop the service, not loop silently. This runs
// `npm start`'s entry point in a child process against an Evennia-like fake that refuses the
// password, and checks the exit code and the one line a supervisor shows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeMud, type FakeMud } from '../fakes/mud/server.js';
import { startFakeUpstream, type FakeUpstream } from '../fakes/upstream/server.js';
import { startMain } from '../helpers/entry-point.js';
import { exampleProfile, writeProfile } from './harness.js';

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
    const profile = writeProfile({ ...exampleProfile('evennia'), port: mud.port });
    const main = startMain({
      OPENAI_BASE_URL: upstream.url,
      OPENAI_API_KEY: 'test-key',
      LOG_LEVEL: 'info',
      MUD_PROFILE: profile.path,
      MUD_PASSWORD: 'a-wrong-password',
    });
    const code = await main.exited;
    const { stdout, stderr } = main;
    await main.dispose();
    profile.remove();

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
