// A Telegram message -> what parley does with it: ignore it, refuse the sender, or answer.
// Pure functions over the Bot API's message shape, so every rule here is unit-testable.
import type { ChannelKey } from '../../src/types.js';

/** The fields of a Bot API Message this adapter reads. telegraf's own `Message` type is passed
 * in as is (no cast), so a field here that the Bot API types lack or type otherwise fails to compile. */
export interface TgMessage {
  message_id: number;
  message_thread_id?: number;
  is_topic_message?: boolean;
  chat: { id: number; type: 'private' | 'group' | 'supergroup' | 'channel' };
  from?: { id: number; is_bot: boolean; first_name: string; last_name?: string; username?: string };
  text?: string;
  caption?: string;
  entities?: TgEntity[];
  caption_entities?: TgEntity[];
  reply_to_message?: { message_id: number; from?: { id: number }; forum_topic_created?: unknown };
  photo?: { file_id: string; file_size?: number; width: number; height: number }[];
  document?: { file_id: string; file_size?: number; mime_type?: string; file_name?: string };
  voice?: { file_id: string; file_size?: number; mime_type?: string };
  audio?: { file_id: string; file_size?: number; mime_type?: string; file_name?: string };
}

export interface TgEntity {
  type: string;
  offset: number;
  length: number;
  user?: { id: number };
}

export interface BotIdentity {
  id: number;
  username: string;
}

export interface AccessLists {
  /** User ids or @usernames; empty with `chats` empty = everyone. */
  users: string[];
  chats: string[];
}

/** The largest file the Bot API lets a bot download with getFile. */
export const MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024;

export interface MediaRef {
  fileId: string;
  /** 'file': any other document, read as text if it is text (conversation/attachments.ts). */
  kind: 'image' | 'audio' | 'file';
  mime: string;
  filename: string;
  /** Bytes, when Telegram says. */
  size?: number;
}

export type Inbound =
  | { action: 'ignore'; reason: string }
  | { action: 'refuse'; userId: string }
  | {
      action: 'answer';
      channel: ChannelKey;
      text: string;
      user: { id: string; name: string };
      isDirect: boolean;
      mentionsBot: boolean;
      replyToBot: boolean;
      threadId?: number;
      media: MediaRef[];
      tooLarge: boolean;
    };

export function channelKeyOf(chatId: number, threadId?: number): ChannelKey {
  return threadId === undefined ? `telegram:${chatId}` : `telegram:${chatId}:${threadId}`;
}

/** Allowed when no list is set, or the user or the chat is listed. */
export function isAllowed(access: AccessLists, msg: TgMessage): boolean {
  if (access.users.length === 0 && access.chats.length === 0) return true;
  const from = msg.from;
  const names = new Set(access.users.map((u) => u.replace(/^@/, '').toLowerCase()));
  if (from && (names.has(String(from.id)) || (from.username && names.has(from.username.toLowerCase())))) return true;
  return access.chats.includes(String(msg.chat.id));
}

function displayName(from: NonNullable<TgMessage['from']>): string {
  return [from.first_name, from.last_name].filter(Boolean).join(' ') || from.username || String(from.id);
}

/** Finds an @mention of the bot; returns the text with it removed. */
function stripMention(text: string, entities: TgEntity[], bot: BotIdentity): { text: string; mentioned: boolean } {
  const handle = `@${bot.username}`.toLowerCase();
  const hits = entities.filter(
    (e) =>
      (e.type === 'mention' && text.slice(e.offset, e.offset + e.length).toLowerCase() === handle) ||
      (e.type === 'text_mention' && e.user?.id === bot.id),
  );
  if (hits.length === 0) return { text, mentioned: false };
  let out = text;
  // Right to left, so earlier offsets stay valid. A text_mention keeps its visible name.
  for (const e of [...hits].sort((a, b) => b.offset - a.offset)) {
    if (e.type === 'mention') out = out.slice(0, e.offset) + out.slice(e.offset + e.length);
  }
  return { text: out.replace(/[ \t]{2,}/g, ' ').replace(/^[\s,:]+/, '').trim(), mentioned: true };
}

