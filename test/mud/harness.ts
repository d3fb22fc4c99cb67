// The MUD e2e stack: a fake MUD (and the fake upstream) on 127.0.0.1, a shipped example profile
// pointed at it, the real core and our MUD adapter logged in.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import type { CoreOptions } from '../../src/app.js';
import { createMudAdapter, type MudAdapter, type MudAdapterOptions } from '../../adapters/mud/index.js';
import { createLogger } from '../../src/log.js';
import { startFakeMud, type FakeMud, type FakeMudOptions, type MudStyle } from '../fakes/mud/server.js';
import { startFakeUpstream, type FakeUpstream, type FakeUpstreamOptions } from '../fakes/upstream/server.js';
import { testEnv } from '../helpers/env.js';
import { assemble, startBot, type RunningBot } from '../helpers/stack.js';

export const PASSWORD = 'sekrit-pass';

const EXAMPLE_PROFILE = { diku: 'diku-example', lpc: 'lpc-gbk-example', evennia: 'evennia-example' } as const;

/** The shipped example profile of a style, as an object. */
export function exampleProfile(style: MudStyle): Record<string, unknown> {
  return parseYaml(readFileSync(`profiles/${EXAMPLE_PROFILE[style]}.yaml`, 'utf8')) as Record<string, unknown>;
}

/** Writes `profile` as YAML into a fresh temporary directory; returns its path and a remover. */
export function writeProfile(profile: Record<string, unknown>): { path: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'parley-mud-profile-'));
  const path = join(dir, 'profile.yaml');
  writeFileSync(path, toYaml(profile));
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface MudHarnessOptions {
  style?: MudStyle;
  mud?: FakeMudOptions;
  /** On top of the style's example profile and the fake's host and port. */
  profile?: Record<string, unknown>;
  /** Settings on top of testEnv, MUD_PROFILE and MUD_PASSWORD. */
  env?: Record<string, string>;
  upstream?: FakeUpstreamOptions;
  /** An upstream the suite runs for several bots: used, not closed. */
  sharedUpstream?: FakeUpstream;
  /** Default true: resolve once the character is in the game. */
  waitReady?: boolean;
  /** Collect the core's debug log lines in `logs`. */
  captureLogs?: boolean;
  /** Default: the reconnect jitter is always the middle of its range. */
  adapter?: MudAdapterOptions;
  core?: CoreOptions;
}

export interface MudHarness extends RunningBot<MudAdapter> {
  upstream: FakeUpstream;
  mud: FakeMud;
  /** The core's log lines with `captureLogs`; empty otherwise. */
  logs: string[];
}

/** A log sink for the core: every line lands in `logs`. */
function capturingLogger(logs: string[]) {
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs.push(String(chunk));
      cb();
    },
  });
  return createLogger('debug', sink);
}

export function startMud(opts: MudHarnessOptions = {}): Promise<MudHarness> {
  const style = opts.style ?? 'diku';
  return assemble(async (teardown) => {
    const upstream = opts.sharedUpstream ?? teardown.closes(await startFakeUpstream(opts.upstream));
    const mud = teardown.closes(await startFakeMud({ style, ...opts.mud }));
    const profile = writeProfile({ ...exampleProfile(style), host: mud.host, port: mud.port, ...opts.profile });
    teardown.add(() => profile.remove());
    const logs: string[] = [];
    const core = { ...(opts.captureLogs ? { logger: capturingLogger(logs) } : {}), ...opts.core };
    const settings = testEnv(upstream, { MUD_PROFILE: profile.path, MUD_PASSWORD: PASSWORD, ...opts.env });
    const make = (c: Parameters<typeof createMudAdapter>[0]) => createMudAdapter(c, opts.adapter ?? { random: () => 0.5 });
    const bot = teardown.closes(await startBot(settings, make, core));
    if (opts.waitReady ?? true) await bot.adapter.whenReady();
    return { ...bot, upstream, mud, logs };
  });
}
