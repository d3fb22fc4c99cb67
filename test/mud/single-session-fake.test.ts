// The fake MUD's single-session check and link-dead bodies, driven by our real telnet client
// (MudConnection) with the shipped Diku profile: what the two-process e2e relies on.
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { MudConnection } from '../../adapters/mud/connection.js';
import { parseProfile } from '../../adapters/mud/profile.js';
import { createLogger } from '../../src/log.js';
import { startFakeMud, type FakeMud } from '../fakes/mud/server.js';

const PASSWORD = 'sekrit-pass';
const logger = createLogger('silent');

function dikuProfile(mud: FakeMud, extraLogin: Record<string, unknown>[] = []) {
  const data = parseYaml(readFileSync('profiles/diku-example.yaml', 'utf8')) as Record<string, unknown>;
  return parseProfile(
    { ...data, port: mud.port, pacingMs: 20, reconnect: { initialMs: 50, maxMs: 100 }, login: [...(data.login as unknown[]), ...extraLogin] },
    'diku-example.yaml',
    { password: PASSWORD },
  );
}

/** Logs in as parley over a bare socket, as a second client would. */
function rawLogin(mud: FakeMud) {
  const socket = connect(mud.port, '127.0.0.1');
  socket.on('data', (chunk: Buffer) => {
    const text = chunk.toString('latin1');
    if (text.includes('By what name')) socket.write('parley\r\n');
    if (text.includes('Password')) socket.write(`${PASSWORD}\r\n`);
  });
  return socket;
}

describe('fake MUD: one session per character', () => {
  let mud: FakeMud;
  const connections: MudConnection[] = [];
  afterEach(async () => {
    await Promise.all(connections.splice(0).map((c) => c.stop()));
    await mud?.close();
  });

  it('records a second login of a character that is still playing', async () => {
    mud = await startFakeMud();
    const first = new MudConnection({ profile: dikuProfile(mud), logger });
    connections.push(first);
    first.start();
    await first.whenReady();
    expect(mud.sessionViolations).toEqual([]);
    const second = rawLogin(mud);
    await mud.waitForLogins(2);
    second.destroy();
    expect(mud.sessionViolations).toMatchObject([{ character: 'parley', session: 2, playing: 1 }]);
  });

  it('a quit character logs in again cleanly: no violation, no link-dead question', async () => {
    mud = await startFakeMud({ linkDead: true });
    const first = new MudConnection({ profile: dikuProfile(mud), logger });
    first.start();
    await first.whenReady();
    await first.stop();
    const again = new MudConnection({ profile: dikuProfile(mud), logger });
    connections.push(again);
    again.start();
    await again.whenReady();
    expect(mud.loginLog.map((l) => l.reconnected)).toEqual([false, false]);
    expect(mud.sessionViolations).toEqual([]);
  });

  it('a dropped character stays link-dead; the optional reconnect step takes the body back', async () => {
    mud = await startFakeMud({ linkDead: true });
    const connection = new MudConnection({ profile: dikuProfile(mud, [{ expect: 'link-dead body', send: 'y', optional: true }]), logger });
    connections.push(connection);
    connection.start();
    await connection.whenReady();
    mud.dropAll();
    await mud.waitFor(() => mud.linkDeadCharacters.includes('parley'), 'the body to go link-dead');
    await mud.waitForLogins(2);
    await connection.whenReady();
    expect(mud.loginLog.map((l) => l.reconnected)).toEqual([false, true]);
    expect(mud.linkDeadCharacters).toEqual([]);
    expect(mud.sessionViolations).toEqual([]);
  });
});
