// Payload builders with exactly the fields discord.js 14 needs to build its structures
// (see docs/fakes.md): missing ones make the client throw or drop events silently.
import { snowflake } from './snowflake.js';

export interface FakeUser {
  id: string;
  username: string;
  bot?: boolean;
}

export interface FakeAttachment {
  id: string;
  filename: string;
  size: number;
  url: string;
  proxy_url: string;
  content_type: string;
  duration_secs?: number;
  waveform?: string;
}

export const CHANNEL_TYPE = { GuildText: 0, DM: 1, PublicThread: 11 } as const;
export const MESSAGE_TYPE = { Default: 0, Reply: 19 } as const;
export const INTERACTION_TYPE = { ApplicationCommand: 2, Autocomplete: 4 } as const;
export const OPTION_TYPE = { String: 3, Boolean: 5, Attachment: 11 } as const;
/** Message flag Discord sets on voice messages. */
export const IS_VOICE_MESSAGE = 1 << 13;

export function userPayload(u: FakeUser) {
  return { id: u.id, username: u.username, discriminator: '0', global_name: u.username, avatar: null, bot: u.bot ?? false };
}

export function memberPayload(u: FakeUser) {
  return {
    user: userPayload(u),
    roles: [],
    joined_at: new Date(0).toISOString(),
    deaf: false,
    mute: false,
    flags: 0,
    nick: null,
    avatar: null,
    pending: false,
    permissions: '2248473465835073',
  };
}

export function textChannelPayload(id: string, guildId: string, name: string) {
  return { id, type: CHANNEL_TYPE.GuildText, guild_id: guildId, name, position: 0, permission_overwrites: [], nsfw: false, parent_id: null, topic: null, last_message_id: null, rate_limit_per_user: 0 };
}

export function threadPayload(id: string, guildId: string, parentId: string, ownerId: string, name: string) {
  return {
    id,
    type: CHANNEL_TYPE.PublicThread,
    guild_id: guildId,
    parent_id: parentId,
    owner_id: ownerId,
    name,
    last_message_id: null,
    rate_limit_per_user: 0,
    message_count: 0,
    member_count: 1,
    thread_metadata: { archived: false, auto_archive_duration: 1440, archive_timestamp: new Date().toISOString(), locked: false },
    total_message_sent: 0,
  };
}

export interface GuildSpec {
  id: string;
  name: string;
  ownerId: string;
  channels: ReturnType<typeof textChannelPayload>[];
  threads: ReturnType<typeof threadPayload>[];
  members: FakeUser[];
}

export function guildCreatePayload(g: GuildSpec) {
  return {
    id: g.id,
    name: g.name,
    icon: null,
    owner_id: g.ownerId,
    unavailable: false,
    member_count: g.members.length,
    large: false,
    joined_at: new Date(0).toISOString(),
    afk_channel_id: null,
    afk_timeout: 300,
    verification_level: 0,
    default_message_notifications: 0,
    explicit_content_filter: 0,
    mfa_level: 0,
    system_channel_id: null,
    system_channel_flags: 0,
    premium_tier: 0,
    preferred_locale: 'en-US',
    nsfw_level: 0,
    // The @everyone role has the guild's id.
    roles: [{ id: g.id, name: '@everyone', color: 0, hoist: false, position: 0, permissions: '2248473465835073', managed: false, mentionable: false, flags: 0 }],
    emojis: [],
    stickers: [],
    features: [],
    channels: g.channels,
    threads: g.threads,
    members: g.members.map(memberPayload),
    voice_states: [],
    presences: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
  };
}

export interface MessageSpec {
  id?: string;
  channelId: string;
  guildId?: string;
  author: FakeUser;
  content: string;
  mentions?: FakeUser[];
  attachments?: FakeAttachment[];
  referencedMessage?: Record<string, unknown>;
  flags?: number;
  channelType?: number;
}

export function messagePayload(m: MessageSpec) {
  const isReply = Boolean(m.referencedMessage);
  const payload: Record<string, unknown> = {
    id: m.id ?? snowflake(),
    type: isReply ? MESSAGE_TYPE.Reply : MESSAGE_TYPE.Default,
    channel_id: m.channelId,
    author: userPayload(m.author),
    content: m.content,
    timestamp: new Date().toISOString(),
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: (m.mentions ?? []).map(userPayload),
    mention_roles: [],
    attachments: m.attachments ?? [],
    embeds: [],
    pinned: false,
    flags: m.flags ?? 0,
    components: [],
  };
  if (m.guildId) {
    payload.guild_id = m.guildId;
    payload.member = { ...memberPayload(m.author), user: undefined };
  }
  if (m.channelType !== undefined) payload.channel_type = m.channelType;
  if (m.referencedMessage) {
    const ref = m.referencedMessage;
    payload.message_reference = { type: 0, message_id: ref.id, channel_id: m.channelId, guild_id: m.guildId };
    payload.referenced_message = ref;
  }
  return payload;
}

export interface CommandOptionValue {
  name: string;
  type: number;
  value: string | boolean;
  focused?: boolean;
}

export interface InteractionSpec {
  id: string;
  token: string;
  applicationId: string;
  type: number;
  commandId: string;
  commandName: string;
  options: CommandOptionValue[];
  guildId?: string;
  channel: Record<string, unknown>;
  user: FakeUser;
}

export function interactionPayload(i: InteractionSpec) {
  const payload: Record<string, unknown> = {
    id: i.id,
    application_id: i.applicationId,
    type: i.type,
    token: i.token,
    version: 1,
    data: { id: i.commandId, name: i.commandName, type: 1, options: i.options },
    channel_id: i.channel.id,
    channel: i.channel,
    app_permissions: '2248473465835073',
    locale: 'en-US',
    entitlements: [],
    authorizing_integration_owners: { '0': i.guildId ?? i.user.id },
    context: i.guildId ? 0 : 1,
  };
  if (i.guildId) {
    payload.guild_id = i.guildId;
    payload.guild_locale = 'en-US';
    payload.member = memberPayload(i.user);
  } else {
    payload.user = userPayload(i.user);
  }
  return payload;
}
