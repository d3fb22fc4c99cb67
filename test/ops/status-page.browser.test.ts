// The status page in a real browser: parley (src/main.ts in a child process) against the fake
// Telegram Bot API and fake upstream, the page open in headless Chromium (the system's, driven
// by puppeteer-core). A message sent through the fake platform shows up live, first in flight,
// then among the last replies; no message text appears (OPS_SHOW_CONTENT is off). The
// screenshot lands in out/status-page.png.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram/server.js';
import { startFakeUpstream, type FakeUpstream } from '../fakes/upstream/server.js';
import { freePort, opsTestEnv } from './helpers.js';

const TSX = pathToFileURL(join(process.cwd(), 'node_modules/tsx/dist/loader.mjs')).href;
const TOKEN = 'page-token';
const REPLY = 'alpha beta gamma delta epsilon zeta eta theta iota kappa';

/** Debian's chromium (CI installs it); CHROMIUM_PATH overrides. */
function chromiumPath(): string {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  return execFileSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], { encoding: 'utf8' }).trim();
}

describe('status page in headless Chromium', () => {
  let upstream: FakeUpstream;
  let telegram: FakeTelegram;
  let dir: string;
  let child: ChildProcess;
  let output = '';
  let browser: Browser;
  let page: Page;
  let base: string;

  beforeAll(async () => {
    upstream = await startFakeUpstream({ reply: REPLY, tokensPerChunk: 1, chunkDelayMs: 120 });
    telegram = await startFakeTelegram({ pollHoldMs: 300 });
    dir = mkdtempSync(join(tmpdir(), 'parley-page-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, ['--import', TSX, join(process.cwd(), 'src/main.ts')], {
      cwd: dir,
      env: opsTestEnv({ upstreamUrl: upstream.url, dataDir: join(dir, 'data'), telegram, port, token: TOKEN }),
    });
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (output += d));
    await telegram.waitFor(() => output.includes('polling for updates'), 30_000);
    browser = await puppeteer.launch({
      executablePath: chromiumPath(),
      headless: true,
      // Root in a container has no user namespaces for Chromium's sandbox.
      args: ['--no-sandbox', '--disable-dev-shm-usage'],
    });
    page = await browser.newPage();
    await page.setViewport({ width: 1100, height: 800 });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (child.exitCode === null) child.kill('SIGKILL');
    await Promise.all([upstream.close(), telegram.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads as a static snapshot without JavaScript', async () => {
    const html = await (await fetch(`${base}/`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
    expect(html).toContain('<table id="surfaces">');
    expect(html).toMatch(/<td>telegram<\/td><td><span class="up">up<\/span><\/td>/);
    expect(html).toContain('No replies yet.');
  });

  it('shows a reply live, in flight and then among the last replies, without its text', async () => {
    await page.goto(`${base}/?token=${TOKEN}`, { waitUntil: 'domcontentloaded' });
    expect(await page.$eval('#readiness', (el) => el.textContent)).toBe('ready');

    telegram.sendUserMessage({ chatId: 4242, text: 'hello page', from: { id: 7, first_name: 'Zoe', username: 'zoe_private' } });
    // Strings: these run in the page, where `document` exists (not in Node's type library).
    await page.waitForFunction(`document.querySelector('#in-flight')?.textContent.includes('telegram:4242')`, { timeout: 15_000 });
    await page.waitForFunction(`document.querySelector('#recent')?.textContent.includes('telegram:4242')`, { timeout: 15_000 });

    const recent = await page.$eval('#recent', (el) => el.textContent ?? '');
    expect(recent).toContain('ok');
    expect(await page.$eval('#tokens-today', (el) => Number(el.textContent))).toBeGreaterThan(0);
    const body = await page.$eval('body', (el) => el.textContent ?? '');
    expect(body).not.toContain('alpha beta');
    expect(body).not.toContain('hello page');
    expect(body).not.toContain('zoe_private');

    mkdirSync('out', { recursive: true });
    await page.screenshot({ path: join('out', 'status-page.png'), fullPage: true });
    // The reply the page reported is the one Telegram got.
    expect(telegram.messagesIn(4242).map((m) => m.text)).toEqual([REPLY]);
  });
});
