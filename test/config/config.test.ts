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

  /** The one ConfigError message for an environment, or '' if it loads. */
  function configError(env: Record<string, string>): string {
    try {
      loadConfig(env);
      return '';
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return (e as Error).message;
    }
  }

  it.each([
    ['OPENAI_BASE_URL', 'http://[::1'],
    ['OPENAI_BASE_URL', 'ftp://example.com/v1'],
    ['DISCORD_API_URL', 'http://'],
    ['TELEGRAM_API_ROOT', 'http://exa mple.com'],
    ['TELEGRAM_WEBHOOK_URL', 'https://bot.example.com:99999/hook'],
  ])('a URL that would fail at the first request fails at start: %s=%s', (key, value) => {
    expect(configError({ [key]: value })).toMatch(new RegExp(`^${key}: `, 'm'));
  });

  it('a URL port out of range says what the range is', () => {
    expect(configError({ OPENAI_BASE_URL: 'http://127.0.0.1:65536/v1' })).toContain(
      'OPENAI_BASE_URL: has port 65536; a port must be from 1 to 65535',
    );
    expect(configError({ OPENAI_BASE_URL: 'http://[::1]:70000/v1' })).toContain('a port must be from 1 to 65535');
    // Valid forms still load, IPv6 and user-info included.
    expect(loadConfig({ OPENAI_BASE_URL: 'http://[::1]:8787/v1' }).llm.baseUrl).toBe('http://[::1]:8787/v1');
    expect(loadConfig({ TELEGRAM_BOT_TOKEN: 't', TELEGRAM_API_ROOT: 'http://u:p@127.0.0.1:65535' }).telegram?.apiRoot).toBe(
      'http://u:p@127.0.0.1:65535',
    );
  });

  it('a URL error does not echo the value (it may carry credentials)', () => {
    expect(configError({ OPENAI_BASE_URL: 'http://user:s3cretpass@[::1' })).not.toContain('s3cretpass');
  });

  it.each([
    ['CHAT_TEMPERATURE', '5', 'must be a number from 0 to 2 (got 5)'],
    ['CHAT_TEMPERATURE', 'warm', 'must be a number from 0 to 2'],
    ['CHAT_MAX_TOKENS', '0', 'must be a whole number from 1 to 2000000 (got 0)'],
    ['CHAT_MAX_TOKENS', '1.5', 'must be a whole number from 1 to 2000000'],
    ['HISTORY_MAX_MESSAGES', '1', 'must be a whole number from 2 to 10000 (got 1)'],
    ['LLM_MAX_RETRIES', '11', 'must be a whole number from 0 to 10'],
    ['TELEGRAM_WEBHOOK_PORT', '70000', 'must be a whole number from 1 to 65535'],
    ['LLM_IDLE_TIMEOUT_MS', '99999999999', 'must be a whole number from 100 to 3600000'],
    ['DAILY_TOKEN_BUDGET', '-1', 'must be a whole number, 0 or more'],
  ])('a number out of range says the range: %s=%s', (key, value, message) => {
    expect(configError({ [key]: value })).toContain(`${key}: ${message}`);
  });

  it('numbers in range load as numbers', () => {
    const c = loadConfig({ CHAT_TEMPERATURE: '0.7', CHAT_MAX_TOKENS: ' 256 ', LLM_MAX_RETRIES: '0' });
    expect(c.llm.temperature).toBe(0.7);
    expect(c.llm.maxTokens).toBe(256);
    expect(c.llm.maxRetries).toBe(0);
    expect(loadConfig({}).llm.temperature).toBeUndefined();
  });
});
