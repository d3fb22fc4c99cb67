// Refusals ("too fast", "busy", "budget used up", "shutting down") are said once per user per
// window, on every surface: one message for a flood of fifty, and never silence for the first.
import { LRUCache } from 'lru-cache';

/** Default window: the per-user rate limit counts per minute, so its notice does too. */
export const NOTICE_WINDOW_MS = 60_000;
/** Users remembered per notice kind; the oldest are forgotten first (and told again). */
const USERS_REMEMBERED = 10_000;

export interface NoticePolicyOptions {
  windowMs?: number;
  maxUsers?: number;
  /** Clock in ms (tests pass a fake one). */
  now?: () => number;
}

export class NoticePolicy {
  private readonly windowMs: number;
  private readonly now: () => number;
  /** `kind|user` -> when that notice was last said. */
  private readonly saidAt: LRUCache<string, number>;

  constructor(opts: NoticePolicyOptions = {}) {
    this.windowMs = opts.windowMs ?? NOTICE_WINDOW_MS;
    this.now = opts.now ?? Date.now;
    this.saidAt = new LRUCache({ max: opts.maxUsers ?? USERS_REMEMBERED });
  }

  /**
   * True when notice `kind` is due for `user` (first time, or the window since the last one has
   * passed), and records it as said; false while it would repeat within the window.
   */
  shouldSay(kind: string, user: string): boolean {
    const key = `${kind}|${user}`;
    const now = this.now();
    const last = this.saidAt.get(key);
    if (last !== undefined && now - last < this.windowMs) return false;
    this.saidAt.set(key, now);
    return true;
  }
}
