// Start-up time is mostly module loading: a Telegram bot with the default store must not load the
// libraries of features it does not use (the Redis client alone is ~0.3 s of CPU). The entry point
// runs against the fake Bot API and the fake upstream, answers once, and on exit lists the
// CommonJS packages it loaded (redis, discord.js and prom-client are CommonJS, so Node's
// require cache sees them however they were imported).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeTelegram, type FakeTelegram } from './fakes/telegram/server.js';
import { startFakeUpstream, type FakeUpstream } from './fakes/upstream/server.js';
import { startMain, type RunningMain } from './helpers/entry-point.js';

/** Preloaded into the child: writes the packages in the require cache to LOADED_OUT on exit. */
const PRELOAD = `
const { writeFileSync } = require('node:fs');
process.on('exit', () => {
  const packages = new Set(Object.keys(require.cache).map((p) => /node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(p)?.[1]).filter(Boolean));
  writeFileSync(process.env.LOADED_OUT, JSON.stringify([...packages]));
});
`;

describe('a Telegram start with the default store', () => {
  let upstream: FakeUpstream;
  let telegram: FakeTelegram;
  let main: RunningMain;
  let dir: string;
  let loaded: string[];

  beforeAll(async () => {
    upstream = await startFakeUpstream({ reply: 'loaded lean' });
    telegram = await startFakeTelegram({ pollHoldMs: 300 });
    dir = mkdtempSync(join(tmpdir(), 'parley-loads-'));
    writeFileSync(join(dir, 'preload.cjs'), PRELOAD);
    main = startMain({
      NODE_OPTIONS: `--require ${join(dir, 'preload.cjs')}`,
      LOADED_OUT: join(dir, 'loaded.json'),
      OPENAI_BASE_URL: upstream.url,
      OPENAI_API_KEY: 'test-key',
      TELEGRAM_BOT_TOKEN: telegram.token,
      TELEGRAM_API_ROOT: telegram.apiRoot,
    });
    await main.waitForLog('polling for updates');
    telegram.sendUserMessage({ chatId: 7001, text: 'hello' });
    await telegram.waitFor(() => telegram.messagesIn(7001).some((m) => m.text === 'loaded lean'), 15_000);
    main.child.kill('SIGTERM');
    expect(await main.exited).toBe(0);
    loaded = JSON.parse(readFileSync(join(dir, 'loaded.json'), 'utf8')) as string[];
  }, 60_000);

  afterAll(async () => {
    await main?.dispose();
    await Promise.all([upstream?.close(), telegram?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads what it uses (the preload saw the SQLite store)', () => {
    expect(loaded).toContain('better-sqlite3');
  });

  it('loads no Redis client, no discord.js and no Prometheus client', () => {
    expect(loaded.filter((p) => ['redis', '@redis/client', 'discord.js', 'prom-client'].includes(p))).toEqual([]);
  });
});
