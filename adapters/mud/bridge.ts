// Game lines -> Incoming for the conversation manager, answers -> MudSurface lines. The bridge
// owns the loop guards: its own echoes, other bots, lines repeating what it just said, and a
// per-player rate limit.
import type { Core } from '../../src/app.js';
import { parseCommand } from '../../src/conversation/index.js';
import { t } from '../../src/conversation/messages.js';
import type { Logger } from '../../src/log.js';
import type { Incoming } from '../../src/types.js';
import type { Profile } from './profile.js';
import { MudSurface } from './surface.js';
import { matchLine, PlayerRateLimit } from './triggers.js';

/** A player repeating our own words back within this window is an echo loop, not a question. */
const ECHO_MEMORY_MS = 60_000;
const ECHO_MEMORY_MAX = 200;
/** Short words ("hi", "ok", "more") are legitimately repeated by people. */
const ECHO_MIN_CHARS = 12;

export interface BridgeOptions {
  core: Core;
  profile: Profile;
  logger: Logger;
  /** The connection's paced chat writer. */
  write: (command: string) => Promise<void>;
}

export class MudBridge {
  private readonly rate: PlayerRateLimit;
  private readonly recentSent = new Map<string, number>();
  private accepting = true;
  private seq = 0;

  constructor(private readonly opts: BridgeOptions) {
    this.rate = new PlayerRateLimit(opts.profile.rateLimit.count, opts.profile.rateLimit.windowMs);
  }

  /** Channel key of one scope: `mud:<profile>:<scope>`. */
  channelFor(scope: string): string {
    return `mud:${this.opts.profile.id}:${scope}`;
  }

  /** One complete game line (after login, ANSI stripped). */
  onLine(line: string): void {
    if (!this.accepting) return;
    const { profile, logger } = this.opts;
    const result = matchLine(profile, line);
    if ('skip' in result) {
      if (result.skip !== 'no-trigger') logger.debug({ reason: result.skip }, 'MUD line not answered');
      return;
    }
    const { trigger, speaker, message, scope } = result.hit;
    if (this.isOwnEcho(message)) {
      logger.debug({ speaker }, 'MUD line repeats our own words: not answered');
      return;
    }
    const channel = this.channelFor(scope);
    const surface = new MudSurface({
      channel,
      profile,
      replyTemplate: trigger.reply,
      speaker,
      locale: this.opts.core.config.conversation.locale,
      write: this.opts.write,
      onSent: (l) => this.remember(l),
      logger: this.opts.logger.child({ channel }),
    });
    const verdict = this.rate.check(speaker.toLowerCase());
    if (verdict !== 'allow') {
      logger.warn({ speaker, channel, notified: verdict === 'notify' }, 'MUD player over the rate limit: not answered');
      // Tracked by the dispatcher: shutdown and a slot's drain wait for the notice too.
      if (verdict === 'notify') void this.opts.core.manager.track(channel, this.notify(surface, channel));
      return;
    }
    const msg: Incoming = {
      platform: 'mud',
      channel,
      user: { id: speaker.toLowerCase(), name: speaker },
      text: message,
      command: parseCommand(message, { prefix: '' }),
      mentionsBot: true,
      isDirect: trigger.direct,
      isGroup: !trigger.direct,
      replyToBot: false,
      messageId: `mud-${++this.seq}`,
    };
    void this.opts.core.manager.handle(msg, surface);
  }

  /** One short line, once per window, so a player over the limit is not left guessing. */
  private async notify(surface: MudSurface, channel: string): Promise<void> {
    await surface
      .send(t(this.opts.core.config.conversation.locale, 'rate_limited'), { final: true })
      .catch((err: unknown) => this.opts.logger.warn({ err, channel }, 'MUD rate-limit notice not sent'))
      .finally(() => surface.close());
  }

  /** Stop taking lines; the dispatcher finishes what is in flight (shutdown, drain). */
  stopAccepting(): void {
    this.accepting = false;
  }

  private remember(line: string): void {
    const now = performance.now();
    this.recentSent.set(normalize(line), now);
    if (this.recentSent.size > ECHO_MEMORY_MAX) {
      for (const [k, at] of this.recentSent) {
        if (now - at > ECHO_MEMORY_MS || this.recentSent.size > ECHO_MEMORY_MAX) this.recentSent.delete(k);
      }
    }
  }

  private isOwnEcho(message: string): boolean {
    const key = normalize(message);
    if (key.length < ECHO_MIN_CHARS) return false;
    const at = this.recentSent.get(key);
    return at !== undefined && performance.now() - at < ECHO_MEMORY_MS;
  }
}

function normalize(text: string): string {
  return text.replace(/\s+/g, ' ').trim().toLowerCase();
}
