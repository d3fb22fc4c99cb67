// The ways Discord can shut the bot out for good (discord.js does not reconnect after these
// gateway close codes, nor after a token the REST API rejects). Each becomes one line for the
// operator saying what to fix, since nothing in the running process can.
import { DiscordjsErrorCodes, GatewayCloseCodes } from 'discord.js';

const PORTAL = 'the Discord Developer Portal (your application → Bot)';
const TOKEN_LINE = `Discord rejected DISCORD_TOKEN: copy a fresh one from ${PORTAL}, Reset Token, into DISCORD_TOKEN.`;

const LINES: Partial<Record<number, string>> = {
  [GatewayCloseCodes.AuthenticationFailed]: TOKEN_LINE,
  [GatewayCloseCodes.DisallowedIntents]: `Discord refused the bot's intents (close 4014): turn on Message Content Intent in ${PORTAL}, Privileged Gateway Intents.`,
  [GatewayCloseCodes.InvalidIntents]: 'Discord refused the bot\'s intents as invalid (close 4013): update parley.',
  [GatewayCloseCodes.InvalidAPIVersion]: 'Discord no longer accepts this gateway version (close 4012): update parley.',
  [GatewayCloseCodes.InvalidShard]: 'Discord refused the shard settings (close 4010): parley runs one shard; check DISCORD_API_URL.',
  [GatewayCloseCodes.ShardingRequired]: 'The bot is in too many servers for one gateway connection (close 4011); parley does not shard.',
};

/** The line for a gateway close discord.js will not recover from. */
export function fatalCloseLine(code: number): string {
  return LINES[code] ?? `Discord closed the gateway for good (close ${code}); the bot is offline.`;
}

/** One line for a failed login: the close that caused it, a rejected token, or the error itself. */
export function loginFailureLine(err: unknown, closeLine: string | undefined): string {
  if (closeLine) return closeLine;
  if (err instanceof Error && 'code' in err && err.code === DiscordjsErrorCodes.TokenInvalid) return TOKEN_LINE;
  return `Discord: could not connect (${err instanceof Error ? err.message : String(err)}).`;
}
