// A MUD character on several instances sharing one Redis (issue 11): the connection is the slot
// `mud:<profile id>`, and only its holder logs in. A lease that could not be renewed drops the
// socket at once (the character stays link-dead for the next holder, who logs in again; see the
// profile's optional login steps); a graceful give-back lets replies finish and says `quit`.
import type { Core } from '../../src/app.js';
import type { ChannelFilter } from '../../src/conversation/dispatcher.js';
import { mudSlot } from '../../src/scale/slots.js';
import { SlotRunner, type SlotWork } from '../../src/scale/slot-runner.js';
import type { MudAdapter, MudAdapterOptions } from './index.js';
import type { ConnectionState } from './connection.js';
import type { Profile } from './profile.js';

/** A single-character MUD adapter that can let go of its connection without waiting. */
export interface LeasedMudAdapter extends MudAdapter {
  /**
   * Stops taking lines. With `drain`, the dispatcher finishes the work of those channels and the
   * character quits; without, the socket closes at once (the lease is gone).
   */
  detach(drain?: ChannelFilter): Promise<void>;
}


/** The MUD surface of one instance among several: connects only while it holds the slot. */
export function createOwnedMudAdapter(core: Core, profile: Profile, forSlot: (opts: MudAdapterOptions) => LeasedMudAdapter, opts: MudAdapterOptions = {}): MudAdapter {
  const logger = core.logger.child({ platform: 'mud', profile: profile.id });
  if (!core.scale) throw new Error('MUD slots need HISTORY_STORE=redis');
  const slot = mudSlot(profile.id);
  // Channel keys are mud:<profile id>:<scope>.
  const ownsChannel: ChannelFilter = (channel) => channel.startsWith(`${slot}:`);
  let current: LeasedMudAdapter | undefined;
  let readyWaiters: (() => void)[] = [];
  const runner = new SlotRunner({
    scale: core.scale,
    slots: [slot],
    slotOf: (channel) => (ownsChannel(channel) ? slot : undefined),
    start: async (): Promise<SlotWork> => {
      const inner = forSlot({ ...opts, profile });
      inner.onFatal = (reason) => adapter.onFatal?.(reason);
      current = inner;
      await inner.start();
      logger.info({ character: profile.name }, 'MUD slot held: logging in');
      void inner.whenReady().then(() => {
        if (current === inner) for (const wake of readyWaiters.splice(0)) wake();
      });
      return {
        async stop(now) {
          if (current === inner) current = undefined;
          await inner.detach(now ? undefined : ownsChannel);
          logger.info({ now }, 'MUD slot given up: disconnected');
        },
      };
    },
    onStartFailed: (_slot, err) => adapter.onFatal?.(`MUD ${profile.id}: ${err instanceof Error ? err.message : String(err)}`),
  });

  const adapter: MudAdapter = {
    platform: 'mud',
    profile,
    get state(): ConnectionState {
      return current?.state ?? 'idle';
    },
    whenReady: () => (current?.state === 'ready' ? Promise.resolve() : new Promise<void>((resolve) => readyWaiters.push(resolve))),
    // An instance waiting for the slot is healthy: the character plays elsewhere.
    isUp: () => current?.isUp?.() ?? true,
    start: () => runner.begin(),
    async stop() {
      readyWaiters = [];
      await runner.end();
    },
  };
  return adapter;
}
