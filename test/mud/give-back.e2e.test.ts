// A MUD slot given back gracefully (HISTORY_STORE=redis, the character's lease released) without
// a process shutdown: the dispatcher drains the slot's channels, so the reply in flight goes out
// before the character quits. The adapter keeps no in-flight set of its own.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { createMudAdapter } from '../../adapters/mud/index.js';
import { createCore } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import { startFakeMud, type FakeMud } from '../fakes/mud/server.js';
import { startFakeUpstream, type FakeUpstream } from '../fakes/upstream/server.js';
import { testEnv } from '../helpers/env.js';
import { useRedis } from '../helpers/redis.js';

const PASSWORD = 'sekrit-pass';

describe('MUD slot given back', () => {
  const redis = useRedis();
  const dir = mkdtempSync(join(tmpdir(), 'parley-mud-give-back-'));
  let upstream: FakeUpstream;
  let mud: FakeMud;

  beforeAll(async () => {
    upstream = await startFakeUpstream();
    mud = await startFakeMud({ style: 'diku' });
  });

  afterAll(async () => {
    await mud?.close();
    await upstream?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lets the reply in flight on its channels finish, then quits', async () => {
    const example = parseYaml(readFileSync('profiles/diku-example.yaml', 'utf8')) as Record<string, unknown>;
    const path = join(dir, 'diku-example.yaml');
    writeFileSync(path, toYaml({ ...example, host: mud.host, port: mud.port, pacingMs: 50, reconnect: { initialMs: 50, maxMs: 200 } }));
    const env = { MUD_PROFILE: path, MUD_PASSWORD: PASSWORD, HISTORY_STORE: 'redis', REDIS_URL: redis().url, PARLEY_INSTANCE_ID: 'a', PARLEY_LEASE_MS: '1500' };
    const core = await createCore(loadConfig(testEnv(upstream, env)));
    const adapter = createMudAdapter(core, { random: () => 0.5 });
    try {
      await adapter.start();
      await adapter.whenReady();
      const text = Array.from({ length: 12 }, (_, i) => `w${i}`).join(' ');
      upstream.setReply(text);
      upstream.setChunking({ tokensPerChunk: 1, chunkDelayMs: 50 });
      mud.tell('Alice', 'a slow question');
      await vi.waitFor(() => expect(upstream.requests.some((r) => r.route === 'chat/completions')).toBe(true), { timeout: 8_000, interval: 20 });

      // The slot is released (no core.manager.shutdown): only the drain keeps the reply alive.
      await adapter.stop();

      const texts = mud.commands.map((c) => c.text);
      const reply = texts.findIndex((t) => t.startsWith('tell Alice ') && t.includes('w11'));
      expect(reply).toBeGreaterThanOrEqual(0);
      expect(texts.at(-1)).toBe('quit');
    } finally {
      await core.manager.shutdown();
      await core.close();
    }
  });
});
