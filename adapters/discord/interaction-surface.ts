// Answers a slash command: the reply is deferred at once (Discord's 3-second window), the first
// chunk fills the deferred response, the rest arrive as follow-ups. No typing: the deferred
// response already shows "thinking…".
import { MessageFlags, type ChatInputCommandInteraction, type Message } from 'discord.js';
import { DiscordTransport, type DiscordSurfaceOptions, type OutgoingBody } from './surface.js';

/** Ref of the deferred response: edited through `editReply`, not by message id. */
const ORIGINAL = Symbol('original response');
export type InteractionRef = typeof ORIGINAL | Message;

export class InteractionSurface extends DiscordTransport<InteractionRef> {
  private originalUsed = false;

  constructor(
    private readonly interaction: ChatInputCommandInteraction,
    opts: DiscordSurfaceOptions,
  ) {
    super(opts);
  }

  /** Acknowledges the command; must happen within 3 s of it arriving. */
  async defer(ephemeral: boolean): Promise<void> {
    await this.interaction.deferReply(ephemeral ? { flags: MessageFlags.Ephemeral } : {});
  }

  /** True once something replaced the "thinking…" placeholder. */
  get answered(): boolean {
    return this.originalUsed;
  }

  /** Removes the placeholder when the command produced no message (e.g. a /stop that stopped). */
  async dismiss(): Promise<void> {
    if (!this.originalUsed) await this.interaction.deleteReply();
  }

  protected async postBody(body: OutgoingBody): Promise<InteractionRef> {
    if (!this.originalUsed) {
      this.originalUsed = true;
      await this.interaction.editReply(body);
      return ORIGINAL;
    }
    return this.interaction.followUp(body);
  }

  protected async patchBody(ref: InteractionRef, body: OutgoingBody): Promise<void> {
    if (ref === ORIGINAL) await this.interaction.editReply(body);
    else await this.interaction.editReply({ ...body, message: ref });
  }
}
