// Telegram inline keyboards end to end (issue 13): the real telegraf inside the adapter against
// the fake Bot API, the real core against the fake upstream. The regenerate button under a
// private answer, the /persona and /model pickers, and button presses that are not welcome:
// someone else's, an older answer's, an unknown one. Each case uses its own chat id.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BotMessage, FakeTelegram } from '../fakes/telegram/server.js';
import type { FakeUpstream } from '../fakes/upstream/server.js';
import { writePersonas } from '../helpers/personas.js';
import { startTelegram, type TelegramHarness } from './harness.js';

const ALICE = 501;
const BOB = 502;
const GROUP = -100777;

let h: TelegramHarness;
let tg: FakeTelegram;
let upstream: FakeUpstream;
let nextChat = 7000;

beforeAll(async () => {
  h = await startTelegram({
    upstream: { chunkDelayMs: 1 },
    telegram: { secondMs: 20 },
    env: {
      TELEGRAM_EDIT_INTERVAL_DM_MS: '100',
      TELEGRAM_EDIT_INTERVAL_GROUP_MS: '100',
      PERSONAS: writePersonas(),
      ADMINS: `telegram:${ALICE}`,
      CHAT_MODEL: 'gpt-4o',
    },
    adapter: { retryAfterUnitMs: 20, draftIntervalMs: 20 },
    core: { shutdownGraceMs: 500 },
  });
  ({ tg, upstream } = h);
});
afterEach(() => upstream.reset());
afterAll(() => h?.close());

const chatRequests = () => upstream.requests.filter((r) => r.route === 'chat/completions');
const lastChatBody = () => chatRequests().at(-1)!.body as { model: string; messages: { role: string; content: unknown }[] };
/** The bot's message in `chatId` whose text is `text`, once it is there (and has its keyboard, if `withButtons`). */
async function messageWith(chatId: number, text: string, withButtons = false): Promise<BotMessage> {
  let found: BotMessage | undefined;
  await tg.waitFor(() => {
    found = tg.messagesIn(chatId).find((m) => m.text.includes(text) && (!withButtons || tg.buttonsOf(m).length > 0));
    return found !== undefined;
  });
  return found!;
}
const press = (chatId: number, msg: BotMessage, label: string, from = chatId > 0 ? chatId : ALICE) => {
  const button = tg.buttonsOf(msg).find((b) => b.text === label);
  expect(button, `button "${label}"`).toBeDefined();
  return tg.sendCallbackQuery({ chatId, messageId: msg.message_id, data: button!.callback_data!, from: { id: from } });
};
const answered = async (query: { id: string }) => {
  await tg.waitFor(() => tg.callbackQueries.find((q) => q.id === query.id)?.answer !== undefined);
  return tg.callbackQueries.find((q) => q.id === query.id)!.answer!;
};

