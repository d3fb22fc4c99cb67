// Start-up failures as a user meets them through `npm start`'s entry point: one line on stderr
// naming what cannot be used and why, exit code 1, no stack and no "sonic boom is not ready yet".
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const MAIN = join(process.cwd(), 'src/main.ts');
const TSX = pathToFileURL(join(process.cwd(), 'node_modules/tsx/dist/loader.mjs')).href;

function runMain(cwd: string, settings: Record<string, string>) {
  const r = spawnSync(process.execPath, ['--import', TSX, MAIN], {
    cwd,
    // stdin closed: a console that did start would end at once (exit 0), which the tests reject.
    input: '',
    encoding: 'utf8',
    timeout: 30_000,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, OPENAI_API_KEY: 'test-key', ...settings },
  });
  const lines = r.stderr.split('\n').filter(Boolean);
  return { code: r.status, stderr: r.stderr, lines };
}

function expectOneCleanLine(r: ReturnType<typeof runMain>) {
  expect(r.code).toBe(1);
  expect(r.lines).toHaveLength(1);
  expect(r.stderr).not.toContain('sonic boom');
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

/** A port nothing listens on: bound once, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// Each case starts a child through tsx: seconds apiece on a loaded machine.
describe('start-up errors', { timeout: 60_000 }, () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'parley-startup-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a corrupted SQLite file: one line naming the file and why, exit 1', () => {
    const data = join(dir, 'corrupt');
    mkdirSync(data);
    writeFileSync(join(data, 'parley.sqlite'), 'this is not a database '.repeat(50));
    const r = runMain(dir, { DATA_DIR: data });
    expectOneCleanLine(r);
    expect(r.lines[0]).toBe(
      `Start-up failed: cannot open the history database ${join(data, 'parley.sqlite')}: file is not a database (fix or move it, or set HISTORY_STORE=memory)`,
    );
  });

  it('a SQLite path that cannot be opened (a directory in its place) is named too', () => {
    const data = join(dir, 'blocked');
    mkdirSync(join(data, 'parley.sqlite'), { recursive: true });
    const c = runMain(dir, { DATA_DIR: data });
    expectOneCleanLine(c);
    expect(c.lines[0]).toContain(`cannot open the history database ${join(data, 'parley.sqlite')}: unable to open database file`);
  });

  it('a DATA_DIR that is a file: the console log file is named, exit 1', () => {
    const data = join(dir, 'a-file');
    writeFileSync(data, 'x');
    const r = runMain(dir, { DATA_DIR: data });
    expectOneCleanLine(r);
    expect(r.lines[0]).toBe(`Start-up failed: cannot write the log file ${join(data, 'console.log')}: DATA_DIR is not a directory`);
  });

  it('a platform that cannot be reached is named in the error', async () => {
    const port = await closedPort();
    const r = runMain(dir, {
      DATA_DIR: join(dir, 'discord'),
      HISTORY_STORE: 'memory',
      LOG_LEVEL: 'silent',
      DISCORD_TOKEN: 'not-a-real-token',
      DISCORD_API_URL: `http://127.0.0.1:${port}/api`,
    });
    expectOneCleanLine(r);
    expect(r.lines[0]).toMatch(new RegExp(`^Start-up failed: Discord: .*ECONNREFUSED 127\\.0\\.0\\.1:${port}`));
  });
});
