// The MUD surface: a bot character in a telnet game, answering tells, room and channel lines.
// Settings come from the YAML profile named by MUD_PROFILE (core.config.mud).
import type { Core } from '../../src/app.js';
import type { Adapter } from '../../src/types.js';
import { MudBridge } from './bridge.js';
import { MudConnection, type ConnectionState } from './connection.js';
import { createOwnedMudAdapter, type LeasedMudAdapter } from './owner.js';
import { loadProfile, type Profile } from './profile.js';

export { loadProfile, parseProfile, ProfileError, type Profile } from './profile.js';
export { MudSurface } from './surface.js';

export interface MudAdapterOptions {
  /** A profile already loaded (tests); otherwise core.config.mud.profilePath is read. */
  profile?: Profile;
  /** For tests: replaces Math.random in the reconnect jitter. */
  random?: () => number;
}

export interface MudAdapter extends Adapter {
  readonly profile: Profile;
  /** Resolves the next time the character is in the game. */
  whenReady(): Promise<void>;
  readonly state: ConnectionState;
}

/** Throws ProfileError (naming the field) when the profile is wrong. */
export function createMudAdapter(core: Core, opts: MudAdapterOptions = {}): MudAdapter {
  const settings = core.config.mud;
  if (!opts.profile && !settings) throw new Error('MUD adapter: MUD_PROFILE is not set');
  const profile = opts.profile ?? loadProfile(settings!.profilePath, { password: settings!.password });
  // Several instances on one Redis: only the holder of mud:<id> logs in (owner.ts).
  if (core.scale) {
    return createOwnedMudAdapter(core, profile, (o) => createLeasedMudAdapter(core, { ...o, profile }), opts);
  }
  return createLeasedMudAdapter(core, { ...opts, profile });
}

/** The character connected by this process, with no slot to ask for. */
function createLeasedMudAdapter(core: Core, opts: MudAdapterOptions & { profile: Profile }): LeasedMudAdapter {
  const { profile } = opts;
  const logger = core.logger.child({ platform: 'mud', profile: profile.id });

  // The bridge writes through the connection's paced queue (called only after start()).
  const bridge: MudBridge = new MudBridge({ core, profile, logger, write: (command) => connection.send(command) });
  const connection = new MudConnection({
    profile,
    logger,
    random: opts.random,
    onLine: (line) => bridge.onLine(line),
    onDisconnect: (reason) => logger.info({ reason }, 'MUD disconnected'),
    onFatal: (reason) => {
      logger.error({ reason }, 'MUD surface cannot go on');
      adapter.onFatal?.(reason);
    },
  });

  const adapter: LeasedMudAdapter = {
    platform: 'mud',
    profile,
    get state() {
      return connection.state;
    },
    whenReady: () => connection.whenReady(),
    isUp: () => connection.state === 'ready',
    async start() {
      logger.info({ host: profile.host, port: profile.port, character: profile.name }, 'MUD adapter starting');
      connection.start();
    },
    // main.ts drained the dispatcher (core.manager.shutdown) before: this only quits.
    async stop() {
      bridge.stopAccepting();
      await connection.stop();
    },
    async detach(drain) {
      bridge.stopAccepting();
      if (!drain) return connection.drop();
      // Replies still need the connection to finish or say "(stopped)"; then the character quits.
      await core.manager.drain(drain);
      await connection.stop();
    },
  };
  return adapter;
}
