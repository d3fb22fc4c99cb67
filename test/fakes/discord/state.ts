// What the fake Discord remembers: the messages the bot wrote (with every version of their
// text), interactions and their callbacks, registered commands, uploaded attachments, and a log
// of every REST request, so tests assert on what a Discord user would actually see.

export interface StoredFile {
  filename: string;
  contentType: string;
  bytes: Uint8Array;
}

export interface StoredMessage {
  id: string;
  channelId: string;
  /** Current text. */
  content: string;
  /** Every text this message has shown, in order (creation first, then each edit). */
  versions: string[];
  files: StoredFile[];
  /** `allowed_mentions` of every write (creation and edits). */
  allowedMentions: unknown[];
  /** Id of the message this one replies to. */
  replyTo?: string;
  /** Set for messages written through an interaction's webhook. */
  interactionId?: string;
  /** The interaction's original response (deferred or immediate), as opposed to a follow-up. */
  isOriginal?: boolean;
  flags: number;
  createdAt: number;
  deleted?: boolean;
  author: Record<string, unknown>;
  /** The process that created it, when clients use `apiUrlFor(instance)`. */
  sentBy?: string;
}

export interface StoredInteraction {
  id: string;
  token: string;
  channelId: string;
  createdAt: number;
  /** Callback type the bot answered with (4 reply, 5 deferred, 8 autocomplete), once. */
  callbackType?: number;
  callbackAt?: number;
  /** What an autocomplete callback offered. */
  choices?: { name: string; value: string }[];
  originalMessageId?: string;
  /** Set when a callback came too late or twice: what Discord answered. */
  rejected?: string;
}

export interface RecordedRequest {
  method: string;
  /** Path after /api/v10, decoded (`@original`, not `%40original`). */
  path: string;
  query: string;
  status: number;
  body: unknown;
  /** Headers the fake answered with (rate-limit headers among them). */
  headers: Record<string, string>;
  at: number;
}

export interface CommandData {
  id: string;
  application_id: string;
  guild_id?: string;
  version: string;
  name: string;
  description: string;
  type: number;
  options?: unknown[];
  [key: string]: unknown;
}

export class FakeDiscordState {
  readonly messages = new Map<string, StoredMessage>();
  /** Messages users sent (through the test API), for replies and references. */
  readonly userMessages = new Map<string, Record<string, unknown>>();
  readonly interactions = new Map<string, StoredInteraction>();
  readonly globalCommands: CommandData[] = [];
  readonly guildCommands = new Map<string, CommandData[]>();
  /** Bulk-overwrite PUTs received, per scope ('global' or a guild id). */
  readonly commandPuts: string[] = [];
  readonly requests: RecordedRequest[] = [];
  /** Files served under /attachments for bots to download (user uploads). */
  readonly attachments = new Map<string, StoredFile>();
  typingCount = 0;

  /** Messages the bot wrote in a channel (interaction replies included), oldest first. */
  botMessagesIn(channelId: string): StoredMessage[] {
    return [...this.messages.values()].filter((m) => m.channelId === channelId && !m.deleted).sort((a, b) => a.createdAt - b.createdAt);
  }

  /** 429s the fake answered (a well-paced bot causes none). */
  get rateLimitHits(): number {
    return this.requests.filter((r) => r.status === 429).length;
  }

  countRequests(method: string, pattern: RegExp): number {
    return this.requests.filter((r) => r.method === method && pattern.test(r.path)).length;
  }
}
