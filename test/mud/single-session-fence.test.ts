// The MUD owner cut off from Redis (not dead: paused, partitioned): it must drop the character
// itself at 0.8 × lease, before the lease expires and the other instance logs in, so the fake
// MUD never sees two sessions. The holder's Redis traffic goes through a gate the test holds.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { Core } from '../../src/app.js';
import { MudConnection } from '../../adapters/mud/connection.js';
import { createOwnedMudAdapter, type LeasedMudAdapter } from '../../adapters/mud/owner.js';
import { parseProfile, type Profile } from '../../adapters/mud/profile.js';
import { loadScaleConfig } from '../../src/scale/config.js';
import { startScale, type ScaleRuntime } from '../../src/scale/runtime.js';
import { startFakeMud, type FakeMud } from '../fakes/mud/server.js';
import { quietLogger, startGate, useRedis, type TcpGate } from '../helpers/redis.js';

const LEASE_MS = 1500;
const PASSWORD = 'sekrit-pass';
const redis = useRedis();

function profileFor(mud: FakeMud): Profile {
  const data = parseYaml(readFileSync('profiles/diku-example.yaml', 'utf8')) as { login: unknown[] };
  const login = [...data.login, { expect: 'link-dead body', send: 'y', optional: true }];
  return parseProfile({ ...data, port: mud.port, pacingMs: 20, reconnect: { initialMs: 50, maxMs: 100 }, login }, 'diku-example.yaml', { password: PASSWORD });
}

/** The character's connection alone (no conversation core): what the slot starts and stops. */
function connectionAdapter(profile: Profile): LeasedMudAdapter {
  const connection = new MudConnection({ profile, logger: quietLogger });
  return {
    platform: 'mud',
    profile,
    get state() {
      return connection.state;
    },
    whenReady: () => connection.whenReady(),
    start: async () => connection.start(),
    stop: () => connection.stop(),
    detach: async (drain) => (drain ? connection.stop() : connection.drop()),
  };
}

describe('MUD owner cut off from Redis', () => {
  let mud: FakeMud;
  let gate: TcpGate;
  const runtimes: ScaleRuntime[] = [];
  afterEach(async () => {
    gate?.open();
    await Promise.all(runtimes.splice(0).map((r) => r.close()));
    await gate?.close();
    await mud?.close();
  });

  it('drops the character before the other instance can log in: never two sessions', async () => {
    mud = await startFakeMud({ linkDead: true });
    gate = await startGate(redis());
    const profile = profileFor(mud);
    const scaleOf = async (id: string, url: string) => {
      const runtime = await startScale(loadScaleConfig({ REDIS_URL: url, REDIS_PREFIX: 'fence:', PARLEY_INSTANCE_ID: id, PARLEY_LEASE_MS: String(LEASE_MS) }), quietLogger);
      runtimes.push(runtime);
      return runtime;
    };
    const paused = createOwnedMudAdapter({ logger: quietLogger, scale: await scaleOf('paused', gate.url) } as Core, profile, () => connectionAdapter(profile));
    await paused.start();
    await paused.whenReady();
    const other = createOwnedMudAdapter({ logger: quietLogger, scale: await scaleOf('other', redis().url) } as Core, profile, () => connectionAdapter(profile));
    await other.start();
    expect(other.state).toBe('idle');

    gate.hold();
    await other.whenReady();
    expect(paused.state).toBe('idle');
    expect(mud.loginLog.map((l) => l.reconnected)).toEqual([false, true]);
    expect(mud.sessionViolations).toEqual([]);
    expect(mud.online).toBe(1);
  });
});