describe('Telegram buttons e2e', () => {
  it('the menu offers /persona', () => {
    expect(tg.commands.map((c) => c.command)).toContain('persona');
  });

  it('a private answer gets a regenerate button; pressing it answers the press before the model is asked, then regenerates', async () => {
    const chatId = ++nextChat;
    tg.sendUserMessage({ chatId, text: 'tell me a joke' });
    const first = await messageWith(chatId, 'You said: tell me a joke', true);
    expect(tg.buttonsOf(first).map((b) => b.text)).toEqual(['🔄 Regenerate']);
    expect(tg.buttonsOf(first)[0]!.callback_data!.length).toBeLessThanOrEqual(64);

    upstream.holdRequests();
    const asked = chatRequests().length;
    const query = press(chatId, first, '🔄 Regenerate');
    await answered(query);
    // The press was answered while the model request is held (or not yet made): no slow work first.
    await upstream.waitForRequests(() => chatRequests().length > asked);
    expect(upstream.heldCount).toBe(1);
    upstream.releaseAll();

    await tg.waitFor(() => tg.messagesIn(chatId).filter((m) => m.text === 'You said: tell me a joke').length === 2);
    const [old, regenerated] = tg.messagesIn(chatId).filter((m) => m.text === 'You said: tell me a joke');
    await tg.waitFor(() => tg.buttonsOf(regenerated!).length === 1);
    expect(tg.buttonsOf(old!)).toEqual([]);
    // The same question was asked again, not a new "/retry" turn.
    expect(lastChatBody().messages.filter((m) => m.role === 'user').map((m) => m.content)).toEqual(['tell me a joke']);
  });

  it('an older answer\'s button, an unknown button and someone else\'s press fail gracefully', async () => {
    const chatId = ++nextChat;
    tg.sendUserMessage({ chatId, text: 'first' });
    const first = await messageWith(chatId, 'You said: first', true);
    const staleData = tg.buttonsOf(first)[0]!.callback_data!;
    tg.sendUserMessage({ chatId, text: 'second' });
    await messageWith(chatId, 'You said: second', true);
    const asked = chatRequests().length;

    const stale = tg.sendCallbackQuery({ chatId, messageId: first.message_id, data: staleData });
    expect((await answered(stale)).text).toBe('This button has expired.');
    await tg.waitFor(() => tg.buttonsOf(first).length === 0);

    const unknown = tg.sendCallbackQuery({ chatId, messageId: first.message_id, data: 'x:from-an-old-version' });
    expect((await answered(unknown)).text).toBe('This button has expired.');
    expect(chatRequests().length).toBe(asked);
  });

  it('group answers get no regenerate button; the /persona picker is only for the person who asked', async () => {
    tg.sendUserMessage({ chatId: GROUP, from: { id: ALICE }, text: '@parley_bot hello group' });
    const answer = await messageWith(GROUP, 'You said: hello group');
    tg.sendUserMessage({ chatId: GROUP, from: { id: ALICE }, text: '/persona' });
    const picker = await messageWith(GROUP, 'No persona chosen', true);
    expect(tg.buttonsOf(answer)).toEqual([]);
    expect(tg.buttonsOf(picker).map((b) => b.text)).toEqual(['pirate', 'tutor', 'Default']);
    expect(picker.text).toContain('pirate: Talks like a pirate');

    const bobs = press(GROUP, picker, 'tutor', BOB);
    expect(await answered(bobs)).toMatchObject({ text: 'Only the person who asked can use this button.', showAlert: true });

    const alices = press(GROUP, picker, 'pirate', ALICE);
    expect((await answered(alices)).showAlert).toBeUndefined();
    await messageWith(GROUP, 'Persona for this channel set to pirate.');
    await messageWith(GROUP, 'Ahoy, matey!');
    await tg.waitFor(() => tg.buttonsOf(picker).length === 0);

    tg.sendUserMessage({ chatId: GROUP, from: { id: ALICE }, text: '@parley_bot who are you?' });
    await messageWith(GROUP, 'You said: who are you?');
    expect(lastChatBody().messages[0]).toEqual({ role: 'system', content: 'You are a pirate. Answer in pirate speak.' });
  });

  // ADMINS is set, so only Alice may change settings, in her private chat (its id is hers).
  it('/model without a name shows a keyboard of chat models; a press sets the model', async () => {
    const chatId = ALICE;
    tg.sendUserMessage({ chatId, text: '/model' });
    const picker = await messageWith(chatId, 'Current model: gpt-4o', true);
    const labels = tg.buttonsOf(picker).map((b) => b.text);
    expect(labels).toEqual(expect.arrayContaining(['gpt-4o', 'gpt-4o-mini', 'Default']));
    expect(labels).not.toContain('whisper-1');
    expect(labels).not.toContain('dall-e-3');

    await answered(press(chatId, picker, 'gpt-4o-mini'));
    await messageWith(chatId, 'Model for this channel set to gpt-4o-mini.');
    tg.sendUserMessage({ chatId, text: 'hi' });
    await messageWith(chatId, 'You said: hi');
    expect(lastChatBody().model).toBe('gpt-4o-mini');
  });

  it('/persona with a name still works as text, for an admin only', async () => {
    const stranger = ++nextChat;
    tg.sendUserMessage({ chatId: stranger, text: '/persona tutor' });
    await messageWith(stranger, 'only an admin');
    tg.sendUserMessage({ chatId: ALICE, text: '/persona tutor' });
    await messageWith(ALICE, 'Persona for this channel set to tutor.');
  });
});
