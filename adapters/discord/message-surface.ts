// Answers a user's message: the first chunk replies to it, later chunks (past 2,000 characters,
// error lines, files) follow in the same channel or thread.
import type { Message } from 'discord.js';
import type { MessageRef } from '../../src/types.js';
import { DiscordSurface, type DiscordSurfaceOptions, type OutgoingBody } from './surface.js';

export class MessageReplySurface extends DiscordSurface {
  private replied = false;

  constructor(
    private readonly source: Message,
    opts: DiscordSurfaceOptions,
  ) {
    super(opts);
  }

  protected async post(body: OutgoingBody): Promise<Message> {
    if (!this.replied) {
      this.replied = true;
      // If the question was deleted meanwhile, answer in the channel rather than fail.
      return this.source.reply({ ...body, failIfNotExists: false });
    }
    const channel = this.source.channel;
    if (!channel.isSendable()) throw new Error(`channel ${channel.id} does not take messages`);
    return channel.send(body);
  }

  protected async patch(ref: MessageRef, body: OutgoingBody): Promise<void> {
    await (ref as Message).edit(body);
  }

  protected sendTyping(): Promise<unknown> {
    const channel = this.source.channel;
    return channel.isSendable() ? channel.sendTyping() : Promise.resolve();
  }
}