/** `/cmd` or `/cmd@bot` at the start: whether it is a command, and whether it is for us. */
function commandAddressing(text: string, entities: TgEntity[], bot: BotIdentity): { isCommand: boolean; forUs: boolean; text: string } {
  const entity = entities.find((e) => e.type === 'bot_command' && e.offset === 0);
  const m = /^\/([A-Za-z0-9_]+)(?:@([A-Za-z0-9_]+))?/.exec(text);
  if (!entity || !m) return { isCommand: false, forUs: false, text };
  const target = m[2];
  const forUs = !target || target.toLowerCase() === bot.username.toLowerCase();
  // parseCommand understands `/cmd args`; drop our @name so it reads the plain form.
  return { isCommand: true, forUs, text: `/${m[1]}${text.slice(m[0].length)}` };
}

function mediaOf(msg: TgMessage): { media: MediaRef[]; tooLarge: boolean } {
  const media: MediaRef[] = [];
  let tooLarge = false;
  const fits = (size?: number) => size === undefined || size <= MAX_DOWNLOAD_BYTES;
  if (msg.photo && msg.photo.length > 0) {
    // Sizes come smallest first; take the largest the Bot API will let us download.
    const best = [...msg.photo].reverse().find((p) => fits(p.file_size));
    if (best) media.push({ fileId: best.file_id, kind: 'image', mime: 'image/jpeg', filename: 'photo.jpg' });
    else tooLarge = true;
  }
  if (msg.document?.mime_type?.startsWith('image/')) {
    if (fits(msg.document.file_size)) {
      media.push({ fileId: msg.document.file_id, kind: 'image', mime: msg.document.mime_type, filename: msg.document.file_name ?? 'image' });
    } else tooLarge = true;
  } else if (msg.document) {
    // Too large or not text is decided in prepare, where the size limit is known; the user gets a note.
    const d = msg.document;
    media.push({ fileId: d.file_id, kind: 'file', mime: d.mime_type ?? 'application/octet-stream', filename: d.file_name ?? 'file', size: d.file_size });
  }
  const audio = msg.voice ?? msg.audio;
  if (audio) {
    if (fits(audio.file_size)) {
      const filename = msg.voice ? 'voice.ogg' : (msg.audio?.file_name ?? 'audio.mp3');
      media.push({ fileId: audio.file_id, kind: 'audio', mime: audio.mime_type ?? (msg.voice ? 'audio/ogg' : 'audio/mpeg'), filename });
    } else tooLarge = true;
  }
  return { media, tooLarge };
}

/**
 * DMs: everything is for the bot. Groups: only a mention, a reply to the bot, or a command
 * (not addressed to another bot). Senders outside the allowlists get a refusal in DMs and
 * silence in groups.
 */
export function classify(msg: TgMessage, bot: BotIdentity, access: AccessLists): Inbound {
  const from = msg.from;
  if (!from) return { action: 'ignore', reason: 'no sender' };
  if (from.is_bot) return { action: 'ignore', reason: 'from a bot' };
  if (msg.chat.type === 'channel') return { action: 'ignore', reason: 'channel post' };

  const isDirect = msg.chat.type === 'private';
  const raw = msg.text ?? msg.caption ?? '';
  const entities = msg.entities ?? msg.caption_entities ?? [];
  const { media, tooLarge } = mediaOf(msg);
  if (raw.trim() === '' && media.length === 0 && !tooLarge) return { action: 'ignore', reason: 'nothing to read' };

  // Mentions first: their entity offsets refer to the raw text.
  const mention = stripMention(raw, entities, bot);
  const command = commandAddressing(mention.text, entities, bot);
  if (command.isCommand && !command.forUs) return { action: 'ignore', reason: 'command for another bot' };
  // In a forum topic every message "replies" to the topic's first message: that is not a reply.
  const reply = msg.reply_to_message;
  const isTopicRoot = !!reply && (reply.forum_topic_created !== undefined || reply.message_id === msg.message_thread_id);
  const replyToBot = !!reply && !isTopicRoot && reply.from?.id === bot.id;

  const addressed = isDirect || mention.mentioned || replyToBot || command.isCommand;
  if (!addressed) return { action: 'ignore', reason: 'not addressed' };
  if (!isAllowed({ users: access.users, chats: access.chats }, msg)) {
    return isDirect ? { action: 'refuse', userId: String(from.id) } : { action: 'ignore', reason: 'not allowed' };
  }

  const threadId = msg.is_topic_message && msg.message_thread_id !== undefined ? msg.message_thread_id : undefined;
  return {
    action: 'answer',
    channel: channelKeyOf(msg.chat.id, threadId),
    text: command.text,
    user: { id: String(from.id), name: displayName(from) },
    isDirect,
    mentionsBot: mention.mentioned,
    replyToBot,
    threadId,
    media,
    tooLarge,
  };
}
