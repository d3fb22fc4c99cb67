// The Discord e2e stack: the fake upstream and the fake Discord (gateway + REST) on 127.0.0.1,
// the real core and the real discord.js client inside our adapter.
import type { CoreOptions } from '../../src/app.js';
import { createDiscordAdapter } from '../../adapters/discord/index.js';
import { startFakeDiscord, type FakeDiscord, type FakeDiscordOptions, type StoredMessage } from '../fakes/discord/server.js';
import { startFakeUpstream, type FakeUpstream, type FakeUpstreamOptions } from '../fakes/upstream/server.js';
import { testEnv } from '../helpers/env.js';
import { startHoldingProxy, type HoldingProxy } from '../helpers/holding-proxy.js';
import { assemble, startBot, type RunningBot } from '../helpers/stack.js';

export type DiscordAdapter = ReturnType<typeof createDiscordAdapter>;

export interface DiscordHarnessOptions {
  /** Settings on top of testEnv, the fake's token and URL and LLM_MAX_RETRIES=0; a function when they name the fake's ids. */
  env?: Record<string, string> | ((discord: FakeDiscord) => Record<string, string>);
  upstream?: FakeUpstreamOptions;
  discord?: FakeDiscordOptions;
  /** Default true: DISCORD_GUILD_ID is the fake's guild. False registers the commands globally. */
  guild?: boolean;
  core?: CoreOptions;
  /** A CDN proxy in front of the fake that holds the requests whose path matches (attachment downloads). */
  hold?: (path: string) => boolean;
}

export interface DiscordHarness extends RunningBot<DiscordAdapter> {
  upstream: FakeUpstream;
  discord: FakeDiscord;
  /** Present with `hold`; close() releases what it still holds first. */
  cdn: HoldingProxy | undefined;
}

function settings(upstream: FakeUpstream, discord: FakeDiscord, opts: DiscordHarnessOptions): Record<string, string> {
  const extra = typeof opts.env === 'function' ? opts.env(discord) : opts.env;
  return testEnv(upstream, {
    // A failed provider call shows at once, not after retries.
    LLM_MAX_RETRIES: '0',
    DISCORD_TOKEN: discord.token,
    DISCORD_API_URL: discord.apiUrl,
    ...(opts.guild === false ? {} : { DISCORD_GUILD_ID: discord.ids.guild }),
    ...extra,
  });
}

export function startDiscord(opts: DiscordHarnessOptions = {}): Promise<DiscordHarness> {
  return assemble(async (teardown) => {
    const upstream = teardown.closes(await startFakeUpstream(opts.upstream));
    const discord = teardown.closes(await startFakeDiscord(opts.discord));
    const cdn = opts.hold ? teardown.closes(await startHoldingProxy(discord.baseUrl, opts.hold)) : undefined;
    const bot = teardown.closes(await startBot(settings(upstream, discord, opts), (core) => createDiscordAdapter(core), opts.core));
    // Held downloads would keep the shutdown's drain waiting out its grace.
    if (cdn) teardown.add(() => cdn.releaseAll());
    return { ...bot, upstream, discord, cdn };
  });
}

/** The original response of slash command `interactionId` once `done(it)`; waits as discord.waitFor does. */
export function originalReply(discord: FakeDiscord, interactionId: string, done: (m: StoredMessage) => boolean, what: string, timeoutMs?: number): Promise<StoredMessage> {
  return discord.waitFor(() => {
    const original = discord.state.interactions.get(interactionId)?.originalMessageId;
    const message = original ? discord.state.messages.get(original) : undefined;
    return message && done(message) ? message : undefined;
  }, what, timeoutMs);
}
