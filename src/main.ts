// The composition root: load config, build the core, start the surfaces the config enables,
// stop everything cleanly on a signal. The one file in src/ that knows the adapters exist; it
// imports them lazily so a platform library loads only when that platform is configured.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { createCore, type Core } from './app.js';
import { createLogger, redact, type Logger } from './log.js';
import { StoreOpenError } from './store/sqlite.js';
import { RedisUnavailableError } from './scale/errors.js';
import { ConfigError, loadConfig, loadDotEnv, registerPlatformConfigs, type Config } from './config/index.js';
import { PLATFORM_CONFIGS } from '../adapters/platform-configs.js';
import type { OpsServer } from './ops/server.js';
import { SurfaceMonitor } from './ops/surfaces.js';
import type { Adapter, Platform } from './types.js';

/** A start-up failure the user can fix: printed as one line, no stack. */
class StartupError extends Error {}

const PLATFORM_NAMES: Record<Platform, string> = { discord: 'Discord', telegram: 'Telegram', mud: 'MUD', console: 'Console' };

/** The logger main() built, flushed before the process exits so no last line is lost. */
let activeLogger: Logger | undefined;

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
  onFatal: (adapter: Adapter, reason: string) => void,
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
    a.onFatal = (reason) => onFatal(a, reason);
    started.push(a);
    try {
      await a.start();
    } catch (err) {
      // Name the platform: "connect ECONNREFUSED 127.0.0.1:1" alone does not say it was Discord.
      const name = PLATFORM_NAMES[a.platform];
      const message = err instanceof Error ? err.message : String(err);
      const named = message.toLowerCase().startsWith(name.toLowerCase()) ? message : `${name}: ${message}`;
      throw Object.assign(new Error(named, { cause: err }), { name: err instanceof Error ? err.name : 'Error', platform: a.platform });
    }
    monitor.started(a);
    core.logger.info({ platform: a.platform }, 'surface started');
  }
}

/** The console's log file, open and ready (an async pino destination must not be flushed before
 * it is, or exit throws "sonic boom is not ready yet"). */
async function consoleLogger(config: Config): Promise<Logger> {
  const logFile = join(config.store.dataDir, 'console.log');
  try {
    mkdirSync(config.store.dataDir, { recursive: true });
    const dest = pino.destination({ dest: logFile, sync: false, mkdir: true });
    await new Promise<void>((resolve, reject) => {
      dest.once('ready', () => resolve());
      dest.once('error', reject);
    });
    return createLogger(config.logLevel, dest);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'EEXIST' || code === 'ENOTDIR' ? 'DATA_DIR is not a directory' : err instanceof Error ? err.message : String(err);
    throw new StartupError(`cannot write the log file ${logFile}: ${why}`);
  }
}

/** The validated settings, or the exit code after saying what is wrong. */
function readConfig(): Config | number {
  try {
    loadDotEnv();
    registerPlatformConfigs(PLATFORM_CONFIGS);
    const config = loadConfig();
    if (config.llm.apiKey) return config;
    process.stderr.write(NO_KEY_SCREEN);
    return 2;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\nSee .env.example for every setting.\n`);
    return 1;
  }
}

/** The core, or exit code 1 after one line naming what the user can fix. */
async function buildCore(config: Config): Promise<Core | number> {
  // In the console the terminal is the chat, so logs go to a file there instead of stdout.
  const consoleMode = !config.discord && !config.telegram && !config.mud;
  try {
    activeLogger = consoleMode ? await consoleLogger(config) : undefined;
    const core = await createCore(config, { logger: activeLogger });
    activeLogger = core.logger;
    return core;
  } catch (err) {
    // The store names its file; the log file is named above. Either way one line, exit 1.
    // PersonaError by name: its module (and the YAML parser) loads only when PERSONAS is set.
    if (!(err instanceof Error) || !(err instanceof StartupError || err instanceof StoreOpenError || err.name === 'PersonaError' || err instanceof RedisUnavailableError)) throw err;
    activeLogger?.fatal({ err }, 'start-up failed');
    process.stderr.write(`Start-up failed: ${redact(err.message)}\n`);
    return 1;
  }
}

/** The ops server when OPS_PORT is set; exit code 1 when it cannot listen. */
async function startOps(config: Config, core: Core, monitor: SurfaceMonitor): Promise<OpsServer | undefined | number> {
  if (!config.ops) return undefined;
  try {
    // Loaded only when on: prom-client is ~13 MB of RSS a service without OPS_PORT never needs.
    const { startOpsServer } = await import('./ops/server.js');
    return await startOpsServer({ ...config.ops, events: core.events, surfaces: monitor, store: core.store, queueDepth: () => core.manager.queueDepth, logger: core.logger });
  } catch (err) {
    core.logger.fatal({ err }, 'ops server failed to start');
    process.stderr.write(`Start-up failed: ops server on ${config.ops.host}:${config.ops.port}: ${err instanceof Error ? err.message : String(err)}\n`);
    await core.close();
    return 1;
  }
}

async function main(): Promise<number> {
  const config = readConfig();
  if (typeof config === 'number') return config;
  const core = await buildCore(config);
  if (typeof core === 'number') return core;
  const monitor = new SurfaceMonitor(core.events);
  const ops = await startOps(config, core, monitor);
  if (typeof ops === 'number') return ops;
  return serve(config, core, monitor, ops);
}

/** Runs the surfaces until a signal, a dead surface or the console's end; resolves to the exit code. */
function serve(config: Config, core: Core, monitor: SurfaceMonitor, ops: OpsServer | undefined): Promise<number> {
  const adapters: Adapter[] = [];
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

  return new Promise<number>((resolve) => {
    const finish = (reason: string, code: number) => void stop(reason).then(() => resolve(code));
    process.once('SIGINT', () => finish('SIGINT', 0));
    process.once('SIGTERM', () => finish('SIGTERM', 0));
    // A surface that died for good (e.g. its token was revoked) must not leave a live process
    // that answers nowhere: say what to fix, stop the rest, exit 1 so a supervisor notices.
    const surfaceDied = (adapter: Adapter, reason: string) => {
      core.logger.fatal({ platform: adapter.platform, reason }, 'a surface stopped for good');
      process.stderr.write(`${reason}\n`);
      finish('surface died', 1);
    };
    startAdapters(core, config, adapters, monitor, () => finish('console closed', 0), surfaceDied).catch((err: unknown) => {
      const message = err instanceof Error ? err.message : String(err);
      // A wrong profile is the user's to fix: its message names the field; no stack needed.
      if (err instanceof Error && err.name === 'ProfileError') core.logger.fatal({ reason: message }, 'invalid MUD profile');
      else core.logger.fatal({ err, platform: (err as { platform?: string }).platform }, 'a surface failed to start');
      process.stderr.write(`Start-up failed: ${redact(message)}\n`);
      finish('start failed', 1);
    });
  });
}

/** Exits once the logger has written everything it holds (with a bound, should it hang). */
function exit(code: number): void {
  if (!activeLogger) process.exit(code);
  setTimeout(() => process.exit(code), 2_000);
  activeLogger.flush(() => process.exit(code));
}

main().then(exit, (err: unknown) => {
  process.stderr.write(`parley crashed: ${redact(err instanceof Error ? err.message : String(err))}\n`);
  exit(1);
});
