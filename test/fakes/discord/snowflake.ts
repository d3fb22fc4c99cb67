// Discord ids are snowflakes: (ms since 2015-01-01) << 22 | worker/process/increment.
// discord.js's rate-limit bucket logic reads the timestamp out of ids, so fake ids must be
// real-looking 18–19 digit snowflakes, not "1", "2", "3".
const DISCORD_EPOCH = 1_420_070_400_000n;
const INCREMENT_BITS = 12n;
const INCREMENT_MASK = (1n << INCREMENT_BITS) - 1n;

let increment = 0n;

export function snowflake(at: number = Date.now()): string {
  increment = (increment + 1n) & INCREMENT_MASK;
  return (((BigInt(at) - DISCORD_EPOCH) << 22n) | increment).toString();
}

/** A snowflake (minted now or a few ms earlier) that Discord routes to `shard` of `shardCount`. */
export function snowflakeOnShard(shard: number, shardCount: number, now: number = Date.now()): string {
  const offset = Number((BigInt(now) - DISCORD_EPOCH) % BigInt(shardCount));
  return snowflake(now - ((offset - shard + shardCount) % shardCount));
}

/** Discord's routing formula: (guild_id >> 22) % shardCount; DMs go to shard 0. */
export function shardOf(guildId: string | undefined, shardCount: number): number {
  return guildId === undefined ? 0 : Number((BigInt(guildId) >> 22n) % BigInt(shardCount));
}
