// What a failed Discord call means for the reply session. discord.js's REST queue already waits
// out ordinary rate limits; what still reaches us is mapped to a SurfaceError kind.
import { DiscordAPIError, HTTPError, RateLimitError } from 'discord.js';
import { SurfaceError } from '../../src/types.js';

/** Discord's JSON error codes we act on. */
const UNKNOWN_MESSAGE = 10008;
const UNKNOWN_INTERACTION = 10062;
const INVALID_FORM_BODY = 50035;

export function toSurfaceError(err: unknown): SurfaceError {
  if (err instanceof SurfaceError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof RateLimitError) return new SurfaceError('rate_limited', message, { retryAfterMs: err.retryAfter, cause: err });
  if (err instanceof DiscordAPIError) {
    if (err.status === 429) return new SurfaceError('rate_limited', message, { cause: err });
    if (err.code === UNKNOWN_MESSAGE || err.code === UNKNOWN_INTERACTION) return new SurfaceError('gone', message, { cause: err });
    if (err.code === INVALID_FORM_BODY && /length|2000/i.test(message)) return new SurfaceError('too_long', message, { cause: err });
    return new SurfaceError(err.status >= 500 ? 'transient' : 'refused', message, { cause: err });
  }
  if (err instanceof HTTPError) return new SurfaceError(err.status >= 500 ? 'transient' : 'refused', message, { cause: err });
  const network = err instanceof Error && /ECONNRESET|ECONNREFUSED|ETIMEDOUT|socket hang up|fetch failed/i.test(err.message);
  return new SurfaceError(network ? 'transient' : 'refused', message, { cause: err });
}

/** Runs a Discord call; any failure comes out as a SurfaceError. */
export async function mapped<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw toSurfaceError(err);
  }
}
