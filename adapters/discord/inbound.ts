// A discord.js Message → the platform-neutral Incoming (and the routing facts about it).
import type { Message } from 'discord.js';
import type { Incoming } from '../../src/types.js';
import type { UserMedia } from './attachments.js';
import { channelKeyFor, type MessageFacts } from './routing.js';

export function factsOf(message: Message, botId: string): MessageFacts {
  const channel = message.channel;
  return {
    authorId: message.author.id,
    authorIsBot: message.author.bot || message.webhookId !== null,
    guildId: message.guildId ?? undefined,
    channelId: message.channelId,
    parentChannelId: channel.isThread() ? (channel.parentId ?? undefined) : undefined,
    // Only a direct @mention: @everyone/@here and role pings are not addressed to the bot.
    mentionsBot: message.mentions.users.has(botId) && !isOnlyReplyPing(message, botId),
    replyToBot: message.mentions.repliedUser?.id === botId,
  };
}

/** A reply to the bot lists it in `mentions` too; that alone is a reply, not a mention. */
function isOnlyReplyPing(message: Message, botId: string): boolean {
  return message.mentions.repliedUser?.id === botId && !new RegExp(`<@!?${botId}>`).test(message.content);
}

/** Removes the bot's own mention; other users' mentions become @names the model can read. */
export function cleanText(message: Message, botId: string): string {
  return message.content
    .replace(new RegExp(`<@!?${botId}>`, 'g'), '')
    .replace(/<@!?(\d+)>/g, (raw, id: string) => {
      const user = message.mentions.users.get(id);
      return user ? `@${user.displayName}` : raw;
    })
    .trim();
}

export function toIncoming(message: Message, botId: string, facts: MessageFacts, media: UserMedia): Incoming {
  const isDirect = facts.guildId === undefined;
  return {
    platform: 'discord',
    channel: channelKeyFor(message.guildId, message.channelId),
    user: { id: message.author.id, name: message.member?.displayName ?? message.author.displayName },
    text: cleanText(message, botId),
    ...(media.images.length > 0 ? { images: media.images } : {}),
    ...(media.audio ? { audio: media.audio } : {}),
    ...(media.files.length > 0 ? { files: media.files } : {}),
    mentionsBot: facts.mentionsBot,
    isDirect,
    replyToBot: facts.replyToBot,
    isGroup: !isDirect,
    messageId: message.id,
  };
}
