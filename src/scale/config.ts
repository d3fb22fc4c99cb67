// Settings for running several instances on one Redis (HISTORY_STORE=redis). Parsed alongside
// the rest of the environment: src/config/index.ts spreads `scaleEnvShape` into its schema.
import { hostname } from 'node:os';
import { z } from 'zod';

export interface ScaleConfig {
  /** redis:// or rediss:// URL; required when HISTORY_STORE=redis. */
  redisUrl?: string;
  /** Every key parley writes starts with this, so several deployments can share a Redis. */
  prefix: string;
  /** Names this process in leases and membership; unique per running instance. */
  instanceId: string;
  /** A slot's lease lifetime; an owner that cannot renew stops its slots at 0.8 of it. */
  leaseMs: number;
  /** Telegram chats are spread over this many `tg:<p>` slots. */
  partitions: number;
  /** Discord shards; 'auto' asks Discord for the recommended count. */
  discordShardCount: number | 'auto';
}

const blank = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const asText = (v: unknown) => (typeof v === 'number' ? String(v) : blank(v));

const wholeNumber = (def: number, min: number, max: number) =>
  z.preprocess(
    asText,
    z
      .string()
      .default(String(def))
      .transform((raw, ctx) => {
        const n = Number(raw.trim());
        if (Number.isInteger(n) && n >= min && n <= max) return n;
        ctx.addIssue({ code: 'custom', message: `must be a whole number from ${min} to ${max} (got ${raw.trim().slice(0, 20)})` });
        return z.NEVER;
      }),
  );

/** The URL is never echoed back: it may carry a password. */
const redisUrl = z.preprocess(
  blank,
  z
    .string()
    .refine((v) => /^rediss?:\/\/[^\s]+$/i.test(v.trim()) && URL.canParse(v.trim()), { message: 'must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379/0' })
    .transform((v) => v.trim())
    .optional(),
);

const shardCount = z.preprocess(
  asText,
  z
    .string()
    .default('auto')
    .transform((raw, ctx) => {
      const v = raw.trim().toLowerCase();
      if (v === 'auto') return 'auto' as const;
      const n = Number(v);
      if (Number.isInteger(n) && n >= 1 && n <= 65_535) return n;
      ctx.addIssue({ code: 'custom', message: 'must be auto or a whole number from 1 to 65535' });
      return z.NEVER;
    }),
);

export const scaleEnvShape = {
  REDIS_URL: redisUrl,
  REDIS_PREFIX: z.preprocess(blank, z.string().regex(/^[^\s]{0,64}$/, { message: 'must be up to 64 characters without spaces' }).default('parley:')),
  PARLEY_INSTANCE_ID: z.preprocess(blank, z.string().regex(/^[\w.:@-]{1,128}$/, { message: 'must be 1-128 characters A-Z a-z 0-9 _ . : @ -' }).optional()),
  PARLEY_LEASE_MS: wholeNumber(10_000, 100, 600_000),
  PARLEY_PARTITIONS: wholeNumber(64, 1, 4_096),
  DISCORD_SHARD_COUNT: shardCount,
};

const scaleEnvSchema = z.object(scaleEnvShape);
export type ScaleEnv = z.infer<typeof scaleEnvSchema>;

/** The problem with the scale settings for this store, or undefined when they are usable. */
export function scaleConfigProblem(e: ScaleEnv, storeKind: string): string | undefined {
  return storeKind === 'redis' && !e.REDIS_URL ? 'REDIS_URL: required when HISTORY_STORE=redis' : undefined;
}

export function scaleConfigFrom(e: ScaleEnv): ScaleConfig {
  return {
    redisUrl: e.REDIS_URL,
    prefix: e.REDIS_PREFIX,
    // host+pid: unique per process on a host, and says where to look in logs.
    instanceId: e.PARLEY_INSTANCE_ID ?? `${hostname()}-${process.pid}`,
    leaseMs: e.PARLEY_LEASE_MS,
    partitions: e.PARLEY_PARTITIONS,
    discordShardCount: e.DISCORD_SHARD_COUNT,
  };
}

/** Parses the scale settings alone (tests, tools); loadConfig parses them with everything else. */
export function loadScaleConfig(env: NodeJS.ProcessEnv = process.env): ScaleConfig {
  return scaleConfigFrom(scaleEnvSchema.parse(env));
}
