// The router every surface shares: it decides what an Incoming message is (a refusal, a command
// answered at once, or work that waits its turn) and hands it to that command's handler. The
// dispatcher owns order and slots, policy/ the refusals, commands/ what each command does.
import type { Logger } from '../log.js';
import { OpsEvents } from '../ops/events.js';
import { StreamRelay } from '../relay/index.js';
import type { ChannelKey, Incoming, Platform, Surface } from '../types.js';
import type { CommandContext, CommandServices } from './commands/context.js';
import { runCommand } from './commands/handlers/index.js';
import { isAdminCommand, parseCommand } from './commands/parse.js';
import { specOf } from './commands/registry.js';
import { describeError } from './errors.js';
import type { MessageId } from './messages.js';
import { LocalDispatcher, type ChannelFilter, type Plan, type Prepare } from './dispatcher.js';
import { AccessPolicy } from './policy/access.js';
import { Limits } from './policy/limits.js';
import { NoticePolicy } from './policy/notices.js';
import { commandServices, type ServiceDeps } from './services.js';
import { Speaker, type LineParams } from './speaker.js';

export interface ManagerDeps extends ServiceDeps {
  relay?: StreamRelay;
  /** Observation hook (queue waiting times); a private one when absent. */
  events?: OpsEvents;
  /** Grace period on shutdown; default settings.queue.shutdownGraceMs. */
  shutdownGraceMs?: number;
  /** Clock for the once-per-window notices (tests). */
  now?: () => number;
}

export type { ChannelFilter, Prepare } from './dispatcher.js';

/** Commands answered at once are not stoppable. */
const NEVER = new AbortController().signal;

export class ConversationManager {
  private readonly dispatcher: LocalDispatcher;
  private readonly services: CommandServices;
  private readonly speaker: Speaker;
  private readonly access: AccessPolicy;
  private readonly limits: Limits;
  private readonly notices: NoticePolicy;
  private readonly events: OpsEvents;
  private readonly logger: Logger;

  constructor(deps: ManagerDeps) {
    const { settings, store } = deps;
    this.logger = deps.logger;
    this.speaker = new Speaker(deps.relay ?? new StreamRelay({ logger: deps.logger }), settings.locale);
    this.access = new AccessPolicy(settings.admins);
    this.limits = new Limits(store, settings.limits);
    this.notices = new NoticePolicy({ now: deps.now });
    this.events = deps.events ?? new OpsEvents();
    this.dispatcher = new LocalDispatcher({
      planner: {
        plan: (msg, surface, log, requestId) => this.plan(msg, surface, log, requestId),
        say: (surface, id) => this.speaker.say(surface, id),
        notice: (surface, who, id) => this.notice(surface, who, id),
      },
      logger: deps.logger,
      maxWaitingPerChannel: settings.queue.maxWaitingPerChannel,
      providerConcurrency: settings.queue.providerConcurrency,
      shutdownGraceMs: deps.shutdownGraceMs ?? settings.queue.shutdownGraceMs,
    });
    this.services = commandServices(deps, this.speaker, (channel) => this.dispatcher.stop(channel));
  }

  /**
   * Takes one inbound message whose preparation (attachment downloads, anything slow) is
   * `prepare`: its place in the channel's order is taken now, so it is answered after every
   * earlier message of the channel even when a later one is ready first (see Dispatcher.submit).
   * Never throws: every failure ends as one short line on the surface and the detail in the log.
   */
  submit(channel: ChannelKey, prepare: Prepare, surface: Surface): Promise<void> {
    return this.dispatcher.submit(channel, prepare, surface);
  }

  /** `submit` for a message that needs no preparation. */
  handle(msg: Incoming, surface: Surface): Promise<void> {
    return this.submit(msg.channel, async () => msg, surface);
  }

