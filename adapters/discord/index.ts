// The Discord surface: discord.js events → Incoming + a Surface for that channel; slash
// commands registered when they changed; graceful stop. Everything else is the core's job.
import {
  Events,
  MessageFlags,
  RESTEvents,
  type AutocompleteInteraction,
  type ChatInputCommandInteraction,
  type Client,
  type ClientOptions,
  type Interaction,
  type Message,
} from 'discord.js';
import type { Core } from '../../src/app.js';
import type { Logger } from '../../src/log.js';
import type { Incoming } from '../../src/types.js';
import { collectMedia } from './attachments.js';
import { ChainedReplySurface, ReplyChains } from './chain.js';
import { createDiscordClient, type DiscordSettings } from './client.js';
import { commandFromInteraction, commandText, EPHEMERAL_COMMANDS, registerCommands } from './commands.js';
import { fatalCloseLine, loginFailureLine } from './fatal.js';
import { factsOf, toIncoming } from './inbound.js';
import { InteractionSurface } from './interaction-surface.js';
import { line } from './lines.js';
import { AUTOCOMPLETE_MAX_CHOICES, CHOICE_MAX_CHARS } from './limits.js';
import { MessageReplySurface } from './message-surface.js';
import { ReplySession } from '../../src/relay/reply-session.js';
import { personaChoices } from './persona-choices.js';
import { channelKeyFor, decide, type AccessRules } from './routing.js';
import { createShardedDiscordAdapter, type ShardAdapter } from './shards.js';
import type { DiscordSurfaceOptions } from './surface.js';
import type { ChannelFilter } from '../../src/conversation/dispatcher.js';

export { channelKeyFor, decide } from './routing.js';
export { commandDefinitions, sameCommands } from './commands.js';
export { MessageReplySurface } from './message-surface.js';
export { InteractionSurface } from './interaction-surface.js';

export interface DiscordAdapterOptions {
  /** Extra discord.js client options (tests). */
  clientOptions?: Partial<ClientOptions>;
}


export function createDiscordAdapter(core: Core, opts: DiscordAdapterOptions = {}): ShardAdapter {
  // Several instances on one Redis: this one runs only the shards it holds (shards.ts).
  if (core.scale && !opts.clientOptions?.shards) {
    return createShardedDiscordAdapter(core, (clientOptions) => createDiscordAdapter(core, { ...opts, clientOptions: { ...opts.clientOptions, ...clientOptions } }));
  }
  return new DiscordAdapter(core, opts);
}

/** One gateway connection: messages and slash commands become the dispatcher's work. */
class DiscordAdapter implements ShardAdapter {
  readonly platform = 'discord' as const;
  readonly client: Client;
  onFatal?: (reason: string) => void;
  private readonly settings: DiscordSettings;
  private readonly rules: AccessRules;
  private readonly logger: Logger;
  private accepting = false;
  private stopping = false;
  /** Set when discord.js gave up on the gateway: what the operator must fix. */
  private fatalReason: string | undefined;
  private failStart: (err: Error) => void = () => {};
  /** Set with DISCORD_CONTEXT=chain once the bot knows its own id. */
  private chains: ReplyChains | undefined;

  constructor(
    private readonly core: Core,
    opts: DiscordAdapterOptions,
  ) {
    const settings = core.config.discord;
    if (!settings) throw new Error('Discord is not configured: set DISCORD_TOKEN');
    this.settings = settings;
    this.rules = settings;
    this.logger = core.logger.child({ platform: 'discord' });
    this.client = createDiscordClient(settings, opts.clientOptions);
    this.listen();
  }

  isUp(): boolean {
    return this.accepting && this.client.isReady();
  }

  async start(): Promise<void> {
    const { client } = this;
    const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
    const closedForGood = new Promise<never>((_resolve, reject) => (this.failStart = reject));
    // Observed through the races below; login may fail first and leave this one unawaited.
    closedForGood.catch(() => {});
    try {
      await Promise.race([client.login(this.settings.token), closedForGood]);
      await Promise.race([ready, closedForGood]);
    } catch (err) {
      throw new Error(loginFailureLine(err, this.fatalReason), { cause: err });
    }
    this.accepting = true;
    this.logger.info({ user: client.user?.tag, guilds: client.guilds.cache.size }, 'discord connected');
    await registerSlashCommands(client, this.settings, this.logger);
  }

