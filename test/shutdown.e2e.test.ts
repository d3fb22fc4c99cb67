// Issue 9.8 as `npm start` runs it: src/main.ts in a child process on the fake Telegram, one
// reply streaming and four waiting for the provider slot when SIGTERM arrives. The waiting ones
// are dropped (each user told once, in the configured language), no new provider request
// starts after the signal, and the running reply still finishes.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { t } from '../src/conversation/messages.js';
import { startFakeTelegram, type FakeTelegram } from './fakes/telegram/server.js';
import { startFakeUpstream, type FakeUpstream } from './fakes/upstream/server.js';

const TSX = pathToFileURL(join(process.cwd(), 'node_modules/tsx/dist/loader.mjs')).href;
const MAIN = join(process.cwd(), 'src/main.ts');
const USERS = [501, 502, 503, 504, 505];

describe('SIGTERM with one reply running and four queued', () => {
  let upstream: FakeUpstream;
  let tg: FakeTelegram;
  let dir: string;
  let child: ChildProcess;
  let stdout = '';
  const logLines = () => stdout.split('\n').filter(Boolean);

  beforeAll(async () => {
    upstream = await startFakeUpstream({ reply: 'the running answer' });
    tg = await startFakeTelegram({ pollHoldMs: 300 });
    dir = mkdtempSync(join(tmpdir(), 'parley-shutdown-'));
    child = spawn(process.execPath, ['--import', TSX, MAIN], {
      cwd: dir,
      env: {
        PATH: process.env.PATH,
        OPENAI_BASE_URL: upstream.url,
        OPENAI_API_KEY: 'test-key',
        DATA_DIR: join(dir, 'data'),
        HISTORY_STORE: 'memory',
        LOG_LEVEL: 'debug',
        LOCALE: 'zh',
        PROVIDER_CONCURRENCY: '1',
        TELEGRAM_BOT_TOKEN: tg.token,
        TELEGRAM_API_ROOT: tg.apiRoot,
        TELEGRAM_STREAM: 'off',
      },
    });
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  });

  afterAll(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await Promise.all([upstream.close(), tg.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('drops the queued messages with one localized notice each and starts no new request', { timeout: 30_000 }, async () => {
    await vi.waitFor(() => expect(stdout).toContain('polling for updates'), { timeout: 15_000 });
    upstream.holdRequests();
    for (const user of USERS) tg.sendUserMessage({ chatId: user, from: { id: user }, text: `question from ${user}` });
    await upstream.waitForRequests((r) => r.length === 1);
    // All five reached the manager (its debug line per message), four of them waiting for the slot.
    await vi.waitFor(() => expect(logLines().filter((l) => l.includes('"msg":"incoming"'))).toHaveLength(5), { timeout: 10_000 });

    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    const [running, ...queued] = USERS;
    // The queued users hear at once, while the running reply is still held at the provider.
    await vi.waitFor(() => expect(queued.every((user) => tg.messagesIn(user).length > 0)).toBe(true), { timeout: 10_000 });
    upstream.releaseAll();
    expect(await exited).toBe(0);

    expect(upstream.requests.filter((r) => r.route === 'chat/completions')).toHaveLength(1);
    expect(tg.messagesIn(running!).map((m) => m.text)).toEqual(['the running answer']);
    for (const user of queued) expect(tg.messagesIn(user).map((m) => m.text)).toEqual([t('zh', 'shutting_down')]);
  });
});
