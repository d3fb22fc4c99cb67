// Bench sections for message flow: the provider cap under a flood (issue 9.4) and how long a
// shutdown takes with replies running and queued (issue 9.8). In-process fake upstream, so its
// request counters are readable. Numbers, not assertions.
import { performance } from 'node:perf_hooks';
import { createCore } from '../src/app.js';
import { loadConfig } from '../src/config/index.js';
import { createLogger } from '../src/log.js';
import { systemClock } from '../src/relay/clock.js';
import type { Incoming } from '../src/types.js';
import type { FakeClock } from '../test/relay/fake-clock.js';
import { FakeSurface } from '../test/relay/fake-surface.js';
import { startFakeUpstream, type FakeUpstream } from '../test/fakes/upstream/server.js';

const FLOOD_CHANNELS = 500;
const FLOOD_PER_CHANNEL = 4;
const SHUTDOWN_QUEUED = 4;
const SHUTDOWN_GRACE_MS = 2_000;

const fmt = (n: number, digits = 0) => n.toFixed(digits);
const surface = (channel: string) =>
  new FakeSurface({ clock: systemClock as unknown as FakeClock, limits: { minEditIntervalMs: 20 }, channel, platform: 'discord' });
const msg = (channel: string, user: string, text: string): Incoming => ({
  platform: 'discord', channel, user: { id: user, name: user }, text, mentionsBot: true, isDirect: false, replyToBot: false,
});

async function core(up: FakeUpstream, env: Record<string, string> = {}) {
  const config = loadConfig({ OPENAI_BASE_URL: up.url, OPENAI_API_KEY: 'bench-key', HISTORY_STORE: 'memory', LOG_LEVEL: 'silent', RATE_LIMIT_PER_MINUTE: '0', LLM_MAX_RETRIES: '0', ...env });
  return createCore(config, { logger: createLogger('silent') });
}

/** 2,000 messages over 500 channels at once: peak provider requests in flight, and wall time. */
export async function flood(): Promise<void> {
  const up = await startFakeUpstream({ reply: 'a short answer of a few words', chunkDelayMs: 5 });
  const c = await core(up);
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: FLOOD_CHANNELS }, (_, i) => {
      const s = surface(`f-${i}`);
      return Promise.all(Array.from({ length: FLOOD_PER_CHANNEL }, (_, k) => c.manager.handle(msg(s.channel, `u${i}`, `q${k}`), s)));
    }),
  );
  const wall = performance.now() - t0;
  const calls = up.requests.filter((r) => r.route === 'chat/completions').length;
  console.log(`\n== flood: ${FLOOD_CHANNELS * FLOOD_PER_CHANNEL} messages over ${FLOOD_CHANNELS} channels at once (PROVIDER_CONCURRENCY ${c.config.conversation.providerConcurrency})`);
  console.log(`provider calls ${calls}   peak in flight ${up.maxOpen} (goal <= ${c.config.conversation.providerConcurrency})   wall ${fmt(wall / 1000, 1)} s`);
  await c.close();
  await up.close();
}

/** SIGTERM-like stop with one reply running and four queued: time to stop, requests after it. */
export async function shutdown(): Promise<void> {
  console.log(`\n== shutdown with 1 reply running and ${SHUTDOWN_QUEUED} queued (SHUTDOWN_GRACE_MS ${SHUTDOWN_GRACE_MS})`);
  for (const stalls of [false, true]) {
    const up = await startFakeUpstream({ reply: Array.from({ length: 60 }, (_, i) => `w${i}`).join(' '), chunkDelayMs: 20 });
    if (stalls) up.setNext({ route: 'chat/completions', stall: 'mid-stream', afterChunks: 3 });
    const c = await core(up, { PROVIDER_CONCURRENCY: '1', SHUTDOWN_GRACE_MS: String(SHUTDOWN_GRACE_MS) });
    const work = Array.from({ length: SHUTDOWN_QUEUED + 1 }, (_, i) => c.manager.handle(msg(`s-${i}`, `u${i}`, 'go'), surface(`s-${i}`)));
    await up.waitForRequests((r) => r.length === 1);
    const before = up.requests.length;
    const t0 = performance.now();
    await c.manager.shutdown();
    const ms = performance.now() - t0;
    await Promise.all(work);
    console.log(
      `${stalls ? 'running reply stalls    ' : 'running reply finishes  '} stop took ${fmt(ms)} ms (goal <= ${SHUTDOWN_GRACE_MS + 1000})   ` +
        `provider requests after the signal ${up.requests.length - before}`,
    );
    await c.close();
    await up.close();
  }
}
