// The composition root: load config, build the core, start the surfaces the config enables,
// stop everything cleanly on a signal. The one file in src/ that knows the adapters exist; it
// imports them lazily so a platform library loads only when that platform is configured.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { createCore, type Core } from './app.js';
import { createLogger } from './log.js';
import { ConfigError, loadConfig, loadDotEnv, type Config } from './config/index.js';
import type { OpsServer } from './ops/server.js';
import { SurfaceMonitor } from './ops/surfaces.js';
import type { Adapter } from './types.js';

const NO_KEY_SCREEN = `parley needs an OpenAI-compatible API to talk to.

Set these in .env (copy .env.example) or in the environment:
  OPENAI_API_KEY=sk-...                       your key (any value for keyless servers)
  OPENAI_BASE_URL=https://api.openai.com/v1   or your relay's prefix, e.g. https://host/openai

To try it offline against the bundled fake provider:
  npm run fake:upstream          (in another terminal)
  OPENAI_BASE_URL=http://127.0.0.1:8787/v1 OPENAI_API_KEY=test-key npm start

Then set DISCORD_TOKEN, TELEGRAM_BOT_TOKEN or MUD_PROFILE to put it on a platform;
with none set, npm start opens this console chat.
`;

/** Creates every configured surface, then starts them one by one into `started` (so a failure
 * half-way still leaves the ones already running to be stopped cleanly). */
async function startAdapters(
  core: Core,
  config: Config,
  started: Adapter[],
  monitor: SurfaceMonitor,
  onConsoleExit: () => void,
): Promise<void> {
  const adapters: Adapter[] = [];
  if (config.discord) adapters.push((await import('../adapters/discord/index.js')).createDiscordAdapter(core));
  if (config.telegram) adapters.push((await import('../adapters/telegram/index.js')).createTelegramAdapter(core));
  if (config.mud) adapters.push((await import('../adapters/mud/index.js')).createMudAdapter(core));
  if (adapters.length === 0) {
    adapters.push((await import('../adapters/console/index.js')).createConsoleAdapter(core, { onExit: onConsoleExit }));
  }
  for (const a of adapters) monitor.add(a);
  for (const a of adapters) {
    started.push(a);
    await a.start();
    monitor.started(a);
    core.logger.info({ platform: a.platform }, 'surface started');
  }
}

async function main(): Promise<number> {
  let config: Config;
  try {
    loadDotEnv();
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\nSee .env.example for every setting.\n`);
      return 1;
    }
    throw err;
  }
  if (!config.llm.apiKey) {
    process.stderr.write(NO_KEY_SCREEN);
    return 2;
  }

  // In the console the terminal is the chat, so logs go to a file there instead of stdout.
  const consoleMode = !config.discord && !config.telegram && !config.mud;
  let logger;
  if (consoleMode) {
    mkdirSync(config.store.dataDir, { recursive: true });
    const logFile = join(config.store.dataDir, 'console.log');
    logger = createLogger(config.logLevel, pino.destination({ dest: logFile, sync: false, mkdir: true }));
  }
  const core = await createCore(config, { logger });
  const adapters: Adapter[] = [];
  const monitor = new SurfaceMonitor(core.events);
  let ops: OpsServer | undefined;
  if (config.ops) {
    try {
      // Loaded only when on: prom-client is ~13 MB of RSS a service without OPS_PORT never needs.
      const { startOpsServer } = await import('./ops/server.js');
      ops = await startOpsServer({ ...config.ops, events: core.events, surfaces: monitor, store: core.store, queueDepth: () => core.manager.queueDepth, logger: core.logger });
    } catch (err) {
      core.logger.fatal({ err }, 'ops server failed to start');
      process.stderr.write(`Start-up failed: ops server on ${config.ops.host}:${config.ops.port}: ${err instanceof Error ? err.message : String(err)}\n`);
      await core.close();
      return 1;
    }
  }
  let stopping: Promise<void> | undefined;
  const stop = (reason: string) => {
    stopping ??= (async () => {
      core.logger.info({ reason }, 'shutting down');
      // Readiness fails first, so a load balancer stops sending work while replies drain.
      monitor.beginShutdown();
      // Replies in flight finish (or end with a notice) while every surface is still connected;
      // then the surfaces disconnect; then the store and the provider client close.
      await core.manager.shutdown();
      await Promise.allSettled(adapters.map((a) => a.stop()));
      await core.close();
      await ops?.close();
    })();
    return stopping;
  };

  const exitCode = await new Promise<number>((resolve) => {
    const finish = (reason: string, code: number) => void stop(reason).then(() => resolve(code));
    process.once('SIGINT', () => finish('SIGINT', 0));
    process.once('SIGTERM', () => finish('SIGTERM', 0));
    startAdapters(core, config, adapters, monitor, () => finish('console closed', 0)).catch((err: unknown) => {
      const message = err instanceof Error ? err.message : String(err);
      // A wrong profile is the user's to fix: its message names the field; no stack needed.
      if (err instanceof Error && err.name === 'ProfileError') core.logger.fatal({ reason: message }, 'invalid MUD profile');
      else core.logger.fatal({ err }, 'a surface failed to start');
      process.stderr.write(`Start-up failed: ${message}\n`);
      finish('start failed', 1);
    });
  });
  return exitCode;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`parley crashed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
