// TELEGRAM_STREAM=off: no drafts and no edits; the answer arrives as finished messages, each
// rendered as HTML, split past 4,096 units.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeTelegram } from '../fakes/telegram/server.js';
import type { FakeUpstream } from '../fakes/upstream/server.js';
import { startTelegram, type TelegramHarness } from './harness.js';

describe('TELEGRAM_STREAM=off', () => {
  let h: TelegramHarness;
  let tg: FakeTelegram;
  let upstream: FakeUpstream;

  beforeAll(async () => {
    h = await startTelegram({ upstream: { chunkDelayMs: 1 }, env: { TELEGRAM_STREAM: 'off' }, core: { shutdownGraceMs: 500 } });
    ({ tg, upstream } = h);
  });
  afterAll(() => h?.close());

  it('sends each finished message once, as HTML, without drafts or edits', async () => {
    const answer = `Here is **bold** text.\n\n${'word '.repeat(1000)}\n\nThe end.`;
    upstream.setReply(answer);
    tg.sendUserMessage({ chatId: 77, text: 'long please' });
    await tg.waitFor(() => tg.messagesIn(77).some((m) => m.text.endsWith('The end.')));
    // One more message, answered only after this reply ended (the chat's replies run in order):
    // whatever the answer could still send or edit has been by the time it arrives.
    upstream.setReply('Settled.');
    tg.sendUserMessage({ chatId: 77, text: 'anything else?' });
    await tg.waitFor(() => tg.messagesIn(77).at(-1)?.text === 'Settled.');
    expect(tg.callsOf('sendMessageDraft')).toHaveLength(0);
    expect(tg.callsOf('editMessageText')).toHaveLength(0);
    const messages = tg.messagesIn(77).slice(0, -1);
    expect(messages.length).toBe(2);
    for (const m of messages) expect(m.text.length).toBeLessThanOrEqual(4096);
    expect(messages[0]!.html).toContain('<b>bold</b>');
    expect(messages.map((m) => m.text).join(' ').replace(/\s+/g, ' ')).toBe(answer.replace(/\*\*/g, '').replace(/\s+/g, ' ').trim());
  });
});
