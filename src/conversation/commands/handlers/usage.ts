// `usage`: tokens the user spent today, against the budget, and this channel's history size.
import { budgetKey } from '../../budget.js';
import type { Handler } from '../context.js';

export const usage: Handler<'usage'> = async ({ msg, surface }, services) => {
  const { store, speaker } = services;
  const budget = services.settings.limits.dailyTokenBudget;
  await speaker.say(surface, 'usage', {
    tokens: await store.counter(budgetKey(msg)),
    budget: budget > 0 ? speaker.line('usage_budget', { budget }) : '',
    messages: (await store.load(msg.channel)).length,
    model: await services.currentModel(msg.channel),
  });
};
