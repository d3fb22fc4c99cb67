// Settings are declared per section (the core's, each adapter's) and composed by loadConfig.
// Adding a setting is one edit in its section plus its line in .env.example: this pins both.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { PLATFORM_CONFIGS } from '../../adapters/platform-configs.js';
import { coreConfigSchema } from '../../src/config/core.js';
import { ConfigError, loadConfig } from '../../src/config/index.js';

/** The env keys a section reads: the shape of the object its schema starts from. */
function envKeys(schema: z.ZodType): string[] {
  if (schema instanceof z.ZodPipe && schema.in instanceof z.ZodObject) return Object.keys(schema.in.shape);
  if (schema instanceof z.ZodObject) return Object.keys(schema.shape);
  throw new Error('a config section must read a z.object of env keys');
}

describe('config sections', () => {
  const declared = [coreConfigSchema, ...PLATFORM_CONFIGS.map((p) => p.schema)].flatMap(envKeys);

  it('every setting any section reads is in .env.example, and nothing else is', () => {
    const example = [...readFileSync('.env.example', 'utf8').matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]);
    expect([...new Set(declared)].sort()).toEqual([...new Set(example)].sort());
  });

  it('no two sections read the same key', () => {
    expect(declared.length).toBe(new Set(declared).size);
  });

  it('one message names the bad keys of the core and of a platform together', () => {
    let message = '';
    try {
      loadConfig({ HISTORY_MAX_MESSAGES: 'lots', DISCORD_EDIT_INTERVAL_MS: '5', TELEGRAM_STREAM: 'sometimes' });
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      message = (err as Error).message;
    }
    expect(message.split('\n')).toEqual([
      'Invalid configuration:',
      'HISTORY_MAX_MESSAGES: must be a whole number from 2 to 10000 (got lots)',
      'DISCORD_EDIT_INTERVAL_MS: must be a whole number from 200 to 60000 (got 5)',
      'TELEGRAM_STREAM: must be one of: auto, draft, edit, off',
    ]);
  });

  it('a platform is read only when its section is registered', () => {
    expect(loadConfig({ DISCORD_TOKEN: 'x' }).discord?.token).toBe('x');
    expect(loadConfig({ DISCORD_TOKEN: 'x' }, []).discord).toBeUndefined();
  });
});
