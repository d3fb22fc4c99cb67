// Where one reply's messages go in Telegram: the chat, the forum topic, and, on the reply's first
// message in a group, the user's message it answers (so it is clear who is answered).
export interface TelegramTarget {
  chatId: number;
  /** Forum topic (message_thread_id) the reply belongs in. */
  threadId?: number | undefined;
  /** The user's message to answer as a reply (groups, so it is clear who is answered). */
  replyToMessageId?: number | undefined;
}

/** A reply's target as Bot API fields; it remembers whether the first message has gone. */
export class ReplyAddress {
  private repliedTo = false;

  constructor(readonly target: TelegramTarget) {}

  get chatId(): number {
    return this.target.chatId;
  }

  /** message_thread_id when the reply belongs in a topic. */
  thread(): Record<string, unknown> {
    return this.target.threadId === undefined ? {} : { message_thread_id: this.target.threadId };
  }

  /** Chat, topic and (for the first message of a reply in a group) the message answered. */
  nextMessage(): Record<string, unknown> {
    const base: Record<string, unknown> = { chat_id: this.target.chatId, ...this.thread() };
    if (this.target.replyToMessageId !== undefined && !this.repliedTo) {
      this.repliedTo = true;
      base.reply_parameters = { message_id: this.target.replyToMessageId, allow_sending_without_reply: true };
    }
    return base;
  }
}
