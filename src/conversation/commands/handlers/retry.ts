// `retry`: drops the last answer (and the tool turns before it) and answers its question again.
import type { ChatMessage } from '../../../llm/types.js';
import { reply } from '../../reply.js';
import type { Handler } from '../context.js';

export const retry: Handler<'retry'> = async (ctx, services) => {
  const { store, speaker } = services;
  const history = await store.load(ctx.msg.channel);
  let dropped = 0;
  while (history.length > 0 && history.at(-1)!.role !== 'user') {
    history.pop();
    dropped++;
  }
  if (dropped > 0) await store.dropLast(ctx.msg.channel, dropped);
  const question = history.pop();
  if (!question || question.role !== 'user') return speaker.say(ctx.surface, 'nothing_to_retry');
  const next: ChatMessage = question.name
    ? { role: 'user', content: question.content, name: question.name }
    : { role: 'user', content: question.content };
  await reply(ctx, services, history, next);
};
