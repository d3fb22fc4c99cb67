// TELEGRAM_STREAM=off: no drafts and no edits; the answer arrives as finished messages, each
// rendered as HTML, split past 4,096 units.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTelegramAdapter, type TelegramAdapter } from '../../adapters/telegram/index.js';
import { createCore, type Core } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram/server.js';
import { startFakeUpstream, type FakeUpstream } from '../fakes/upstream/server.js';
import { testEnv } from '../helpers/env.js';

describe('TELEGRAM_STREAM=off', () => {
  let tg: FakeTelegram;
  let upstream: FakeUpstream;
  let core: Core;
  let adapter: TelegramAdapter;

  beforeAll(async () => {
    upstream = await startFakeUpstream({ chunkDelayMs: 1 });
    tg = await startFakeTelegram({ pollHoldMs: 300 });
    core = await createCore(
      loadConfig(testEnv(upstream, {
        TELEGRAM_BOT_TOKEN: tg.token,
        TELEGRAM_API_ROOT: tg.apiRoot,
        TELEGRAM_STREAM: 'off',
      })),
      { shutdownGraceMs: 500 },
    );
    adapter = createTelegramAdapter(core);
    await adapter.start();
  });

  afterAll(async () => {
    await core?.manager.shutdown();
    await adapter?.stop();
    await core?.close();
    await tg?.close();
    await upstream?.close();
  });

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
