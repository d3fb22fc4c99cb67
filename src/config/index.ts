// env (+ .env) -> one validated, typed Config. Every bad value stops start-up with one line
// naming the key and what is wrong; no stack trace reaches the user.
//
// The core declares its own settings (core.ts); each adapter declares its own next to its code
// (adapters/<platform>/config.ts) and adds its entry to PlatformConfigs. The composition root
// registers the adapters' sections, so the core composes them without naming a platform.
import { existsSync } from 'node:fs';
import type { z } from 'zod';
import { CORE_SECRET_PATHS, coreConfigSchema, type CoreConfig } from './core.js';

export { isLoopback, type CoreConfig, type LogLevel } from './core.js';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** One entry per platform, added by that adapter's config.ts (declaration merging), e.g.
 * `declare module '../../src/config/index.js' { interface PlatformConfigs { mud?: MudConfig } }`.
 * Empty here on purpose: the core names no platform. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface PlatformConfigs {}

export type Config = CoreConfig & PlatformConfigs;

/** The string-valued fields of a platform's settings (undefined, when not configured, has none). */
type StringFieldOf<T> = T extends object ? { [F in keyof T]-?: NonNullable<T[F]> extends string ? F : never }[keyof T] : never;

/** A platform's settings: which Config key they fill, the schema reading them from env (its
 * output is undefined when the platform is not configured), and which of its fields are secrets.
 * Distributed over the keys: without an argument, the section of any one platform. */
export type PlatformConfigSection<K extends keyof PlatformConfigs = keyof PlatformConfigs> = K extends keyof PlatformConfigs
  ? {
      key: K;
      schema: z.ZodType<PlatformConfigs[K]>;
      /** Fields holding tokens or passwords: their values are masked in every log line and in what
       * start-up prints, and `config.<key>.<field>` is redacted wherever a config is logged. */
      secrets?: readonly StringFieldOf<PlatformConfigs[K]>[];
    }
  : never;

const registered: PlatformConfigSection[] = [];

/** Called by the composition root (and the test setup) with every adapter's section. */
export function registerPlatformConfigs(sections: readonly PlatformConfigSection[]): void {
  for (const section of sections) {
    if (!registered.some((s) => s.key === section.key)) registered.push(section);
  }
}

/** Where a Config holds secrets, as dot paths: the core's and each platform's declared fields. */
export function secretPaths(platforms: readonly PlatformConfigSection[] = registered): string[] {
  return [...CORE_SECRET_PATHS, ...platforms.flatMap((p) => (p.secrets ?? []).map((field) => `${p.key}.${field}`))];
}

/** The secret values a Config holds (unset ones left out). */
export function secretValues(config: Config, platforms: readonly PlatformConfigSection[] = registered): string[] {
  const valueAt = (path: string): unknown => path.split('.').reduce<unknown>((at, key) => (at && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined), config);
  return secretPaths(platforms)
    .map(valueAt)
    .filter((v): v is string => typeof v === 'string' && v.length > 0);
}

function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('\n');
}

/** Validates an environment (process.env by default) into a Config, or throws ConfigError.
 * Every section is read, so one message names every bad key. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, platforms: readonly PlatformConfigSection[] = registered): Config {
  const issues: z.core.$ZodIssue[] = [];
  const core = coreConfigSchema.safeParse(env);
  if (!core.success) issues.push(...core.error.issues);
  const sections: Partial<PlatformConfigs> = {};
  for (const platform of platforms) {
    const parsed = platform.schema.safeParse(env);
    if (parsed.success) Object.assign(sections, { [platform.key]: parsed.data });
    else issues.push(...parsed.error.issues);
  }
  if (!core.success || issues.length > 0) throw new ConfigError(`Invalid configuration:\n${describeIssues(issues)}`);
  return { ...core.data, ...sections };
}

/** Loads `.env` from the working directory if there is one; real env vars win. */
export function loadDotEnv(path = '.env'): void {
  if (!existsSync(path)) return;
  // Node's own parser (20.12+): no dependency needed. It never overrides set variables.
  process.loadEnvFile(path);
}
