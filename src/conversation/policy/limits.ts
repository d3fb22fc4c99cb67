// The per-user limits on provider calls: requests per minute, then the daily token budget.
import type { HistoryStore } from '../../store/types.js';
import type { Incoming } from '../../types.js';
import { budgetKey } from '../budget.js';
import type { MessageId } from '../messages.js';

const MINUTE_MS = 60_000;

export interface Refusal {
  id: MessageId;
  params?: Record<string, number>;
}

export class Limits {
  constructor(
    private readonly store: HistoryStore,
    private readonly settings: { rateLimitPerMinute: number; dailyTokenBudget: number },
  ) {}

  /** Counts this call against the user's minute; the refusal to say when over a limit. */
  async check(msg: Incoming): Promise<Refusal | undefined> {
    const { rateLimitPerMinute, dailyTokenBudget } = this.settings;
    if (rateLimitPerMinute > 0) {
      const minute = Math.floor(Date.now() / MINUTE_MS);
      const n = await this.store.increment(`rate:${msg.platform}:${msg.user.id}:${minute}`, 1, MINUTE_MS);
      if (n > rateLimitPerMinute) return { id: 'rate_limited' };
    }
    if (dailyTokenBudget > 0 && (await this.store.counter(budgetKey(msg))) >= dailyTokenBudget) {
      return { id: 'budget_exhausted', params: { budget: dailyTokenBudget } };
    }
    return undefined;
  }
}
