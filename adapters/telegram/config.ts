// Telegram's settings; the surface starts when TELEGRAM_BOT_TOKEN is set.
import { z } from 'zod';
import { blankToUndefined, enumOf, int, list, optStr, optUrl, str } from '../../src/config/fields.js';
import type { PlatformConfigSection } from '../../src/config/index.js';

export interface TelegramConfig {
  token: string;
  apiRoot?: string;
  allowedUsers: string[];
  allowedChats: string[];
  webhookUrl?: string;
  webhookPort: number;
  webhookSecret?: string;
  webhookHost: string;
  stream: 'auto' | 'draft' | 'edit' | 'off';
  editIntervalDmMs: number;
  editIntervalGroupMs: number;
  draftIntervalMs: number;
}

declare module '../../src/config/index.js' {
  interface PlatformConfigs {
    telegram?: TelegramConfig;
  }
}

export const telegramConfigSchema = z
  .object({
    TELEGRAM_BOT_TOKEN: optStr(),
    TELEGRAM_API_ROOT: optUrl(),
    TELEGRAM_ALLOWED_USERS: list(),
    TELEGRAM_ALLOWED_CHATS: list(),
    TELEGRAM_WEBHOOK_URL: optUrl(),
    TELEGRAM_WEBHOOK_PORT: int(8443, 1, 65_535),
    // Telegram accepts only these characters in a webhook secret_token.
    TELEGRAM_WEBHOOK_SECRET: z.preprocess(blankToUndefined, z.string().regex(/^[A-Za-z0-9_-]{1,256}$/, { message: 'must be 1-256 characters A-Z a-z 0-9 _ -' }).optional()),
    TELEGRAM_WEBHOOK_HOST: str('0.0.0.0'),
    TELEGRAM_STREAM: enumOf(['auto', 'draft', 'edit', 'off'], 'auto'),
    TELEGRAM_EDIT_INTERVAL_DM_MS: int(1_000, 100, 60_000),
    TELEGRAM_EDIT_INTERVAL_GROUP_MS: int(3_000, 100, 60_000),
    TELEGRAM_DRAFT_INTERVAL_MS: int(300, 50, 60_000),
  })
  .transform((e): TelegramConfig | undefined =>
    e.TELEGRAM_BOT_TOKEN
      ? {
          token: e.TELEGRAM_BOT_TOKEN,
          apiRoot: e.TELEGRAM_API_ROOT,
          allowedUsers: e.TELEGRAM_ALLOWED_USERS,
          allowedChats: e.TELEGRAM_ALLOWED_CHATS,
          webhookUrl: e.TELEGRAM_WEBHOOK_URL,
          webhookPort: e.TELEGRAM_WEBHOOK_PORT,
          webhookSecret: e.TELEGRAM_WEBHOOK_SECRET,
          webhookHost: e.TELEGRAM_WEBHOOK_HOST,
          stream: e.TELEGRAM_STREAM,
          editIntervalDmMs: e.TELEGRAM_EDIT_INTERVAL_DM_MS,
          editIntervalGroupMs: e.TELEGRAM_EDIT_INTERVAL_GROUP_MS,
          draftIntervalMs: e.TELEGRAM_DRAFT_INTERVAL_MS,
        }
      : undefined,
  );

// The webhook secret too: whoever knows it can post updates as if they came from Telegram.
export const telegramConfig: PlatformConfigSection<'telegram'> = { key: 'telegram', schema: telegramConfigSchema, secrets: ['token', 'webhookSecret'] };
