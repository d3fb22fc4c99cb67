// Secrets are declared where their settings are: the core's in src/config/core.ts, each
// platform's in its adapter's config.ts (PlatformConfigSection.secrets). The core reads those
// declarations, names no platform, and masks every declared value in log lines and in what
// start-up prints.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createCore } from '../../src/app.js';
import { loadConfig, secretPaths, secretValues, type PlatformConfigSection } from '../../src/config/index.js';
import { createLogger, redact } from '../../src/log.js';

const DISCORD_TOKEN = 'discord-token-declared-4821';
const TELEGRAM_TOKEN = '123456:telegram-token-declared';
const WEBHOOK_SECRET = 'webhook-secret-declared-9137';
const API_KEY = 'sk-core-key-declared-5530';

function capture() {
  const lines: string[] = [];
  const logger = createLogger('debug', { write: (line: string) => void lines.push(line) });
  return { logger, lines };
}

describe('declared secrets', () => {
  const env = {
    OPENAI_API_KEY: API_KEY,
    HISTORY_STORE: 'memory',
    DISCORD_TOKEN,
    TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
    TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET,
  };

  it('each adapter config declares its secret fields, and the core lists them as config paths', () => {
    expect(secretPaths()).toEqual(expect.arrayContaining(['llm.apiKey', 'discord.token', 'telegram.token', 'telegram.webhookSecret', 'mud.password']));
    expect(secretValues(loadConfig(env)).sort()).toEqual([API_KEY, DISCORD_TOKEN, TELEGRAM_TOKEN, WEBHOOK_SECRET].sort());
  });

  it('reads any section generically: a field a section declares is a secret, one it does not is not', () => {
    const section: PlatformConfigSection<'console'> = {
      key: 'console',
      schema: z.object({ CONSOLE_OUTPUT_DIR: z.string().optional() }).transform((e) => ({ outputDir: e.CONSOLE_OUTPUT_DIR })),
      secrets: ['outputDir'],
    };
    const config = loadConfig({ CONSOLE_OUTPUT_DIR: '/srv/private-dir' }, [section]);
    expect(secretPaths([section])).toContain('console.outputDir');
    expect(secretValues(config, [section])).toContain('/srv/private-dir');
    expect(secretValues(config, [{ ...section, secrets: [] }])).not.toContain('/srv/private-dir');
  });

  it('a declared secret never reaches a log line or a printed start-up message once the core is built', async () => {
    const config = loadConfig(env);
    const { logger, lines } = capture();
    const core = await createCore(config, { logger });
    try {
      logger.info({ config }, 'settings');
      logger.warn(`webhook refused: secret ${WEBHOOK_SECRET} did not match`);
      logger.error({ err: new Error(`login failed with ${DISCORD_TOKEN}`), detail: `token=${TELEGRAM_TOKEN}` }, 'could not connect');
      const logged = lines.join('\n');
      for (const secret of [DISCORD_TOKEN, TELEGRAM_TOKEN, WEBHOOK_SECRET, API_KEY]) expect(logged).not.toContain(secret);
      const settings = JSON.parse(lines[0]!) as { config: { discord: { token: string }; telegram: { token: string; webhookSecret: string; stream: string } } };
      // Redacted by path, field by field: the rest of the section is still there to read.
      expect(settings.config.discord.token).toBe('[redacted]');
      expect(settings.config.telegram).toMatchObject({ token: '[redacted]', webhookSecret: '[redacted]', stream: 'auto' });
      // What main.ts prints on a failed start goes through redact().
      expect(redact(`Start-up failed: webhook ${WEBHOOK_SECRET} rejected`)).toBe('Start-up failed: webhook [redacted] rejected');
    } finally {
      await core.close();
    }
  });

  it('the core names no platform where it registers and redacts secrets', () => {
    for (const file of ['src/app.ts', 'src/log.ts', 'src/config/index.ts']) {
      const code = readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => !/^\s*(\/\/|\*|\/\*\*)/.test(l))
        .join('\n');
      expect(code, file).not.toMatch(/discord|telegram|\bmud\b/i);
    }
  });
});
