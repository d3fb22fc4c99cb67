// The console's settings. It starts when no other platform is configured; a new console setting
// is one line here plus .env.example.
import { z } from 'zod';
import { optStr } from '../../src/config/fields.js';
import type { PlatformConfigSection } from '../../src/config/index.js';

export interface ConsoleConfig {
  /** Where images and speech the console receives are saved; undefined: `<DATA_DIR>/out`. */
  outputDir?: string;
}

declare module '../../src/config/index.js' {
  interface PlatformConfigs {
    console?: ConsoleConfig;
  }
}

export const consoleConfigSchema = z
  .object({ CONSOLE_OUTPUT_DIR: optStr() })
  .transform((e): ConsoleConfig => (e.CONSOLE_OUTPUT_DIR ? { outputDir: e.CONSOLE_OUTPUT_DIR } : {}));

export const consoleConfig: PlatformConfigSection<'console'> = { key: 'console', schema: consoleConfigSchema };
