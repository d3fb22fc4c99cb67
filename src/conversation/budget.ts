// The daily token budget: which counter a user's spending goes to, and what a reply costs.
import type { ChatMessage } from '../llm/types.js';
import type { Incoming } from '../types.js';
import { estimateMessageTokens, estimateTokens } from './history.js';

/**
 * What a reply costs the user's budget: what the provider reports; without a report, an
 * estimate only when output actually arrived (the prompt was then processed too). A request
 * that failed before any output (401, 400, a dropped connection) costs nothing.
 */
export function chargedTokens(reported: number | undefined, prompt: ChatMessage[], received: string): number {
  if (reported !== undefined) return reported;
  if (!received) return 0;
  return prompt.reduce((n, m) => n + estimateMessageTokens(m), 0) + estimateTokens(received);
}

export function budgetKey(msg: Incoming): string {
  const day = new Date().toISOString().slice(0, 10);
  return `tokens:${msg.platform}:${msg.user.id}:${day}`;
}

