// Game line -> who spoke, what they said, and which conversation it belongs to. Lines the bot
// must never answer (its own echoes, other bots, configured noise) are filtered here.
import type { Profile, Trigger } from './profile.js';
import { expandTemplate } from './profile.js';
import { sanitizeLine } from './sanitize.js';

export interface TriggerHit {
  trigger: Trigger;
  /** As the game spells it; safe to put into a command (one word, no separators). */
  speaker: string;
  message: string;
  /** Expanded scope, e.g. `tell:alice`. */
  scope: string;
}

export type SkipReason = 'no-trigger' | 'ignored-line' | 'own-line' | 'ignored-speaker' | 'bad-speaker' | 'empty';

export type MatchResult = { hit: TriggerHit } | { skip: SkipReason };

export function matchLine(profile: Profile, rawLine: string): MatchResult {
  const capped = capLine(rawLine, profile.maxLineChars);
  const line = profile.promptPrefix ? capped.replace(profile.promptPrefix, '') : capped;
  if (profile.ignore.some((re) => re.test(line))) return { skip: 'ignored-line' };
  for (const trigger of profile.triggers) {
    const m = trigger.match.exec(line);
    if (!m?.groups) continue;
    const speakerRaw = (m.groups.speaker ?? '').trim();
    const message = (m.groups.message ?? '').trim();
    const lower = speakerRaw.toLowerCase();
    if (lower === profile.name.toLowerCase()) return { skip: 'own-line' };
    if (profile.ignoreSpeakers.some((s) => s.toLowerCase() === lower)) return { skip: 'ignored-speaker' };
    // The speaker goes into reply commands ("tell {speaker} ..."): one clean word only.
    const speaker = sanitizeLine(speakerRaw, { encoding: profile.encoding, commandSeparators: profile.commandSeparators });
    if (!speaker || /\s/.test(speaker) || speaker !== speakerRaw) return { skip: 'bad-speaker' };
    if (!message) return { skip: 'empty' };
    const scope = expandTemplate(trigger.scope, { speaker: lower });
    return { hit: { trigger, speaker, message, scope } };
  }
  return { skip: 'no-trigger' };
}

/**
 * Any player can send a line; capping its length bounds what even a slow (polynomial) trigger
 * regex may cost per line. Cut at a code point, never inside a surrogate pair.
 */
export function capLine(line: string, maxChars: number): string {
  if (line.length <= maxChars) return line;
  const lastUnit = line.charCodeAt(maxChars - 1);
  const cutsPair = lastUnit >= 0xd800 && lastUnit <= 0xdbff;
  return line.slice(0, cutsPair ? maxChars - 1 : maxChars);
}

/**
 * What to do with one more line from a player: answer it, tell them once that they are over the
 * limit, or stay silent (a loop with another bot must not turn into a loop of notices).
 */
export type RateVerdict = 'allow' | 'notify' | 'drop';

/** A sliding-window counter per player: loops with other bots and spammers stop here. */
export class PlayerRateLimit {
  private readonly hits = new Map<string, number[]>();
  /** Players told they are over the limit, until a line of theirs is allowed again. */
  private readonly notified = new Set<string>();

  constructor(
    private readonly count: number,
    private readonly windowMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Records an attempt: 'allow', or when over the limit 'notify' the first time, then 'drop'. */
  check(player: string): RateVerdict {
    const t = this.now();
    const recent = (this.hits.get(player) ?? []).filter((at) => t - at < this.windowMs);
    this.hits.set(player, recent);
    if (recent.length >= this.count) {
      if (this.notified.has(player)) return 'drop';
      this.notified.add(player);
      return 'notify';
    }
    recent.push(t);
    this.notified.delete(player);
    return 'allow';
  }
}
