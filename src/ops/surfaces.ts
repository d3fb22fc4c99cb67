// Which surfaces are serving, for /readyz, the status page and the surface gauges. A surface is
// "starting" until its start() resolves, then up or down as its isUp() says (up when it has
// none), and down for good once shutdown begins.
import type { Adapter, Platform } from '../types.js';
import type { OpsEvents, SurfaceState } from './events.js';

export interface SurfaceStatus {
  platform: Platform;
  state: SurfaceState;
  up: boolean;
}

interface Entry {
  adapter: Adapter;
  started: boolean;
  last?: SurfaceState;
  /** Was up once: a later down-then-up is a reconnect. */
  wasUp: boolean;
}

export class SurfaceMonitor {
  private readonly entries: Entry[] = [];
  private stopping = false;

  constructor(private readonly events: OpsEvents) {}

  /** A surface that is about to start. */
  add(adapter: Adapter): void {
    this.entries.push({ adapter, started: false, wasUp: false });
    this.sample();
  }

  /** Its start() resolved. */
  started(adapter: Adapter): void {
    const entry = this.entries.find((e) => e.adapter === adapter);
    if (entry) entry.started = true;
    this.sample();
  }

  /** Shutdown began: readiness fails from now on. */
  beginShutdown(): void {
    if (this.stopping) return;
    this.stopping = true;
    this.events.emit({ type: 'shutdown' });
    this.sample();
  }

  get shuttingDown(): boolean {
    return this.stopping;
  }

  /** The current state of every surface; reports changes as events. */
  sample(): SurfaceStatus[] {
    return this.entries.map((entry) => {
      const state = this.stateOf(entry);
      if (state !== entry.last) {
        entry.last = state;
        this.events.emit({ type: 'surface.state', platform: entry.adapter.platform, state });
        if (entry.adapter.platform === 'mud') {
          this.events.emit({ type: 'mud.link', up: state === 'up' });
          if (state === 'up' && entry.wasUp) this.events.emit({ type: 'mud.reconnect' });
        }
        if (state === 'up') entry.wasUp = true;
      }
      return { platform: entry.adapter.platform, state, up: state === 'up' };
    });
  }

  private stateOf(entry: Entry): SurfaceState {
    if (this.stopping) return 'down';
    if (!entry.started) return 'starting';
    return (entry.adapter.isUp?.() ?? true) ? 'up' : 'down';
  }
}
