// Discord's settings; the surface starts when DISCORD_TOKEN is set.
import { z } from 'zod';
import { bool, enumOf, int, list, optStr, optUrl } from '../../src/config/fields.js';
import type { PlatformConfigSection } from '../../src/config/index.js';

export interface DiscordConfig {
  token: string;
  apiUrl?: string;
  guildId?: string;
  allowedGuilds: string[];
  allowedChannels: string[];
  allowedUsers: string[];
  listenChannels: string[];
  editIntervalMs: number;
  pingAuthor: boolean;
  /** Where a message's history comes from: the channel's, or the reply chain it answers. */
  context: 'channel' | 'chain';
}

declare module '../../src/config/index.js' {
  interface PlatformConfigs {
    discord?: DiscordConfig;
  }
}

export const discordConfigSchema = z
  .object({
    DISCORD_TOKEN: optStr(),
    DISCORD_API_URL: optUrl(),
    DISCORD_GUILD_ID: optStr(),
    DISCORD_ALLOWED_GUILDS: list(),
    DISCORD_ALLOWED_CHANNELS: list(),
    DISCORD_ALLOWED_USERS: list(),
    DISCORD_LISTEN_CHANNELS: list(),
    DISCORD_EDIT_INTERVAL_MS: int(1_200, 200, 60_000),
    DISCORD_PING_AUTHOR: bool(false),
    DISCORD_CONTEXT: enumOf(['channel', 'chain'], 'channel'),
  })
  .transform((e): DiscordConfig | undefined =>
    e.DISCORD_TOKEN
      ? {
          token: e.DISCORD_TOKEN,
          apiUrl: e.DISCORD_API_URL,
          guildId: e.DISCORD_GUILD_ID,
          allowedGuilds: e.DISCORD_ALLOWED_GUILDS,
          allowedChannels: e.DISCORD_ALLOWED_CHANNELS,
          allowedUsers: e.DISCORD_ALLOWED_USERS,
          listenChannels: e.DISCORD_LISTEN_CHANNELS,
          editIntervalMs: e.DISCORD_EDIT_INTERVAL_MS,
          pingAuthor: e.DISCORD_PING_AUTHOR,
          context: e.DISCORD_CONTEXT,
        }
      : undefined,
  );

export const discordConfig: PlatformConfigSection<'discord'> = { key: 'discord', schema: discordConfigSchema, secrets: ['token'] };
