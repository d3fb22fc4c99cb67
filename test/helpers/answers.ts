// Scripted model answers more than one platform's e2e suite uses.
import type { ChatBody } from '../fakes/upstream/server.js';

/** Answers "re: <the user's text>", so each answer names its question. */
export function answerNaming(body: ChatBody): string {
  const content = body.messages?.filter((m) => m.role === 'user').at(-1)?.content;
  const text = typeof content === 'string' ? content : (content as Array<{ type: string; text?: string }>).find((p) => p.type === 'text')?.text;
  return `re: ${text ?? ''}`;
}