  // main.ts drained the dispatcher (core.manager.shutdown) before: this only disconnects.
  async stop(): Promise<void> {
    await this.detach();
    this.logger.info('discord disconnected');
  }

  async detach(drain?: ChannelFilter): Promise<void> {
    this.accepting = false;
    this.stopping = true;
    // Replies still need the connected client to finish or say "(stopped)".
    if (drain) await this.core.manager.drain(drain);
    await this.client.destroy();
  }

  private listen(): void {
    const { client, logger } = this;
    client.on(Events.MessageCreate, (message) => this.track(message.guildId, message.channelId, this.onMessage(message)));
    client.on(Events.InteractionCreate, (interaction) => this.onInteraction(interaction));
    client.on(Events.Error, (err) => logger.error({ err }, 'discord client error'));
    client.on(Events.ShardDisconnect, (event) => this.onClosedForGood(event.code));
    client.on(Events.ShardResume, (_id, replayed) => logger.info({ replayed }, 'gateway resumed'));
    // Our edit pacing should keep these at zero; each one is worth a look.
    client.rest.on(RESTEvents.RateLimited, (info) => {
      logger.warn({ route: info.route, retryAfterMs: info.retryAfter, global: info.global }, 'discord rate limit hit');
      this.core.events.emit({ type: 'platform.rate_limited', platform: 'discord' });
    });
  }

  /** discord.js emits ShardDisconnect only for close codes it will not reconnect after (bad
   * token, disallowed intents…): the surface is dead, and saying so beats idling in a live process. */
  private onClosedForGood(code: number): void {
    if (this.stopping || this.fatalReason) return;
    const reason = fatalCloseLine(code);
    this.fatalReason = reason;
    this.logger.error({ code }, 'gateway closed for good');
    if (this.accepting) {
      this.accepting = false;
      this.onFatal?.(reason);
    } else {
      this.failStart(new Error(reason));
    }
  }

  /** Every handler runs as the dispatcher's tracked work: shutdown and a shard's drain wait for it. */
  private track(guildId: string | null, channelId: string, work: Promise<void>): void {
    void this.core.manager.track(channelKeyFor(guildId, channelId), work);
  }

  private surfaceOptions(channel: string, requestLog: Logger): DiscordSurfaceOptions {
    const { settings } = this;
    return { channel, locale: this.core.config.conversation.locale, editIntervalMs: settings.editIntervalMs, pingAuthor: settings.pingAuthor, logger: requestLog };
  }

  private async onMessage(message: Message): Promise<void> {
    const botId = this.client.user?.id;
    if (!this.accepting || !botId) return;
    const { core, logger } = this;
    const facts = factsOf(message, botId);
    const verdict = decide(facts, this.rules);
    const channel = channelKeyFor(message.guildId, message.channelId);
    if (!verdict.answer) {
      if (!facts.authorIsBot) logger.debug({ channel, user: facts.authorId, reason: verdict.reason }, 'message ignored');
      return;
    }
    if (verdict.trigger === 'listen' && !message.content.trim() && message.attachments.size === 0) {
      // A sticker or an embed-only post in a listen channel is not a question.
      logger.debug({ channel }, 'empty message in listen channel ignored');
      return;
    }
    const log = logger.child({ channel, messageId: message.id });
    if (this.settings.context === 'chain') this.chains ??= new ReplyChains(botId, core.config.conversation.historyMaxMessages, logger);
    const { chains } = this;
    const options = this.surfaceOptions(channel, log);
    const transport = chains ? new ChainedReplySurface(message, options, chains) : new MessageReplySurface(message, options);
    const surface = new ReplySession(transport, { logger: log, events: core.events });
    void surface.typing();
    // Downloads run inside the channel's order: a later text-only message waits for them.
    const prepare = async (signal: AbortSignal) => {
      const media = await collectMedia(message, { vision: core.config.llm.vision, textMaxBytes: core.config.conversation.textAttachmentMaxBytes, signal });
      if (media.skipped.length > 0) log.debug({ skipped: media.skipped }, 'attachments not used');
      log.debug({ trigger: verdict.trigger }, 'answering');
      const incoming = toIncoming(message, botId, facts, media);
      if (chains) {
        const chain = await chains.contextFor(message, incoming.isGroup ?? false);
        incoming.context = chain.turns;
        // A command stays a command; a question gets the message it answers above it.
        if (chain.quote && !incoming.text.startsWith('/')) incoming.text = `${chain.quote}\n\n${incoming.text}`.trim();
        log.debug({ contextTurns: chain.turns.length, quoted: chain.quote !== undefined }, 'reply chain read');
      }
      return incoming;
    };
    await core.manager.submit(channel, prepare, surface);
  }

