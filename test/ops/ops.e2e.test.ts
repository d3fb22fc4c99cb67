// The service as an operator runs it: the real `npm start` (compiled build) against the fake
// Telegram Bot API and the fake upstream, with the ops server on. Checks what the README
// promises for /healthz, /readyz and /metrics, that promtool accepts the metrics, and the
// SIGTERM order: readiness fails first, the reply in flight still finishes, exit 0.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram/server.js';
import { startFakeUpstream, type FakeUpstream } from '../fakes/upstream/server.js';
import { freePort, promtoolCheck, opsTestEnv } from './helpers.js';

const TOKEN = 'ops-test-token';

describe('npm start with the ops server on', () => {
  let upstream: FakeUpstream;
  let telegram: FakeTelegram;
  let dir: string;
  let child: ChildProcess;
  let output = '';
  let exited: Promise<number | null>;
  let base: string;
  const get = (path: string, token: string | null = TOKEN) =>
    fetch(base + path, { headers: token ? { authorization: `Bearer ${token}` } : {} });

  beforeAll(async () => {
    upstream = await startFakeUpstream();
    telegram = await startFakeTelegram({ pollHoldMs: 300 });
    dir = mkdtempSync(join(tmpdir(), 'parley-ops-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    // The real `npm start`: it rebuilds dist/ when sources are newer, then execs node,
    // so SIGTERM to npm reaches the service.
    child = spawn('npm', ['start'], {
      cwd: process.cwd(),
      // Its own process group, so a failed run can kill npm and the service together.
      detached: true,
      env: opsTestEnv({ upstreamUrl: upstream.url, dataDir: join(dir, 'data'), telegram, port, token: TOKEN }),
    });
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (output += d));
    exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
    await vi.waitFor(() => expect(output).toContain('polling for updates'), { timeout: 170_000, interval: 100 });
  }, 180_000);

  afterAll(async () => {
    if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
    await Promise.all([upstream.close(), telegram.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs the compiled build under npm: node on dist/, no tsx', () => {
    const children = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/);
    expect(children).toHaveLength(1);
    const argv = readFileSync(`/proc/${children[0]}/cmdline`, 'utf8').split('\0').filter(Boolean);
    expect(argv.at(-1)).toBe('dist/src/main.js');
    expect(argv.join(' ')).not.toContain('tsx');
  });

  it('answers /healthz without a token and everything else only with it', async () => {
    const health = await get('/healthz', null);
    expect(health.status).toBe(200);
    expect(await health.text()).toBe('ok\n');
    for (const path of ['/readyz', '/metrics', '/']) {
      expect((await get(path, null)).status).toBe(401);
      expect((await get(path, 'wrong-token-same-len')).status).toBe(401);
    }
  });

  it('is ready once Telegram polls, and says so in JSON', async () => {
    const res = await get('/readyz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ready: true, notReady: [], surfaces: [{ platform: 'telegram', state: 'up', up: true }] });
  });

  it('counts a Telegram reply, its latencies, tokens and a 429 in /metrics, and promtool accepts them', async () => {
    telegram.failNext('sendMessage', { error_code: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } });
    telegram.sendUserMessage({ chatId: 4242, text: 'hello ops' });
    await telegram.waitFor(() => telegram.messagesIn(4242).some((m) => m.text === 'You said: hello ops'));
    // The reply is final on Telegram a moment before the relay reports it: wait for the count.
    let text = '';
    await vi.waitFor(async () => {
      text = await (await get('/metrics')).text();
      expect(text).toContain('parley_replies_total{platform="telegram",outcome="ok"} 1');
    });
    expect(text).toContain('parley_reply_first_token_seconds_count{platform="telegram"} 1');
    expect(text).toContain('parley_reply_first_text_seconds_count{platform="telegram"} 1');
    expect(text).toContain('parley_reply_final_text_seconds_count{platform="telegram"} 1');
    expect(text).toContain('parley_platform_rate_limits_total{platform="telegram"} 1');
    expect(text).toContain('parley_platform_retries_total{platform="telegram"} 1');
    expect(text).toMatch(/parley_tokens_total\{platform="telegram",type="completion"\} [1-9]/);
    expect(text).toContain('parley_surface_up{platform="telegram"} 1');
    expect(text).toContain('parley_queue_depth 0');
    expect(text).toContain('parley_queue_wait_seconds_count{platform="telegram"} 1');
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
    expect(await promtoolCheck(text)).toEqual({ code: 0, output: '' });
  });

  it('on SIGTERM turns /readyz 503 while the reply in flight finishes, then exits 0', async () => {
    upstream.setChunking({ tokensPerChunk: 1, chunkDelayMs: 150 });
    upstream.setReply('one two three four five six seven eight nine ten eleven twelve');
    telegram.sendUserMessage({ chatId: 4343, text: 'long one' });
    await telegram.waitFor(() => telegram.callsOf('sendMessageDraft').some((c) => c.payload.chat_id === 4343));
    child.kill('SIGTERM');
    let body: unknown;
    await vi.waitFor(
      async () => {
        const res = await get('/readyz');
        body = await res.json();
        expect(res.status).toBe(503);
      },
      { interval: 20 },
    );
    // Readiness failed while the answer was still streaming...
    expect(telegram.messagesIn(4343)).toEqual([]);
    expect(body).toMatchObject({ ready: false, notReady: ['shutting down', 'telegram'] });
    // ...and the answer still arrived whole before the process exited cleanly.
    expect(await exited).toBe(0);
    expect(telegram.messagesIn(4343).map((m) => m.text)).toEqual(['one two three four five six seven eight nine ten eleven twelve']);
    expect(output).not.toContain(TOKEN);
  });
});
