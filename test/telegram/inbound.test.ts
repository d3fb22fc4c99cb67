import { describe, expect, it } from 'vitest';
import { classify, type TgMessage } from '../../adapters/telegram/inbound.js';

const bot = { id: 1000, username: 'parley_bot' };
const open = { users: [], chats: [] };
const alice = { id: 7, is_bot: false, first_name: 'Alice', username: 'alice' };

function msg(over: Partial<TgMessage>): TgMessage {
  return { message_id: 10, chat: { id: -500, type: 'supergroup' }, from: alice, text: 'hello', ...over };
}

describe('classify', () => {
  it('answers every DM', () => {
    const r = classify(msg({ chat: { id: 7, type: 'private' } }), bot, open);
    expect(r).toMatchObject({ action: 'answer', channel: 'telegram:7', isDirect: true, text: 'hello' });
  });

  it('ignores a group message that does not address the bot', () => {
    expect(classify(msg({}), bot, open)).toMatchObject({ action: 'ignore', reason: 'not addressed' });
  });

  it('answers a mention and strips it from the text', () => {
    const text = '@parley_bot what is 2+2?';
    const r = classify(msg({ text, entities: [{ type: 'mention', offset: 0, length: 11 }] }), bot, open);
    expect(r).toMatchObject({ action: 'answer', mentionsBot: true, text: 'what is 2+2?', isDirect: false });
  });

  it('does not count a mention of someone else', () => {
    const r = classify(msg({ text: '@bob hi', entities: [{ type: 'mention', offset: 0, length: 4 }] }), bot, open);
    expect(r.action).toBe('ignore');
  });

  it('answers a reply to the bot, but not the implicit reply to a forum topic root', () => {
    const reply = classify(msg({ reply_to_message: { message_id: 3, from: { id: 1000 } } }), bot, open);
    expect(reply).toMatchObject({ action: 'answer', replyToBot: true });
    const inTopic = classify(
      msg({ message_thread_id: 3, is_topic_message: true, reply_to_message: { message_id: 3, from: { id: 1000 }, forum_topic_created: {} } }),
      bot,
      open,
    );
    expect(inTopic.action).toBe('ignore');
  });

  it('keeps forum topics as separate conversations', () => {
    const r = classify(
      msg({ message_thread_id: 42, is_topic_message: true, text: '/help', entities: [{ type: 'bot_command', offset: 0, length: 5 }] }),
      bot,
      open,
    );
    expect(r).toMatchObject({ action: 'answer', channel: 'telegram:-500:42', threadId: 42 });
  });

  it('takes commands for us and ignores commands for other bots', () => {
    const ours = classify(msg({ text: '/image@parley_bot a cat', entities: [{ type: 'bot_command', offset: 0, length: 17 }] }), bot, open);
    expect(ours).toMatchObject({ action: 'answer', text: '/image a cat' });
    const theirs = classify(msg({ text: '/image@other_bot a cat', entities: [{ type: 'bot_command', offset: 0, length: 16 }] }), bot, open);
    expect(theirs.action).toBe('ignore');
  });

  it('refuses users off the allowlist in DMs and stays silent in groups', () => {
    const lists = { users: ['@someone', '99'], chats: [] };
    expect(classify(msg({ chat: { id: 7, type: 'private' } }), bot, lists)).toEqual({ action: 'refuse', userId: '7' });
    const group = classify(msg({ text: '@parley_bot hi', entities: [{ type: 'mention', offset: 0, length: 11 }] }), bot, lists);
    expect(group).toMatchObject({ action: 'ignore', reason: 'not allowed' });
    expect(classify(msg({ chat: { id: 7, type: 'private' } }), bot, { users: ['@Alice'], chats: [] }).action).toBe('answer');
    expect(classify(msg({ chat: { id: 7, type: 'private' } }), bot, { users: [], chats: ['7'] }).action).toBe('answer');
  });

  it('picks the largest photo and a voice note as media', () => {
    const r = classify(
      msg({
        chat: { id: 7, type: 'private' },
        text: undefined,
        caption: 'what is this?',
        photo: [
          { file_id: 'small', width: 90, height: 90, file_size: 100 },
          { file_id: 'big', width: 900, height: 900, file_size: 10_000 },
        ],
      }),
      bot,
      open,
    );
    expect(r).toMatchObject({ action: 'answer', text: 'what is this?', media: [{ fileId: 'big', kind: 'image' }] });
    const voice = classify(msg({ chat: { id: 7, type: 'private' }, text: undefined, voice: { file_id: 'v', mime_type: 'audio/ogg' } }), bot, open);
    expect(voice).toMatchObject({ action: 'answer', media: [{ fileId: 'v', kind: 'audio', filename: 'voice.ogg' }] });
  });

  it('ignores other bots and messages with nothing to read', () => {
    expect(classify(msg({ from: { ...alice, is_bot: true }, chat: { id: 7, type: 'private' } }), bot, open).action).toBe('ignore');
    expect(classify(msg({ chat: { id: 7, type: 'private' }, text: undefined }), bot, open).action).toBe('ignore');
  });
});
