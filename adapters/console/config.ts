// The console adapter's own settings, read from the environment like every other setting. The
// core composes adapters' schemas (src/config/index.ts); until it does, the adapter parses this
// one itself.
import { z } from 'zod';

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

export const consoleConfigSchema = z.object({
  /** Where images and speech the console receives are saved; default `<DATA_DIR>/out`. */
  CONSOLE_OUTPUT_DIR: z.preprocess(blankToUndefined, z.string().optional()),
});

export interface ConsoleSettings {
  /** undefined: `<DATA_DIR>/out`. */
  outputDir?: string | undefined;
}

export function consoleSettings(env: NodeJS.ProcessEnv = process.env): ConsoleSettings {
  const e = consoleConfigSchema.parse(env);
  return { outputDir: e.CONSOLE_OUTPUT_DIR };
}
