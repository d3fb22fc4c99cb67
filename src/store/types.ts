// The history store contract. Small and process-agnostic (so a shared store can replace it):
// every call is atomic per channel and no caller keeps a long-lived copy of what it loaded.
import type { ToolCall } from '../llm/types.js';
import type { ChannelKey } from '../types.js';

export interface StoredTurn {
  /** `tool`: a tool's result, answering one of the previous assistant turn's `toolCalls`. */
  role: 'user' | 'assistant' | 'tool';
  /** Plain text; attachments are summarised as text (e.g. "[image]") rather than stored. */
  content: string;
  /** Sanitised speaker name for group channels. */
  name?: string;
  /** Epoch ms. */
  at: number;
  /** An answer cut short (error, stop, reply cap): the model is told so when it sees it again. */
  interrupted?: boolean;
  /** An assistant turn that called tools (kept so a follow-up can refer to the results). */
  toolCalls?: ToolCall[];
  /** A tool turn: the id of the call it answers. */
  toolCallId?: string;
}

/** Per-channel overrides; absent fields mean "use the global default". */
export interface ChannelSettings {
  systemPrompt?: string;
  model?: string;
  voice?: boolean;
  /** Name of a persona from the PERSONAS file. */
  persona?: string;
  /** MCP tools in this channel (admins switch them); unset = on when tools are configured. */
  tools?: boolean;
}

export interface HistoryStore {
  /** Turns of a channel, oldest first. */
  load(channel: ChannelKey): Promise<StoredTurn[]>;
  /** Appends turns, then keeps only the newest `maxMessages` of the channel. */
  append(channel: ChannelKey, turns: StoredTurn[], maxMessages: number): Promise<void>;
  /** Removes the newest `count` turns (retry regenerates the last answer). */
  dropLast(channel: ChannelKey, count: number): Promise<void>;
  /** Forgets the channel's history (settings stay). */
  reset(channel: ChannelKey): Promise<void>;
  getSettings(channel: ChannelKey): Promise<ChannelSettings>;
  /** Merges a patch; a field set to undefined is cleared. */
  setSettings(channel: ChannelKey, patch: Partial<ChannelSettings>): Promise<void>;
  /** Adds `by` to a counter that expires `ttlMs` after its first increment; returns the new value. */
  increment(key: string, by: number, ttlMs: number): Promise<number>;
  /** Reads a counter (0 when absent or expired). */
  counter(key: string): Promise<number>;
  close(): Promise<void>;
}
