// Core contracts shared by the conversation manager, the relay and every adapter.
// The core knows no platform library: adapters translate their events into these shapes.
import type { StoredTurn } from './store/types.js';

/**
 * Names one conversation:
 * `discord:<guild|dm>:<channel or thread>`, `telegram:<chatId>[:<topicId>]`,
 * `mud:<profile>:<trigger scope>`, `console:local`.
 */
export type ChannelKey = string;

export type Platform = 'discord' | 'telegram' | 'mud' | 'console';

export interface UserRef {
  /** Stable platform id (Discord snowflake, Telegram user id, MUD character name). */
  id: string;
  /** Display name; sanitised before it reaches the model's `name` field. */
  name: string;
}

/** An image the user attached: a URL the model can fetch, or bytes we inline as a data: URL. */
export interface ImageInput {
  url?: string;
  bytes?: Uint8Array;
  /** e.g. image/png; required with bytes. */
  mime?: string;
}

/** An audio clip the user sent (voice note, audio attachment) to be transcribed. */
export interface AudioInput {
  bytes: Uint8Array;
  /** File name with an extension the transcription API recognises (e.g. voice.ogg). */
  filename: string;
  mime?: string;
}

/** A file the user attached, read as text; or why it was not (the user is told in one note). */
export interface TextFile {
  name: string;
  text?: string;
  skipped?: 'too_large' | 'binary';
}

/** The command vocabulary, the same on every surface; each platform spells it its own way. */
export type Command =
  | { kind: 'chat'; text: string }
  /** `all` also clears the channel's persona (a plain reset keeps it). */
  | { kind: 'reset'; all?: boolean }
  | { kind: 'image'; prompt: string }
  | { kind: 'tts'; text: string }
  | { kind: 'voice'; on?: boolean }
  /** MCP tools in this channel: show them, or (admins) switch them on or off. */
  | { kind: 'tools'; on?: boolean }
  | { kind: 'model'; name?: string }
  | { kind: 'system'; prompt?: string }
  /** Shows the personas (no name) or sets this channel's persona. */
  | { kind: 'persona'; name?: string }
  | { kind: 'stop' }
  | { kind: 'retry' }
  | { kind: 'usage' }
  | { kind: 'help' }
  /** Line-mode surfaces cap long answers; `more` sends the next page. */
  | { kind: 'more' };

export type CommandKind = Command['kind'];

/** One inbound message, platform-neutral. */
export interface Incoming {
  platform: Platform;
  channel: ChannelKey;
  user: UserRef;
  /** The text with the bot mention already removed. */
  text: string;
  /** Set when the platform already parsed a command (Discord slash command, MUD keyword). */
  command?: Command;
  images?: ImageInput[];
  audio?: AudioInput;
  mentionsBot: boolean;
  isDirect: boolean;
  replyToBot: boolean;
  /** True in group channels: user turns then carry the speaker's name. */
  isGroup?: boolean;
  /** Platform message id, for logs. */
  messageId?: string;
  /** Attached files, read as text where they are text (see conversation/attachments.ts). */
  files?: TextFile[];
  /**
   * The conversation this message continues, when the platform knows it better than the
   * channel's history does (a Discord reply chain): used instead of the channel's stored turns.
   */
  context?: StoredTurn[];
}

/** Opaque handle of a message a Surface sent, used to edit it later. */
export type MessageRef = unknown;

export interface EditOptions {
  /**
   * The last write of this message: the text is complete. Surfaces that render markup
   * (Telegram HTML) or finish a preview (Telegram drafts) do it here.
   */
  final?: boolean;
}

export interface LineModeLimits {
  /** Display columns per line (CJK full-width counts 2). */
  width: number;
  /** At most one line per this interval. */
  pacingMs: number;
  /** Lines per answer before it pauses with a "more" hint; undefined = no cap. */
  maxLines?: number;
  /** Extra check that a wrapped line fits (e.g. encoded bytes with the reply template). */
  fits?: (line: string) => boolean;
}

export interface SurfaceLimits {
  /** Longest message the platform accepts, measured with `measure`. */
  maxChars: number;
  canEdit: boolean;
  /** Edits of one message no faster than this. */
  minEditIntervalMs: number;
  /** Early frames the platform allows faster than `minEditIntervalMs` (see src/relay/cadence.ts); none when unset. */
  cadence?: CadenceLimits;
  /** Length as the platform counts it (Telegram: UTF-16 units; default: code points). */
  measure?: (text: string) => number;
  /** Set for surfaces without edits that take whole lines (MUD). */
  lineMode?: LineModeLimits;
  /** False where sound cannot be played (MUD): tts and voice mode answer with a notice. Default true. */
  audio?: boolean;
  /** Format to ask the TTS for (Telegram voice notes: 'opus'; Discord: 'mp3'). Default 'mp3'. */
  audioFormat?: AudioFormat;
}

/** A short burst of early frames, each as soon as the text grew by a readable step. */
export interface CadenceLimits {
  /** Frames after the first that may come sooner than the steady interval. */
  burst: number;
  /** The least time between two of those frames. */
  minGapMs: number;
  /** The least time between the last frame and the final write; default `minEditIntervalMs`. */
  finalGapMs?: number;
}

export type AudioFormat = 'mp3' | 'opus' | 'aac' | 'flac' | 'wav';

