// The discord.js client as parley needs it: the four intents, DM partials, the REST base
// override (proxies, tests) and mention-safe defaults on everything it sends.
import { Client, GatewayIntentBits, Partials, type ClientOptions } from 'discord.js';
import type { Config } from '../../src/config/index.js';
import { safeMentions } from './surface.js';

export type DiscordSettings = NonNullable<Config['discord']>;

/** Guild messages and their text (privileged: enable "Message Content Intent"), DMs. */
export const INTENTS = [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent, GatewayIntentBits.DirectMessages];

export function createDiscordClient(settings: DiscordSettings, overrides: Partial<ClientOptions> = {}): Client {
  return new Client({
    intents: INTENTS,
    // DM channels are not cached before their first message arrives.
    partials: [Partials.Channel],
    // Also set per call; this catches anything sent without explicit options.
    allowedMentions: safeMentions(settings.pingAuthor),
    // The gateway URL then comes from that server's GET /gateway/bot.
    ...(settings.apiUrl ? { rest: { api: settings.apiUrl, version: '10' } } : {}),
    ...overrides,
  });
}
