import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProfile, parseProfile, ProfileError } from '../../adapters/mud/profile.js';

const base = () => ({
  host: '127.0.0.1',
  port: 4000,
  name: 'Parley',
  login: [
    { expect: 'name', send: '{name}' },
    { expect: '[Pp]assword', send: '{password}' },
  ],
  ready: 'Welcome',
  triggers: [{ match: "^(?<speaker>\\w+) tells you '(?<message>.+)'$", scope: 'tell:{speaker}', reply: 'tell {speaker} {line}' }],
});

const errorOf = (data: unknown, secrets: { password?: string } = { password: 'pw-123456' }) => {
  try {
    parseProfile(data, 'profiles/x.yaml', secrets);
  } catch (err) {
    expect(err).toBeInstanceOf(ProfileError);
    return (err as Error).message;
  }
  throw new Error('expected a ProfileError');
};

describe('MUD profile', () => {
  it('loads both shipped examples', () => {
    const diku = loadProfile('profiles/diku-example.yaml', { password: 'pw-123456' });
    expect(diku.id).toBe('diku-example');
    expect(diku.encoding).toBe('utf8');
    expect(diku.triggers[0]!.direct).toBe(true);
    expect(diku.triggers[1]!.direct).toBe(false);
    const lpc = loadProfile('profiles/lpc-gbk-example.yaml', { password: 'pw-123456' });
    expect(lpc.encoding).toBe('gbk');
    expect(lpc.triggers[0]!.match.exec('爱丽丝(alice)告诉你：你好')?.groups).toMatchObject({ speaker: 'alice', message: '你好' });
    expect(lpc.triggers[1]!.match.exec('【闲聊】爱丽丝(alice): parley，讲个笑话')?.groups).toMatchObject({ speaker: 'alice', message: '讲个笑话' });
  });

  it('fills defaults and expands {name} and {password} in login steps', () => {
    const p = parseProfile(base(), 'x.yaml', { password: 'pw-123456' });
    expect(p.login.map((s) => s.send)).toEqual(['Parley', 'pw-123456']);
    expect(p.login[1]!.secret).toBe(true);
    expect(p.login[0]!.secret).toBe(false);
    expect(p).toMatchObject({ id: 'x', encoding: 'utf8', wrap: 76, maxCommandBytes: 240, pacingMs: 700, maxLines: 12, commandSeparators: [';'] });
  });

  it('names the field of an invalid regex', () => {
    const data = base();
    data.triggers[0]!.match = '^(?<speaker>\\w+ tells (?<message>';
    expect(errorOf(data)).toMatch(/^MUD profile profiles\/x\.yaml: triggers\[0\]\.match: invalid regex/);
  });

  it('requires the speaker and message groups', () => {
    const data = base();
    data.triggers[0]!.match = '^(?<who>\\w+) tells you (?<message>.+)$';
    expect(errorOf(data)).toBe('MUD profile profiles/x.yaml: triggers[0].match: needs a named group (?<speaker>...)');
  });

  it('names missing and mistyped fields', () => {
    const { host: _h, ...noHost } = base();
    expect(errorOf(noHost)).toMatch(/: host: is required/);
    expect(errorOf({ ...base(), port: 'x' })).toMatch(/: port: is required/);
    expect(errorOf({ ...base(), encoding: 'klingon' })).toMatch(/: encoding: unknown encoding/);
    expect(errorOf({ ...base(), ready: '(' })).toMatch(/: ready: invalid regex/);
    expect(errorOf({ ...base(), pacingMs: -5 })).toMatch(/: pacingMs: /);
    expect(errorOf({ ...base(), triggers: [{ ...base().triggers[0], reply: 'tell {speaker}' }] })).toMatch(/: triggers\[0\]\.reply: must contain \{line\}/);
    expect(errorOf({ ...base(), triggers: [{ ...base().triggers[0], scope: 'tell:{who}' }] })).toMatch(/: triggers\[0\]\.scope: unknown placeholder \{who\}/);
    expect(errorOf({ ...base(), login: [{ expect: '[', send: 'x' }] })).toMatch(/: login\[0\]\.expect: invalid regex/);
    expect(errorOf('just a string')).toMatch(/must be a YAML mapping/);
  });

  it('refuses {password} without MUD_PASSWORD, and never puts the password in the message', () => {
    expect(errorOf(base(), {})).toBe('MUD profile profiles/x.yaml: login[1].send: uses {password} but MUD_PASSWORD is not set');
  });

  it('reports unreadable files and bad YAML with the file name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-mud-'));
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'host: [unclosed\n');
    expect(() => loadProfile(bad)).toThrow(/MUD profile .*bad\.yaml: not valid YAML/);
    expect(() => loadProfile(join(dir, 'missing.yaml'))).toThrow(/MUD profile .*missing\.yaml: cannot read the file \(ENOENT\)/);
  });
});
