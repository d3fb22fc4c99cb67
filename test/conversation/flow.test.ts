// Order, global concurrency, once-per-window notices and shutdown, through the real manager,
// relay and OpenAIClient against the fake upstream, which holds requests until the test lets
// them go (so "how many at once" and "in which order" are observed, not timed).
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createCore, type Core } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import { t } from '../../src/conversation/messages.js';
import { systemClock } from '../../src/relay/clock.js';
import type { Incoming } from '../../src/types.js';
import { startFakeUpstream, type FakeUpstream } from '../fakes/upstream/server.js';
import { testEnv } from '../helpers/env.js';
import type { FakeClock } from '../relay/fake-clock.js';
import { FakeSurface } from '../relay/fake-surface.js';

const surfaceFor = (channel: string) =>
  new FakeSurface({ clock: systemClock as unknown as FakeClock, limits: { minEditIntervalMs: 20 }, channel, platform: 'telegram' });

const message = (channel: string, user: string, text: string): Incoming => ({
  platform: 'telegram',
  channel,
  user: { id: user, name: user },
  text,
  mentionsBot: true,
  isDirect: false,
  replyToBot: false,
});

const deferred = <T = void>() => {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
};

describe('message flow', () => {
  let upstream: FakeUpstream;
  let core: Core | undefined;

  const chats = () => upstream.requests.filter((r) => r.route === 'chat/completions');
  /** The user text each chat request asked about, in arrival order. */
  const asked = () =>
    chats().map((r) => {
      const msgs = (r.body as { messages: Array<{ role: string; content: string }> }).messages;
      return msgs.filter((m) => m.role === 'user').at(-1)!.content;
    });

  async function makeCore(env: Record<string, string> = {}, shutdownGraceMs?: number) {
    core = await createCore(loadConfig(testEnv(upstream, { LLM_MAX_RETRIES: '0', ...env })), { shutdownGraceMs });
    return core;
  }

  beforeAll(async () => {
    upstream = await startFakeUpstream({ reply: 'ok' });
  });
  afterEach(async () => {
    upstream.releaseAll();
    await core?.close();
    core = undefined;
    upstream.reset();
    vi.useRealTimers();
  });
  afterAll(async () => {
    await upstream.close();
  });

  it('PROVIDER_CONCURRENCY and SHUTDOWN_GRACE_MS: defaults 16 and 8000 (under the 10 s Docker waits), bad values named', () => {
    const conv = loadConfig(testEnv(upstream)).conversation;
    expect([conv.providerConcurrency, conv.shutdownGraceMs]).toEqual([16, 8000]);
    expect(() => loadConfig(testEnv(upstream, { PROVIDER_CONCURRENCY: '0' }))).toThrow(/PROVIDER_CONCURRENCY: must be a whole number from 1 to 10000 \(got 0\)/);
    expect(() => loadConfig(testEnv(upstream, { SHUTDOWN_GRACE_MS: 'soon' }))).toThrow(/SHUTDOWN_GRACE_MS: must be a whole number/);
  });

  it('answers in arrival order even when the first message is still preparing, and answers help at once (issue 8.3)', async () => {
    const { manager } = await makeCore();
    const download = deferred();
    const slow = surfaceFor('c');
    const fast = surfaceFor('c');
    const help = surfaceFor('c');
    const first = manager.submit('c', async () => (await download.promise, message('c', 'u1', 'with attachment')), slow);
    const second = manager.handle(message('c', 'u1', 'text only'), fast);
    await manager.handle(message('c', 'u1', '/help'), help);
    expect(help.finalTexts.join('\n')).toContain('/reset');
    expect(chats()).toHaveLength(0);
    download.resolve();
    await Promise.all([first, second]);
    expect(asked()).toEqual(['with attachment', 'text only']);
  });

  it('a stop while the first message is still downloading aborts the download and says stopped', async () => {
    const { manager } = await makeCore();
    const surface = surfaceFor('c');
    const aborted = deferred<boolean>();
    const first = manager.submit(
      'c',
      (signal) => new Promise<Incoming>((_, reject) => signal.addEventListener('abort', () => (aborted.resolve(true), reject(signal.reason)))),
      surface,
    );
    await manager.handle(message('c', 'u1', '/stop'), surfaceFor('c'));
    await first;
    expect(await aborted.promise).toBe(true);
    expect(surface.finalTexts).toEqual([t('en', 'stopped')]);
    expect(chats()).toHaveLength(0);
  });

  it('never has more than PROVIDER_CONCURRENCY requests open across 40 channels, and answers them all (issue 9.4)', async () => {
    const { manager } = await makeCore({ PROVIDER_CONCURRENCY: '4' });
    upstream.holdRequests();
    const surfaces = Array.from({ length: 40 }, (_, i) => surfaceFor(`ch${i}`));
    const all = surfaces.flatMap((s, i) => [manager.handle(message(s.channel, `u${i}`, `q${i}a`), s), manager.handle(message(s.channel, `u${i}`, `q${i}b`), s)]);
    for (let released = 0; released < 80; released++) {
      await vi.waitFor(() => expect(upstream.heldCount).toBeGreaterThan(0));
      expect(upstream.openCount).toBeLessThanOrEqual(4);
      upstream.releaseOne();
    }
    await Promise.all(all);
    expect(chats()).toHaveLength(80);
    expect(upstream.maxOpen).toBe(4);
    expect(surfaces.every((s) => s.finalTexts.filter((x) => x === 'ok').length === 2)).toBe(true);
  });

  it('shares the slots round-robin across channels, not first come first served over all messages', async () => {
    const { manager } = await makeCore({ PROVIDER_CONCURRENCY: '1' });
    upstream.holdRequests();
    const busy = ['a1', 'a2', 'a3', 'a4'].map((q) => manager.handle(message('A', 'ua', q), surfaceFor('A')));
    await upstream.waitForRequests((r) => r.length === 1);
    const others = [manager.handle(message('B', 'ub', 'b1'), surfaceFor('B')), manager.handle(message('C', 'uc', 'c1'), surfaceFor('C'))];
    // B and C wait for the one slot (A's later messages wait behind a1 in their own channel).
    await vi.waitFor(() => expect(manager.providerSlots).toEqual({ inUse: 1, waiting: 2 }));
    for (let n = 1; n <= 6; n++) {
      await upstream.waitForRequests((r) => r.length === n);
      expect(upstream.openCount).toBe(1);
      upstream.releaseOne();
    }
    await Promise.all([...busy, ...others]);
    expect(asked()).toEqual(['a1', 'b1', 'c1', 'a2', 'a3', 'a4']);
    expect(upstream.maxOpen).toBe(1);
  });

  it('says "busy" once per user per window, not once per refused message (issue 9.4)', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-01-01T00:00:00Z'));
    const { manager } = await makeCore({ QUEUE_MAX_PER_CHANNEL: '1' });
    upstream.holdRequests();
    const alice = surfaceFor('c');
    const bob = surfaceFor('c');
    const work = [manager.handle(message('c', 'alice', 'running'), alice), manager.handle(message('c', 'alice', 'waiting'), alice)];
    await upstream.waitForRequests((r) => r.length === 1);
    for (let i = 0; i < 4; i++) await manager.handle(message('c', 'alice', `flood ${i}`), alice);
    await manager.handle(message('c', 'bob', 'me too'), bob);
    const busy = t('en', 'busy');
    expect(alice.finalTexts).toEqual([busy]);
    expect(bob.finalTexts).toEqual([busy]);
    vi.setSystemTime(new Date('2026-01-01T00:01:01Z'));
    await manager.handle(message('c', 'alice', 'a minute later'), alice);
    expect(alice.finalTexts).toEqual([busy, busy]);
    upstream.releaseAll();
    await Promise.all(work);
    expect(asked()).toEqual(['running', 'waiting']);
  });

  it('says "too fast" once per user per window over the rate limit, never silence for the first (issue 8.8)', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-01-01T00:00:00Z'));
    const { manager } = await makeCore({ RATE_LIMIT_PER_MINUTE: '1' });
    const s = surfaceFor('c');
    for (let i = 0; i < 4; i++) await manager.handle(message('c', 'alice', `q${i}`), s);
    const limited = t('en', 'rate_limited');
    expect(s.finalTexts).toEqual(['ok', limited]);
    vi.setSystemTime(new Date('2026-01-01T00:01:00Z'));
    await manager.handle(message('c', 'alice', 'next minute'), s);
    await manager.handle(message('c', 'alice', 'again'), s);
    expect(s.finalTexts).toEqual(['ok', limited, 'ok', limited]);
    expect(chats()).toHaveLength(2);
  });

  it('on shutdown drops queued work (each waiting user told once, localized) and lets the running reply finish (issue 9.8)', async () => {
    const { manager } = await makeCore({ PROVIDER_CONCURRENCY: '1', LOCALE: 'zh' }, 30_000);
    upstream.holdRequests();
    const running = surfaceFor('X');
    const queued = { bob: surfaceFor('X'), alice: surfaceFor('X'), carol: surfaceFor('Y'), dave: surfaceFor('Y') };
    const work = [
      manager.handle(message('X', 'alice', 'running'), running),
      manager.handle(message('X', 'bob', 'b'), queued.bob),
      manager.handle(message('X', 'alice', 'a2'), queued.alice),
      manager.handle(message('X', 'alice', 'a3'), queued.alice),
      manager.handle(message('Y', 'carol', 'c'), queued.carol),
      manager.handle(message('Y', 'dave', 'd'), queued.dave),
    ];
    await upstream.waitForRequests((r) => r.length === 1);
    const stopped = manager.shutdown();
    // Every queued user has been told before the running reply is allowed to go on.
    const notice = t('zh', 'shutting_down');
    await vi.waitFor(() => expect(Object.values(queued).every((s) => s.finalTexts.length === 1)).toBe(true));
    upstream.releaseAll();
    await stopped;
    await Promise.all(work);
    for (const s of Object.values(queued)) expect(s.finalTexts).toEqual([notice]);
    expect(running.finalTexts).toEqual(['ok']);
    expect(asked()).toEqual(['running']);
    // Nothing new starts after the signal, either; a user not told yet is told once.
    await manager.handle(message('X', 'bob', 'after'), queued.bob);
    const late = surfaceFor('Z');
    await manager.handle(message('Z', 'erin', 'late'), late);
    await manager.handle(message('Z', 'erin', 'later'), late);
    expect(queued.bob.finalTexts).toEqual([notice]);
    expect(late.finalTexts).toEqual([notice]);
    expect(chats()).toHaveLength(1);
  });

  it('on shutdown stops a running reply that outlasts the grace, with a notice, and returns', async () => {
    const { manager } = await makeCore({ LOCALE: 'zh' }, 50);
    upstream.holdRequests();
    const s = surfaceFor('X');
    const work = manager.handle(message('X', 'alice', 'long'), s);
    await upstream.waitForRequests((r) => r.length === 1);
    await manager.shutdown();
    await work;
    expect(await chats()[0]!.closed).toBe(true);
    expect(s.finalTexts.join('\n')).toContain(t('zh', 'stopped'));
  });
});
