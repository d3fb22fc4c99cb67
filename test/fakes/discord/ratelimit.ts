// Discord's per-route, per-channel rate limits as fixed windows, with the headers the real
// API sends (x-ratelimit-*, and retry-after + a JSON body on a 429).
import { createHash } from 'node:crypto';

export interface RateLimitSpec {
  /** Requests per window per bucket (Discord: 5 message writes per 5 s per channel). */
  limit: number;
  windowMs: number;
}

export interface RateLimitVerdict {
  allowed: boolean;
  headers: Record<string, string>;
  /** Seconds until the window resets (the 429 body's retry_after). */
  retryAfter: number;
}

interface Window {
  startedAt: number;
  used: number;
}

export class RateLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly spec: RateLimitSpec) {}

  /** Counts one request against `route` + `majorId` (the channel) and says whether it may pass. */
  take(route: string, majorId: string, now = Date.now()): RateLimitVerdict {
    const key = `${route}:${majorId}`;
    let window = this.windows.get(key);
    if (!window || now - window.startedAt >= this.spec.windowMs) {
      window = { startedAt: now, used: 0 };
      this.windows.set(key, window);
    }
    const resetAfterMs = Math.max(0, window.startedAt + this.spec.windowMs - now);
    const allowed = window.used < this.spec.limit;
    if (allowed) window.used++;
    const remaining = Math.max(0, this.spec.limit - window.used);
    const headers: Record<string, string> = {
      'x-ratelimit-limit': String(this.spec.limit),
      'x-ratelimit-remaining': String(remaining),
      'x-ratelimit-reset': ((now + resetAfterMs) / 1000).toFixed(3),
      'x-ratelimit-reset-after': (resetAfterMs / 1000).toFixed(3),
      // Discord's bucket ids are opaque hashes shared by routes with the same limit.
      'x-ratelimit-bucket': createHash('sha1').update(route).digest('hex').slice(0, 32),
    };
    if (!allowed) {
      // The header carries whole seconds; the body the exact float.
      headers['retry-after'] = String(Math.max(1, Math.ceil(resetAfterMs / 1000)));
      headers['x-ratelimit-scope'] = 'user';
    }
    return { allowed, headers, retryAfter: resetAfterMs / 1000 };
  }
}
