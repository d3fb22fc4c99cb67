// A Lua script run by its SHA (EVALSHA), sent in full only when the server does not know it yet
// (first use, or after a restart or SCRIPT FLUSH): saves resending the body on every call.
import { createHash } from 'node:crypto';
import type { RedisClient } from './redis.js';

/** A fenced write found the slot's lease held by someone else (or expired). */
export class LeaseLostError extends Error {
  constructor(readonly slot: string) {
    super(`lease on ${slot} lost`);
    this.name = 'LeaseLostError';
  }
}

/** What a fenced script checks first: the lease key and the token its writer holds. */
export interface Fence {
  slot: string;
  key: string;
  token: string;
}

const LEASE_LOST = 'LEASE_LOST';

/**
 * The fencing prefix: KEYS[1] is the lease key, ARGV[1] the token. A write by an owner whose
 * lease expired or moved on fails with LEASE_LOST before touching anything, so a paused
 * ex-owner cannot write after someone else took the slot.
 */
export const FENCE_LUA = `if redis.call('GET', KEYS[1]) ~= ARGV[1] then return redis.error_reply('${LEASE_LOST}') end\n`;

export type ScriptArg = string | number;

export class Script {
  readonly sha: string;

  constructor(readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  async run(redis: RedisClient, keys: string[], args: ScriptArg[] = []): Promise<unknown> {
    const options = { keys, arguments: args.map(String) };
    try {
      return await redis.evalSha(this.sha, options);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return redis.eval(this.source, options);
    }
  }
}

/** A script whose body runs only while `fence` is the slot's current lease, or unchecked when
 * there is no fence (a store used without slots). KEYS and ARGV of the body start at index 2:
 * index 1 is the fence's. */
export class FencedScript {
  private readonly fenced: Script;
  private readonly plain: Script;

  constructor(body: string) {
    this.fenced = new Script(FENCE_LUA + body);
    this.plain = new Script(body);
  }

  async run(redis: RedisClient, fence: Fence | undefined, keys: string[], args: ScriptArg[] = []): Promise<unknown> {
    // Unfenced, KEYS[1] is the body's first key again (declared, never touched by the body).
    if (!fence) return this.plain.run(redis, [keys[0] ?? '', ...keys], ['', ...args]);
    try {
      return await this.fenced.run(redis, [fence.key, ...keys], [fence.token, ...args]);
    } catch (err) {
      if (err instanceof Error && err.message.includes(LEASE_LOST)) throw new LeaseLostError(fence.slot);
      throw err;
    }
  }
}
