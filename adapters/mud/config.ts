// The MUD's settings: the profile file (host, login, triggers, pacing) and the password that
// fills {password} in it. The surface starts when MUD_PROFILE is set.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { optStr } from '../../src/config/fields.js';
import type { PlatformConfigSection } from '../../src/config/index.js';

export interface MudConfig {
  /** Absolute path of the profile YAML. */
  profilePath: string;
  password?: string;
}

declare module '../../src/config/index.js' {
  interface PlatformConfigs {
    mud?: MudConfig;
  }
}

export const mudConfigSchema = z
  .object({
    MUD_PROFILE: optStr(),
    MUD_PASSWORD: optStr(),
  })
  .transform((e, ctx): MudConfig | undefined => {
    if (!e.MUD_PROFILE) return undefined;
    const profilePath = resolve(e.MUD_PROFILE);
    if (!existsSync(profilePath)) {
      ctx.addIssue({ code: 'custom', path: ['MUD_PROFILE'], message: `no such file: ${profilePath}` });
      return z.NEVER;
    }
    return { profilePath, password: e.MUD_PASSWORD };
  });

export const mudConfig: PlatformConfigSection<'mud'> = { key: 'mud', schema: mudConfigSchema, secrets: ['password'] };
