// Builds the platform-neutral core (provider client, store, manager) from a Config.
// main.ts and every adapter's e2e test wire through here, so they run the same code.
import { secretValues, type Config } from './config/index.js';
import { ConversationManager } from './conversation/index.js';
import { managerSettings } from './conversation/settings.js';
import { OpenAIClient } from './llm/client.js';
import { clientFromConfig } from './llm/from-config.js';
import type { LlmClient } from './llm/types.js';
import { createLogger, registerSecret, type Logger } from './log.js';
import { ObservedRelay } from './ops/observed-relay.js';
import { OpsEvents } from './ops/events.js';
import { createStore, type HistoryStore } from './store/index.js';
import type { PersonaBook } from './conversation/personas.js';
import type { McpToolPool } from './tools/pool.js';
import type { ScaleRuntime } from './scale/runtime.js';

export interface Core {
  config: Config;
  logger: Logger;
  llm: LlmClient;
  store: HistoryStore;
  manager: ConversationManager;
  /** Observation hook: the manager, relay and adapters emit; metrics and the status page listen. */
  events: OpsEvents;
  /** The PERSONAS file's personas; undefined when it is not set. */
  personas?: PersonaBook;
  /** HISTORY_STORE=redis: the shared connection, store and slots adapters own their work through. */
  scale?: ScaleRuntime;
  /** Stops the manager (replies finish or end with a notice), then closes store and client. */
  close(): Promise<void>;
}

export interface CoreOptions {
  logger?: Logger;
  /** Replaces the provider client (benchmarks, tests of failure paths). */
  llm?: LlmClient;
  store?: HistoryStore;
  shutdownGraceMs?: number;
}

export async function createCore(config: Config, opts: CoreOptions = {}): Promise<Core> {
  // The core's and every adapter's declared secret fields (PlatformConfigSection.secrets).
  for (const secret of secretValues(config)) registerSecret(secret);
  const logger = opts.logger ?? createLogger(config.logLevel);
  // Read before anything connects: a wrong file stops start-up with one line naming the field.
  // Loaded only when set: the YAML parser is start-up time a bot without personas never needs.
  const personasPath = config.conversation.personasPath;
  const personas = personasPath ? (await import('./conversation/personas.js')).loadPersonas(personasPath) : undefined;
  const client = opts.llm ?? clientFromConfig(config.llm, logger.child({ component: 'llm' }));
  // Loaded only in redis mode: the client library is not needed otherwise.
  const scale = config.store.kind === 'redis' && !opts.store ? await (await import('./scale/runtime.js')).startScale(config.scale, logger) : undefined;
  const store = opts.store ?? scale?.store ?? createStore(config.store);
  const events = new OpsEvents();
  const tools = await connectTools(config, logger);
  const manager = new ConversationManager({
    tools,
    settings: managerSettings(config),
    llm: client,
    store,
    logger,
    relay: new ObservedRelay(events, { logger }),
    events,
    personas,
    shutdownGraceMs: opts.shutdownGraceMs,
  });
  let closed = false;
  return {
    config,
    logger,
    llm: client,
    store,
    manager,
    events,
    personas,
    scale,
    async close() {
      if (closed) return;
      closed = true;
      await manager.shutdown();
      await store.close();
      await scale?.close();
      await tools?.close();
      if (client instanceof OpenAIClient) await client.close();
    },
  };
}

/** MCP tools when MCP_SERVERS is set: a bad file stops start-up; an unreachable server is only left out. */
async function connectTools(config: Config, logger: Logger): Promise<McpToolPool | undefined> {
  if (!config.tools) return undefined;
  // Loaded only when configured: the MCP SDK costs start-up time and memory a bot without tools never needs.
  const [{ McpToolPool }, { loadMcpServers }] = await Promise.all([import('./tools/pool.js'), import('./tools/servers.js')]);
  const servers = loadMcpServers(config.tools.serversPath);
  const pool = new McpToolPool({ timeoutMs: config.tools.timeoutMs, maxResultChars: config.tools.maxResultChars, logger: logger.child({ component: 'tools' }) });
  await pool.connect(servers);
  return pool;
}
