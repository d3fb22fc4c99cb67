import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/index.js';

describe('loadConfig', () => {
  it('gives defaults from an empty environment and no platform', () => {
    const c = loadConfig({});
    expect(c.llm.baseUrl).toBe('https://api.openai.com/v1');
    expect(c.llm.authHeader).toBe('authorization');
    expect(c.store.kind).toBe('sqlite');
    expect(c.conversation.historyMaxMessages).toBe(40);
    expect(c.discord).toBeUndefined();
    expect(c.telegram).toBeUndefined();
    expect(c.mud).toBeUndefined();
  });

  it('parses values, lists and switches', () => {
    const c = loadConfig({
      OPENAI_AUTH_HEADER: 'API-KEY',
      VISION: 'off',
      ADMINS: 'telegram:1, 42  discord:7',
      HISTORY_MAX_TOKENS: '8000',
      DISCORD_TOKEN: 'x',
      DISCORD_ALLOWED_GUILDS: '1,2',
      LOCALE: 'zh',
      HISTORY_MAX_MESSAGES: '',
    });
    expect(c.llm.authHeader).toBe('api-key');
    expect(c.llm.vision).toBe(false);
    expect(c.conversation.admins).toEqual(['telegram:1', '42', 'discord:7']);
    expect(c.conversation.historyMaxTokens).toBe(8000);
    expect(c.conversation.historyMaxMessages).toBe(40);
    expect(c.conversation.locale).toBe('zh');
    expect(c.discord?.allowedGuilds).toEqual(['1', '2']);
  });

  it('names every bad key and what is wrong, in one message', () => {
    let err: unknown;
    try {
      loadConfig({ HISTORY_MAX_MESSAGES: 'lots', OPENAI_AUTH_HEADER: 'x-token', VISION: 'maybe', OPENAI_BASE_URL: 'api.example.com' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as Error).message;
    expect(msg).toContain('HISTORY_MAX_MESSAGES: must be a whole number');
    expect(msg).toContain('OPENAI_AUTH_HEADER: must be one of: authorization, api-key');
    expect(msg).toContain('VISION: must be on or off');
    expect(msg).toContain('OPENAI_BASE_URL: must be an http(s) URL');
    expect(msg).not.toMatch(/at .*\.ts:\d+/);
  });

  it('a missing MUD profile file stops start-up naming the key', () => {
    expect(() => loadConfig({ MUD_PROFILE: '/nonexistent/profile.yaml' })).toThrow(/MUD_PROFILE: no such file/);
    const dir = mkdtempSync(join(tmpdir(), 'parley-cfg-'));
    const p = join(dir, 'p.yaml');
    writeFileSync(p, 'host: 127.0.0.1\n');
    expect(loadConfig({ MUD_PROFILE: p, MUD_PASSWORD: 'pw' }).mud).toEqual({ profilePath: p, password: 'pw' });
  });
});