export interface ImageOutput {
  bytes?: Uint8Array;
  /** Provider URL (expires); surfaces that cannot take files show it. */
  url?: string;
  mime: string;
}

/** Where a reply goes and what it may look like there: shared by a Surface and its Transport. */
export interface ChannelEndpoint {
  readonly platform: Platform;
  readonly channel: ChannelKey;
  readonly limits: SurfaceLimits;
  /** How users spell commands here, for help text: '/' (console, Telegram, Discord) or '' (MUD). */
  readonly commandPrefix: string;
}

/**
 * How to answer on one channel. The relay and manager only ever talk to a Surface; adapters
 * build one per reply as a ReplySession (src/relay/reply-session.ts) over their Transport.
 */
export interface Surface<Ref = MessageRef> extends ChannelEndpoint {
  /**
   * Posts a new message. With `{ final: true }` the text is already complete and no edit will
   * follow: a surface that renders markup on the final edit renders it here instead.
   */
  send(text: string, opts?: EditOptions): Promise<Ref>;
  edit(ref: Ref, text: string, opts?: EditOptions): Promise<void>;
  sendImage(image: ImageOutput, caption?: string): Promise<void>;
  sendAudio(bytes: Uint8Array, format: AudioFormat): Promise<void>;
  /** Show "typing…" (or an upload action); cheap to call repeatedly. */
  typing(action?: TypingAction): Promise<void>;
  /** Optional: called once when a reply ends (success, error or stop), e.g. to clear a draft. */
  close?(): Promise<void>;
}

export type TypingAction = 'typing' | 'upload_photo' | 'record_voice';

/** Why a transport call failed, in the terms the reply session's retry policy needs. */
export type SurfaceErrorKind =
  /** The platform said to wait (`retryAfterMs`); the whole chat waits. */
  | 'rate_limited'
  /** The message to patch no longer exists (deleted): post it anew. */
  | 'gone'
  /** The platform refused the rendered markup: send the same text plain. */
  | 'markup_rejected'
  /** The text is over the platform's limit. */
  | 'too_long'
  /** A server or network failure worth another try. */
  | 'transient'
  /** Any other refusal (bad request, no permission): trying again would fail the same way. */
  | 'refused';

/** What every transport throws: each adapter maps its library's errors to one of these kinds. */
export class SurfaceError extends Error {
  override readonly name = 'SurfaceError';
  readonly retryAfterMs: number | undefined;

  constructor(
    readonly kind: SurfaceErrorKind,
    message: string,
    opts: { retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: opts.cause });
    this.retryAfterMs = opts.retryAfterMs;
  }
}

export interface PostOptions {
  /** The text is complete: a transport that renders markup renders it now. */
  final?: boolean;
  /** The rendered markup was refused: send the text as it is. */
  plain?: boolean;
}

/** A file a transport uploads (or, where it cannot, describes in a line). */
export type Upload =
  | { kind: 'image'; image: ImageOutput; caption?: string }
  | { kind: 'audio'; bytes: Uint8Array; format: AudioFormat };

/**
 * One platform conversation as the thinnest thing that can carry a reply: a new platform adapter
 * implements this (plus event → work translation and a config schema), nothing more. Every call
 * either succeeds or throws a SurfaceError (other errors are not retried). Pacing, retries,
 * flood waits, typing renewal, drafts and finalisation are the reply session's. Its `limits` are
 * those while streaming by patches (or, without patches, by whole posts).
 */
export interface Transport<Ref> extends ChannelEndpoint {
  /** Posts a new message and returns its handle. */
  post(text: string, opts?: PostOptions): Promise<Ref>;
  /** Rewrites a message this transport posted. */
  patch(ref: Ref, text: string, opts?: PostOptions): Promise<void>;
  /**
   * Optional: an animated preview of a message being written (Telegram drafts), which a final
   * `post` replaces. `id` is a positive 31-bit number, fresh per message.
   */
  preview?(id: number, text: string): Promise<void>;
  /** Limits while streaming by previews (they usually allow a faster cadence). */
  readonly previewLimits?: Pick<SurfaceLimits, 'minEditIntervalMs' | 'cadence'>;
  upload(item: Upload): Promise<void>;
  /** Optional: shows an activity indicator once; the session renews it every `typingRenewMs`. */
  typing?(action: TypingAction): Promise<void>;
  readonly typingRenewMs?: number;
  /**
   * True when the final write of `text` does more than the frames did (renders markup, ends the
   * line): the session then writes it even when the message already shows `text`.
   */
  needsFinalWrite?(text: string): boolean;
}

/** A platform surface's lifecycle, owned by main.ts. Everything that starts can be stopped. */
export interface Adapter {
  readonly platform: Platform;
  start(): Promise<void>;
  /** Stop taking messages, let replies in flight finish or end with a notice, disconnect. */
  stop(): Promise<void>;
  /**
   * Set by main.ts before start(). The adapter calls it once when its surface is dead for good
   * after a successful start (e.g. a revoked token), with one line saying what to fix; main.ts
   * then logs it, stops everything and exits 1. Failures during start() reject start() instead.
   */
  onFatal?: (reason: string) => void;
  /**
   * Optional: whether the surface is serving right now (gateway ready, polling, logged in).
   * Readiness and the status page ask it; without it a surface counts as up once started.
   */
  isUp?(): boolean;
}
