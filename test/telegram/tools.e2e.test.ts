// Tools end to end on Telegram: the real telegraf (inside the adapter) against the fake Bot API,
// the fake upstream streaming tool_calls split across chunks, and a real MCP server over stdio.
// The chat sees "🔧 Using add, echo…" (a draft in private chats, a message edited into the
// answer in edit mode), then the answer in its place.
import { describe, expect, it } from 'vitest';
import { t } from '../../src/conversation/messages.js';
import { useStack } from '../helpers/stack.js';
import { addThenAnswer, answerFromResults, testServersFile, TOOL_ANSWER } from '../helpers/tools.js';
import { startTelegram, type TelegramHarness } from './harness.js';

const STATUS = t('en', 'tool_status', { tool: 'add, echo' });

async function startStack(extra: Record<string, string>): Promise<TelegramHarness> {
  const s = await startTelegram({
    upstream: { reply: answerFromResults, chunkDelayMs: 10 },
    telegram: { secondMs: 20 },
    env: { TELEGRAM_EDIT_INTERVAL_DM_MS: '100', MCP_SERVERS: testServersFile(), ...extra },
    adapter: { retryAfterUnitMs: 20, draftIntervalMs: 20 },
    core: { shutdownGraceMs: 500 },
  });
  // Set before any message is sent; the planner only shapes chat replies.
  s.upstream.setToolPlanner(addThenAnswer);
  return s;
}

describe('tools on Telegram, drafts (private chat)', () => {
  const s = useStack(() => startStack({}), 30_000);

  it('the status draft shows the tools, the answer takes its place, history keeps the results', async () => {
    const chatId = 3001;
    s.tg.sendUserMessage({ chatId, text: 'what is 2+40?' });
    await s.tg.waitFor(() => s.tg.drafts.some((d) => d.chatId === chatId && d.text === STATUS));
    await s.tg.waitFor(() => s.tg.messagesIn(chatId).some((m) => m.text === TOOL_ANSWER));
    expect(s.tg.messagesIn(chatId).map((m) => m.text)).toEqual([TOOL_ANSWER]);
    const drafts = s.tg.drafts.filter((d) => d.chatId === chatId);
    expect(drafts[0]!.text).toBe(STATUS);
    expect(new Set(drafts.map((d) => d.draftId)).size).toBe(1);

    // A follow-up sees the earlier calls and results.
    s.upstream.setToolPlanner(undefined);
    s.upstream.setReply('84.');
    s.tg.sendUserMessage({ chatId, text: 'and doubled?' });
    await s.tg.waitFor(() => s.tg.messagesIn(chatId).some((m) => m.text === '84.'));
    const last = s.upstream.requests.filter((r) => r.route === 'chat/completions').at(-1)!.body as { messages: Array<{ role: string; content: unknown }> };
    expect(last.messages.filter((m) => m.role === 'tool').map((m) => m.content)).toEqual(['42', 'héllo']);
  }, 30_000);
});

describe('tools on Telegram, edit mode', () => {
  const s = useStack(() => startStack({ TELEGRAM_STREAM: 'edit' }), 30_000);

  it('the status message is edited into the answer', async () => {
    const chatId = 3002;
    s.tg.sendUserMessage({ chatId, text: 'what is 2+40?' });
    await s.tg.waitFor(() => s.tg.messagesIn(chatId).some((m) => m.text === TOOL_ANSWER));
    expect(s.tg.messagesIn(chatId).map((m) => m.text)).toEqual([TOOL_ANSWER]);
    const firstSend = s.tg.callsOf('sendMessage').find((c) => c.payload.chat_id === chatId);
    expect(firstSend?.payload.text).toBe(STATUS);
  }, 30_000);
});
