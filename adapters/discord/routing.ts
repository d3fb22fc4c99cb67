// Who the bot answers, decided from plain facts about a message, so the rules read (and test)
// without discord.js: DMs, @mentions, replies to the bot, listen channels; allowlists first.
import type { ChannelKey } from '../../src/types.js';

export interface MessageFacts {
  authorId: string;
  /** Bots (ourselves included) and webhooks are never answered: no bot-to-bot loops. */
  authorIsBot: boolean;
  /** Undefined in DMs. */
  guildId?: string;
  channelId: string;
  /** A thread's parent channel: allow/listen lists naming the parent cover its threads. */
  parentChannelId?: string;
  mentionsBot: boolean;
  replyToBot: boolean;
}

export interface AccessRules {
  /** Empty list = no restriction. */
  allowedGuilds: string[];
  allowedChannels: string[];
  allowedUsers: string[];
  /** Channels where every message is answered, mention or not. */
  listenChannels: string[];
}

export type Trigger = 'dm' | 'mention' | 'reply' | 'listen';
export type Verdict = { answer: true; trigger: Trigger } | { answer: false; reason: string };

const allows = (list: string[], ...ids: (string | undefined)[]) => list.length === 0 || ids.some((id) => id !== undefined && list.includes(id));

export function decide(f: MessageFacts, rules: AccessRules): Verdict {
  if (f.authorIsBot) return { answer: false, reason: 'author is a bot' };
  if (!allows(rules.allowedUsers, f.authorId)) return { answer: false, reason: 'user not allowed' };
  if (f.guildId === undefined) return { answer: true, trigger: 'dm' };
  if (!allows(rules.allowedGuilds, f.guildId)) return { answer: false, reason: 'guild not allowed' };
  if (!allows(rules.allowedChannels, f.channelId, f.parentChannelId)) return { answer: false, reason: 'channel not allowed' };
  if (f.mentionsBot) return { answer: true, trigger: 'mention' };
  if (f.replyToBot) return { answer: true, trigger: 'reply' };
  if (rules.listenChannels.length > 0 && allows(rules.listenChannels, f.channelId, f.parentChannelId)) return { answer: true, trigger: 'listen' };
  return { answer: false, reason: 'not addressed to the bot' };
}

/** `discord:<guildId|dm>:<channelId>`; a thread's id is its channel id, so each thread is its own conversation. */
export function channelKeyFor(guildId: string | null | undefined, channelId: string): ChannelKey {
  return `discord:${guildId ?? 'dm'}:${channelId}`;
}
