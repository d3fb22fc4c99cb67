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
  it('loads every shipped example', () => {
    const diku = loadProfile('profiles/diku-example.yaml', { password: 'pw-123456' });
    expect(diku.id).toBe('diku-example');
    expect(diku.encoding).toBe('utf8');
    expect(diku.triggers[0]!.direct).toBe(true);
    expect(diku.triggers[1]!.direct).toBe(false);
    const lpc = loadProfile('profiles/lpc-gbk-example.yaml', { password: 'pw-123456' });
    expect(lpc.encoding).toBe('gbk');
    expect(lpc.triggers[0]!.match.exec('爱丽丝(alice)告诉你：你好')?.groups).toMatchObject({ speaker: 'alice', message: '你好' });
    expect(lpc.triggers[1]!.match.exec('【闲聊】爱丽丝(alice): parley，讲个笑话')?.groups).toMatchObject({ speaker: 'alice', message: '讲个笑话' });
    const evennia = loadProfile('profiles/evennia-example.yaml', { password: 'pw-123456' });
    expect(evennia.login.map((s) => s.send)).toEqual(['connect Parley pw-123456']);
    expect(evennia.loginRejected?.test('Username and/or password is incorrect.')).toBe(true);
    expect(evennia.triggers.map((t) => t.direct)).toEqual([true, true, false]);
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
    expect(errorOf({ ...base(), port: undefined })).toMatch(/: port: is required \(expected a whole number 1–65535\)/);
    expect(errorOf({ ...base(), encoding: 'klingon' })).toMatch(/: encoding: unknown encoding/);
    expect(errorOf({ ...base(), ready: '(' })).toMatch(/: ready: invalid regex/);
    expect(errorOf({ ...base(), pacingMs: -5 })).toMatch(/: pacingMs: /);
    expect(errorOf({ ...base(), triggers: [{ ...base().triggers[0], reply: 'tell {speaker}' }] })).toMatch(/: triggers\[0\]\.reply: must contain \{line\}/);
    expect(errorOf({ ...base(), triggers: [{ ...base().triggers[0], scope: 'tell:{who}' }] })).toMatch(/: triggers\[0\]\.scope: unknown placeholder \{who\}/);
    expect(errorOf({ ...base(), login: [{ expect: '[', send: 'x' }] })).toMatch(/: login\[0\]\.expect: invalid regex/);
    expect(errorOf('just a string')).toMatch(/must be a YAML mapping/);
  });

  // Issue 9.12: `port: "4000"` said "is required" and `pacingMs: -1` "must be a number".
  it('says what is wrong with a number field and what the file holds', () => {
    expect(errorOf({ ...base(), port: '4000' })).toBe('MUD profile profiles/x.yaml: port: expected a whole number 1–65535, got the string "4000"');
    expect(errorOf({ ...base(), port: 70_000 })).toBe('MUD profile profiles/x.yaml: port: must be ≤ 65535, got 70000');
    expect(errorOf({ ...base(), port: 40.5 })).toBe('MUD profile profiles/x.yaml: port: expected a whole number 1–65535, got 40.5');
    expect(errorOf({ ...base(), pacingMs: -1 })).toBe('MUD profile profiles/x.yaml: pacingMs: must be ≥ 0, got -1');
    expect(errorOf({ ...base(), rateLimit: { count: 'six', windowMs: 1000 } })).toBe(
      'MUD profile profiles/x.yaml: rateLimit.count: expected a whole number ≥ 1, got the string "six"',
    );
    expect(errorOf({ ...base(), ready: 42 })).toBe('MUD profile profiles/x.yaml: ready: must be a regex string, got 42');
  });

  // Issue 9.2: a trigger with nested quantifiers let any player freeze the bot (12 s per 28-character line).
  it('refuses a catastrophic trigger regex, naming the field and a safer form', () => {
    const data = base();
    data.triggers.push({ match: '^(?<speaker>\\w+) pages: (?<message>(\\w+\\s?)+)$', scope: 'page:{speaker}', reply: 'page {speaker} {line}' });
    const message = errorOf(data);
    expect(message).toMatch(/^MUD profile profiles\/x\.yaml: triggers\[1\]\.match: unsafe regex: /);
    expect(message).toContain('(?<message>.+)');
    // The same check guards every regex field, not only triggers.
    expect(errorOf({ ...base(), ignore: ['(a+)+$'] })).toMatch(/: ignore\[0\]: unsafe regex/);
    expect(errorOf({ ...base(), login: [{ expect: '(\\s*\\w+)*:', send: 'x' }] })).toMatch(/: login\[0\]\.expect: unsafe regex/);
    // Many flat quantifiers are fine: only nesting is refused.
    expect(() => parseProfile({ ...base(), ignore: [Array.from({ length: 30 }, (_, i) => `w${i}\\s*`).join('')] }, 'x.yaml', { password: 'p' })).not.toThrow();
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
