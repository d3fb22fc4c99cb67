// Drafts (sendMessageDraft): their cadence and stream modes, and the adapter-wide memory of whether
// this Bot API server takes them: an older server does not know the method at all; repeated
// failures switch drafts off for a while.
import type { CadenceLimits } from '../../src/types.js';
import { isUnknownMethod } from './errors.js';

/**
 * Early frames (src/relay/cadence.ts), drafts only: they do not count against the chat's message
 * limits, so the second frame may follow the first by one round trip, and the final message
 * (which replaces the preview) needs no wait after the last draft. Edits count as messages
 * (~1/s per chat, 20/min in groups): the steady interval already spends that budget.
 */
export const DRAFT_CADENCE: CadenceLimits = { burst: 1, minGapMs: 50, finalGapMs: 0 };

export type StreamMode = 'draft' | 'edit' | 'off';

/** Consecutive draft failures (other than "unknown method") before the adapter stops drafting for a while. */
export const DRAFT_MAX_FAILURES = 3;
/** After drafts failed repeatedly, try them again after this long. */
const DRAFT_COOLDOWN_MS = 10 * 60_000;

export class DraftSupport {
  private consecutiveFailures = 0;
  private disabledUntil = 0;
  private unsupported = false;

  get available(): boolean {
    return !this.unsupported && Date.now() >= this.disabledUntil;
  }

  succeeded(): void {
    this.consecutiveFailures = 0;
  }

  /** Returns true when this failure switched drafts off. */
  failed(err: unknown): boolean {
    if (isUnknownMethod(err)) {
      this.unsupported = true;
      return true;
    }
    this.consecutiveFailures += 1;
    if (this.consecutiveFailures < DRAFT_MAX_FAILURES) return false;
    this.consecutiveFailures = 0;
    this.disabledUntil = Date.now() + DRAFT_COOLDOWN_MS;
    return true;
  }
}