  /** What a prepared message is: a refusal or cheap command answered now, or a queued reply. */
  private async plan(msg: Incoming, surface: Surface, log: Logger, requestId: string): Promise<Plan> {
    const cmd = msg.command ?? parseCommand(msg.text, { prefix: surface.commandPrefix });
    log.debug({ command: cmd.kind, user: msg.user.id, messageId: msg.messageId }, 'incoming');
    if (isAdminCommand(cmd) && !this.access.mayAdminister(msg)) return { kind: 'now', answer: () => this.speaker.say(surface, 'not_admin') };
    const spec = specOf(cmd.kind);
    // Provider calls by non-admins count against the limits; a refusal is said once a window.
    const refusal = spec.costly && !this.isAdmin(msg.platform, msg.user.id) ? await this.limits.check(msg) : undefined;
    if (refusal) return { kind: 'now', answer: () => this.notice(surface, `${msg.platform}:${msg.user.id}`, refusal.id, refusal.params) };
    const ctx = { cmd, msg, surface, log, requestId };
    if (!spec.queued) return { kind: 'now', answer: () => runCommand(cmd.kind, { ...ctx, signal: NEVER }, this.services) };
    const run = (signal: AbortSignal) => this.runQueued({ ...ctx, signal });
    return { kind: 'queued', costly: spec.costly, run: this.events.timeWaiting(msg.platform, run) };
  }

  /** A notice said once per `who` per window; repeats within it stay silent (and logged). */
  private async notice(surface: Surface, who: string, id: MessageId, params?: LineParams): Promise<void> {
    if (this.notices.shouldSay(id, who)) return await this.speaker.say(surface, id, params);
    this.logger.debug({ channel: surface.channel, user: who, notice: id }, 'notice already said within its window');
  }

  /** Runs a queued command; its errors become one line, and the surface is closed either way. */
  private async runQueued(ctx: CommandContext): Promise<void> {
    const { surface, log } = ctx;
    try {
      await runCommand(ctx.cmd.kind, ctx, this.services);
    } catch (err) {
      const d = describeError(err);
      if (d.slotLost) return log.warn({ err }, 'slot taken over mid-reply; the new owner answers');
      if (d.aborted) {
        log.info('stopped by user');
        await this.speaker.sayText(surface, this.speaker.line('stopped')).catch(() => undefined);
        return;
      }
      log.warn({ err }, 'request failed');
      await this.speaker.sayText(surface, `⚠️ ${this.speaker.describe(err)}`).catch((e) => log.error({ err: e }, 'could not send error line'));
    }
  }

  isAdmin(platform: Platform, userId: string): boolean {
    return this.access.isAdmin(platform, userId);
  }

  /** The model a channel's next reply uses: its own choice, its persona's, or the default. */
  currentModel(channel: ChannelKey): Promise<string> {
    return this.services.currentModel(channel);
  }

  /** The provider's model ids, chat models first, cached; [] when the provider cannot list them. */
  listModels(): Promise<string[]> {
    return this.services.models.list();
  }

  /** Provider slots in use and replies waiting for one (metrics, tests). */
  get providerSlots(): { inUse: number; waiting: number } {
    return this.dispatcher.providerSlots;
  }

  /** Messages waiting behind a reply in flight, over all channels (the ops queue-depth gauge). */
  get queueDepth(): number {
    return this.dispatcher.queueDepth;
  }

  /** Work outside a reply that shutdown must wait for (Dispatcher.track). */
  track(channel: ChannelKey, work: Promise<void>): Promise<void> {
    return this.dispatcher.track(channel, work);
  }

  /** Waits for the work of the matching channels, e.g. one shard's given back (Dispatcher.drain). */
  drain(filter?: ChannelFilter): Promise<void> {
    return this.dispatcher.drain(filter);
  }

  /** Stops taking messages, drops the waiting ones, gives running replies the grace (Dispatcher.shutdown). */
  shutdown(): Promise<void> {
    return this.dispatcher.shutdown();
  }
}
