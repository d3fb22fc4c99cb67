// One MUD character on two parley processes sharing one Redis (issue 11): only the holder of
// `mud:<profile id>` logs in, the fake MUD never sees a second session of the character, and
// after a kill -9 of the holder the other process logs the link-dead body back in.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import type { RedisClient } from '../../src/scale/redis.js';
import { startFakeMud, type FakeMud } from '../fakes/mud/server.js';
import { startFakeUpstream, type FakeUpstream } from '../fakes/upstream/server.js';
import { killHard, logLines, startInstance, until, type Instance } from '../helpers/instances.js';
import { useRedis } from '../helpers/redis.js';

const LEASE_MS = 1500;
const PASSWORD = 'sekrit-pass';
const SETTLE_MS = 30_000;

describe('MUD: one character, two processes', () => {
  const redis = useRedis();
  const dir = mkdtempSync(join(tmpdir(), 'parley-mud-scale-'));
  let upstream: FakeUpstream;
  let mud: FakeMud;
  let admin: RedisClient;
  const instances: Instance[] = [];

  const holderId = async () => (await admin.get('parley:lease:mud:diku-example'))?.split('/')[0];

  beforeAll(async () => {
    admin = await redis().client();
    upstream = await startFakeUpstream();
    mud = await startFakeMud({ linkDead: true });
    const example = parseYaml(readFileSync('profiles/diku-example.yaml', 'utf8')) as { login: unknown[] };
    const profile = {
      ...example,
      port: mud.port,
      pacingMs: 50,
      reconnect: { initialMs: 100, maxMs: 200 },
      // The body a dead instance left behind is still in the game: take it back.
      login: [...example.login, { expect: 'link-dead body', send: 'y', optional: true }],
    };
    const profilePath = join(dir, 'diku-example.yaml');
    writeFileSync(profilePath, toYaml(profile));
    for (const id of ['a', 'b']) {
      instances.push(startInstance(id, { upstream, redisUrl: redis().url, leaseMs: LEASE_MS, env: { MUD_PROFILE: profilePath, MUD_PASSWORD: PASSWORD } }));
    }
    await Promise.all(instances.map((i) => i.main.waitForLog('"platform":"mud"', 'surface started')));
    await Promise.race(instances.map((i) => i.main.waitForLog('MUD character is in the game')));
  }, SETTLE_MS + 10_000);

  afterAll(async () => {
    await Promise.all(instances.map((i) => i.main.dispose()));
    await mud?.close();
    await upstream?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('only the slot holder connects; the character answers a tell', { timeout: SETTLE_MS }, async () => {
    const id = await holderId();
    expect(id).toBeDefined();
    expect(mud.connections).toBe(1);
    mud.tell('Alice', 'hello there');
    await mud.waitForCommand((c) => c.text === 'tell Alice You said: hello there', SETTLE_MS);
    expect(mud.sessionViolations).toEqual([]);
    await instances.find((i) => i.id === id)!.main.waitForLog('MUD slot held');
  });

  it('after a kill -9 of the holder the other process logs the body back in: never two sessions', { timeout: SETTLE_MS }, async () => {
    const victimId = await holderId();
    const dead = instances.find((i) => i.id === victimId)!;
    const survivor = instances.find((i) => i !== dead)!;
    const logins = mud.loginLog.length;
    const killedAt = await killHard(dead);
    await mud.waitFor(() => mud.linkDeadCharacters.includes('parley'), 'the body to go link-dead', SETTLE_MS);
    await mud.waitForLogins(logins + 1, SETTLE_MS);
    const back = mud.loginLog[logins]!;
    expect(back.reconnected).toBe(true);
    // The takeover is the lease changing hands; then one connection and one login.
    const [gained] = logLines(survivor, 'slot gained', '"slot":"mud:diku-example"').filter((l) => Number(l.time) >= killedAt);
    const takeoverMs = Number(gained!.time) - killedAt;
    expect(takeoverMs).toBeLessThanOrEqual(1.5 * LEASE_MS);
    expect(back.connectedAt).toBeGreaterThanOrEqual(Number(gained!.time));
    expect(await until(holderId, 'the new holder', SETTLE_MS)).toBe(survivor.id);
    await survivor.main.waitForLog('MUD character is in the game');

    mud.tell('Alice', 'are you back');
    await mud.waitForCommand((c) => c.text === 'tell Alice You said: are you back' && c.session === back.session, SETTLE_MS);
    expect(mud.sessionViolations).toEqual([]);
    expect(mud.online).toBe(1);
    console.log(`MUD after kill -9: slot taken over in ${takeoverMs} ms, connected in ${back.connectedAt - killedAt} ms, in the game in ${back.at - killedAt} ms (lease ${LEASE_MS} ms)`);
  });
});
