// What a command handler gets: the command with the message and surface it came from, and the
// services of the core it may use.
import type { LlmClient } from '../../llm/types.js';
import type { Logger } from '../../log.js';
import type { HistoryStore } from '../../store/types.js';
import type { ChannelKey, Command, CommandKind, Incoming, Surface } from '../../types.js';
import type { ModelCatalog } from '../models.js';
import type { Paging } from '../paging.js';
import type { PersonaBook } from '../personas.js';
import type { ManagerSettings } from '../settings.js';
import type { Speaker } from '../speaker.js';
import type { ToolRunner } from '../tool-loop.js';

export interface CommandContext<K extends CommandKind = CommandKind> {
  cmd: Extract<Command, { kind: K }>;
  msg: Incoming;
  surface: Surface;
  /** Aborted by `stop` and shutdown (never, for commands answered at once). */
  signal: AbortSignal;
  log: Logger;
  requestId: string;
}

export interface CommandServices {
  settings: ManagerSettings;
  llm: LlmClient;
  store: HistoryStore;
  speaker: Speaker;
  paging: Paging;
  models: ModelCatalog;
  personas?: PersonaBook;
  tools?: ToolRunner;
  /** Stops the channel's reply in flight and drops its waiting messages; false when none. */
  stop(channel: ChannelKey): boolean;
  /** The model a channel's next reply uses: its own choice, its persona's, or the default. */
  currentModel(channel: ChannelKey): Promise<string>;
}

export type Handler<K extends CommandKind> = (ctx: CommandContext<K>, services: CommandServices) => Promise<void>;

/** One handler per kind: a kind added to `Command` without a handler does not compile. */
export type Handlers = { readonly [K in CommandKind]: Handler<K> };