  private onInteraction(interaction: Interaction): void {
    if (!this.accepting) return;
    if (interaction.isAutocomplete()) this.track(interaction.guildId, interaction.channelId, this.onAutocomplete(interaction));
    else if (interaction.isChatInputCommand()) this.track(interaction.guildId, interaction.channelId, this.onCommand(interaction));
  }

  private async onCommand(interaction: ChatInputCommandInteraction): Promise<void> {
    const channel = channelKeyFor(interaction.guildId, interaction.channelId);
    const log = this.logger.child({ channel, interactionId: interaction.id, command: interaction.commandName });
    const verdict = decide(
      {
        authorId: interaction.user.id,
        authorIsBot: false,
        guildId: interaction.guildId ?? undefined,
        channelId: interaction.channelId,
        parentChannelId: interaction.channel?.isThread() ? (interaction.channel.parentId ?? undefined) : undefined,
        mentionsBot: true,
        replyToBot: false,
      },
      this.rules,
    );
    const command = commandFromInteraction(interaction);
    if (!verdict.answer || !command) {
      log.debug({ reason: verdict.answer ? 'unknown command' : verdict.reason }, 'command refused');
      const refusal = line(this.core.config.conversation.locale, verdict.answer ? 'unknownCommand' : 'notHere');
      await interaction.reply({ content: refusal, flags: MessageFlags.Ephemeral });
      return;
    }
    const transport = new InteractionSurface(interaction, this.surfaceOptions(channel, log));
    const surface = new ReplySession(transport, { logger: log, events: this.core.events });
    const incoming: Incoming = {
      platform: 'discord',
      channel,
      user: { id: interaction.user.id, name: interaction.user.displayName },
      text: commandText(command),
      command,
      mentionsBot: true,
      isDirect: interaction.guildId === null,
      replyToBot: false,
      isGroup: interaction.guildId !== null,
      messageId: interaction.id,
      // A slash command replies to nothing: in chain mode it starts fresh.
      ...(this.settings.context === 'chain' ? { context: [] } : {}),
    };
    // The command takes its place in the channel's order now; deferring is its preparation
    // (first, before anything slow: Discord forgets the interaction after 3 s).
    await this.core.manager.submit(channel, async () => (await transport.defer(EPHEMERAL_COMMANDS.has(command.kind)), incoming), surface);
    // A command that had nothing to say (a /stop that stopped) leaves no "thinking…" behind.
    if (!transport.answered) await transport.dismiss().catch((err: unknown) => log.debug({ err }, 'could not dismiss'));
  }

  private async onAutocomplete(interaction: AutocompleteInteraction): Promise<void> {
    const { core } = this;
    if (interaction.commandName === 'persona') return interaction.respond(personaChoices(core.personas, String(interaction.options.getFocused())));
    if (interaction.commandName !== 'model') return interaction.respond([]);
    const typed = String(interaction.options.getFocused()).toLowerCase();
    const models = await core.manager.listModels();
    const choices = ['default', ...models]
      .filter((id) => id.toLowerCase().includes(typed))
      .slice(0, AUTOCOMPLETE_MAX_CHOICES)
      .map((id) => ({ name: id.slice(0, CHOICE_MAX_CHARS), value: id.slice(0, CHOICE_MAX_CHARS) }));
    await interaction.respond(choices);
  }
}

async function registerSlashCommands(client: Client, settings: DiscordSettings, logger: Logger): Promise<void> {
  const applicationId = client.application?.id;
  if (!applicationId) return;
  try {
    const result = await registerCommands(client.rest, applicationId, settings.guildId);
    logger.info(result, result.changed ? 'slash commands registered' : 'slash commands unchanged');
  } catch (err) {
    // Mentions and DMs still work; slash commands stay as they were.
    logger.warn({ err }, 'could not register slash commands');
  }
}
