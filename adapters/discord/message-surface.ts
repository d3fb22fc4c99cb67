// Answers a user's message: the first chunk replies to it, later chunks (past 2,000 characters,
// error lines, files) follow in the same channel or thread.
import type { Message } from 'discord.js';
import { DiscordTransport, type DiscordSurfaceOptions, type OutgoingBody } from './surface.js';

export class MessageReplySurface extends DiscordTransport<Message> {
  private replied = false;

  constructor(
    private readonly source: Message,
    opts: DiscordSurfaceOptions,
  ) {
    super(opts);
  }

  protected async postBody(body: OutgoingBody): Promise<Message> {
    if (!this.replied) {
      this.replied = true;
      // If the question was deleted meanwhile, answer in the channel rather than fail.
      return this.source.reply({ ...body, failIfNotExists: false });
    }
    const channel = this.source.channel;
    if (!channel.isSendable()) throw new Error(`channel ${channel.id} does not take messages`);
    return channel.send(body);
  }

  protected async patchBody(ref: Message, body: OutgoingBody): Promise<void> {
    await ref.edit(body);
  }

  async typing(): Promise<void> {
    const channel = this.source.channel;
    if (channel.isSendable()) await channel.sendTyping();
  }
}
