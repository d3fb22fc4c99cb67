// Reasoning models end to end: the real telegraf (inside the adapter) against the fake Bot API,
// the real core and client against the fake upstream streaming a model that thinks first.
// The chat sees a "thinking…" status that the answer replaces (or, with REASONING=show, a
// collapsed excerpt above the answer); the thinking never reaches the answer or the history.
import { describe, expect, it } from 'vitest';
import { t } from '../../src/conversation/messages.js';
import type { FakeUpstream } from '../fakes/upstream/server.js';
import { useStack } from '../helpers/stack.js';
import { startTelegram, type TelegramHarness } from './harness.js';

const THOUGHT = 'The user says hello; a short friendly greeting will do.';
const ANSWER = 'Hello! How can I help you today?';
const NEXT_ANSWER = 'Still here.';
const THINKING = t('en', 'thinking');

type Stack = TelegramHarness;

const startStack = (extra: Record<string, string>) =>
  startTelegram({
    upstream: { reply: ANSWER, chunkDelayMs: 10 },
    telegram: { secondMs: 20 },
    env: { TELEGRAM_EDIT_INTERVAL_DM_MS: '100', ...extra },
    adapter: { retryAfterUnitMs: 20, draftIntervalMs: 20 },
    core: { shutdownGraceMs: 500 },
  });

/** The messages of the last chat/completions request, as the provider received them. */
function lastRequestMessages(upstream: FakeUpstream): { role: string; content: unknown }[] {
  const chats = upstream.requests.filter((r) => r.route === 'chat/completions');
  return (chats.at(-1)!.body as { messages: { role: string; content: unknown }[] }).messages;
}

/**
 * Asks once more (the model answers NEXT_ANSWER without thinking) and waits for it: the first
 * reply has fully ended by then, and the request shows what history the first one left.
 */
async function askAgain(s: Stack, chatId: number): Promise<void> {
  s.upstream.setReasoning(undefined);
  s.upstream.setReply(NEXT_ANSWER);
  s.tg.sendUserMessage({ chatId, text: 'are you there?' });
  await s.tg.waitFor(() => s.tg.messagesIn(chatId).some((m) => m.text === NEXT_ANSWER));
}

function expectNoThoughtInHistory(s: Stack): void {
  const messages = lastRequestMessages(s.upstream);
  expect(messages.filter((m) => m.role === 'assistant').map((m) => m.content)).toEqual([ANSWER]);
  expect(JSON.stringify(messages)).not.toContain('friendly greeting');
  expect(JSON.stringify(messages)).not.toContain('think');
}

describe('REASONING=status (default), Telegram drafts', () => {
  const s = useStack(() => startStack({}));

  it('shows "thinking…" while the model reasons, the answer replaces it, history holds no reasoning', async () => {
    const chatId = 2001;
    s.upstream.setReasoning({ text: THOUGHT, shape: 'reasoning_content' });
    s.tg.sendUserMessage({ chatId, text: 'hello' });
    await s.tg.waitFor(() => s.tg.drafts.some((d) => d.chatId === chatId && d.text === THINKING));
    await s.tg.waitFor(() => s.tg.messagesIn(chatId).some((m) => m.text === ANSWER));
    await askAgain(s, chatId);

    // One message for the first reply: the answer took the status draft's place.
    expect(s.tg.messagesIn(chatId).map((m) => m.text)).toEqual([ANSWER, NEXT_ANSWER]);
    const drafts = s.tg.drafts.filter((d) => d.chatId === chatId && !NEXT_ANSWER.startsWith(d.text));
    expect(drafts[0]!.text).toBe(THINKING);
    expect(new Set(drafts.map((d) => d.draftId)).size).toBe(1);
    expect(drafts.slice(1).every((d) => ANSWER.startsWith(d.text))).toBe(true);
    expectNoThoughtInHistory(s);
  });

  it('a <think> block in the content is handled the same way', async () => {
    const chatId = 2002;
    s.upstream.setReply(ANSWER);
    s.upstream.setReasoning({ text: THOUGHT, shape: 'think' });
    s.tg.sendUserMessage({ chatId, text: 'hello' });
    await s.tg.waitFor(() => s.tg.drafts.some((d) => d.chatId === chatId && d.text === THINKING));
    await s.tg.waitFor(() => s.tg.messagesIn(chatId).some((m) => m.text === ANSWER));
    await askAgain(s, chatId);
    expect(s.tg.messagesIn(chatId).map((m) => m.text)).toEqual([ANSWER, NEXT_ANSWER]);
    expect(s.tg.drafts.filter((d) => d.chatId === chatId).every((d) => !d.text.includes('think') && !d.text.includes('greeting'))).toBe(true);
    expectNoThoughtInHistory(s);
  });
});

describe('REASONING=show, Telegram edits', () => {
  const s = useStack(() => startStack({ REASONING: 'show', TELEGRAM_STREAM: 'edit' }));

  it('the status becomes an expandable quote with the excerpt; the answer follows below it', async () => {
    const chatId = 2003;
    s.upstream.setReasoning({ text: THOUGHT, shape: 'reasoning' });
    s.tg.sendUserMessage({ chatId, text: 'hello' });
    await s.tg.waitFor(() => s.tg.messagesIn(chatId).some((m) => m.text === ANSWER));
    await askAgain(s, chatId);

    const [excerpt, answer, next] = s.tg.messagesIn(chatId);
    expect([answer?.text, next?.text]).toEqual([ANSWER, NEXT_ANSWER]);
    // First sent as the status, then edited into the excerpt.
    const firstSend = s.tg.callsOf('sendMessage').find((c) => c.payload.chat_id === chatId);
    expect(firstSend?.payload.text).toBe(THINKING);
    expect(excerpt!.text).toBe(`💭 ${t('en', 'reasoning_label')}\n${THOUGHT}`);
    expect(excerpt!.entities).toEqual([expect.objectContaining({ type: 'expandable_blockquote', offset: 0 })]);
    expectNoThoughtInHistory(s);
  });
});
