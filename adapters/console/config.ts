// The console's settings. It has none of its own yet: it starts when no other platform is
// configured and saves files under DATA_DIR (a core setting). The section exists so a console
// setting, when one is needed, is one line here plus .env.example.
import { z } from 'zod';
import type { PlatformConfigSection } from '../../src/config/index.js';

export type ConsoleConfig = Record<string, never>;

declare module '../../src/config/index.js' {
  interface PlatformConfigs {
    console?: ConsoleConfig;
  }
}

export const consoleConfigSchema = z.object({}).transform((): ConsoleConfig => ({}));

export const consoleConfig: PlatformConfigSection<'console'> = { key: 'console', schema: consoleConfigSchema };
