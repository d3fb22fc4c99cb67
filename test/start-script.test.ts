// `npm start` decides in the shell whether the build is stale (a `find -newer`), so a start with a
// fresh build boots one node, not two. That check must watch what the build reads, and say
// "stale" whenever the node fallback (scripts/build-if-stale.mjs) would rebuild.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const start = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts.start!;
const FALLBACK = ' || node scripts/build-if-stale.mjs && ';
/** The shell test before the fallback: exit 0 means "the build is fresh". */
const freshCheck = start.slice(0, start.indexOf(FALLBACK));

async function buildSources(): Promise<{ SOURCES: string[]; STAMP: string }> {
  // A computed URL: the build script is plain JavaScript without type declarations.
  return (await import(pathToFileURL(join(process.cwd(), 'scripts/build.mjs')).href)) as { SOURCES: string[]; STAMP: string };
}

describe('npm start', () => {
  it('checks freshness in the shell, then execs node on the build', () => {
    expect(freshCheck).toMatch(/^test -z "\$\(find .* -newer dist\/\.build-stamp 2>&1 \| head -n 1\)"$/);
    expect(start.endsWith('&& exec node --liftoff-only --max-semi-space-size=2 dist/src/main.js')).toBe(true);
  });

  it("skips npm's update check whatever the machine's npm config says (the project's .npmrc)", () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-npmrc-'));
    const empty = join(dir, 'npmrc');
    writeFileSync(empty, '');
    try {
      const get = spawnSync('npm', ['config', 'get', 'update-notifier', `--globalconfig=${empty}`, `--userconfig=${empty}x`], { encoding: 'utf8' });
      expect(get.stdout.trim()).toBe('false');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('watches the same paths as the build', async () => {
    const { SOURCES, STAMP } = await buildSources();
    const found = /find (.*) -newer (\S+) /.exec(freshCheck)!;
    expect(found[1]!.split(' ')).toEqual(SOURCES);
    expect(found[2]).toBe(STAMP);
  });

  describe('its freshness check', () => {
    let dir: string;
    const at = (path: string, seconds: number) => {
      const full = join(dir, path);
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, '');
      utimesSync(full, seconds, seconds);
    };
    const fresh = () => spawnSync('sh', ['-c', freshCheck], { cwd: dir }).status === 0;

    beforeEach(async () => {
      dir = mkdtempSync(join(tmpdir(), 'parley-start-'));
      const { SOURCES } = await buildSources();
      for (const source of SOURCES) at(source.includes('.') ? source : `${source}/a.ts`, 1_000);
      for (const source of SOURCES.filter((s) => !s.includes('.'))) utimesSync(join(dir, source), 1_000, 1_000);
      at('dist/.build-stamp', 2_000);
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('says fresh when the stamp is newer than every source', () => {
      expect(fresh()).toBe(true);
    });

    it('says stale when a source file, a new file or the lock file is newer, or there is no build', () => {
      at('adapters/telegram/index.ts', 3_000);
      expect(fresh()).toBe(false);
      rmSync(join(dir, 'adapters'), { recursive: true });
      at('adapters/a.ts', 1_000);
      utimesSync(join(dir, 'adapters'), 1_000, 1_000);
      expect(fresh()).toBe(true);
      at('package-lock.json', 3_000);
      expect(fresh()).toBe(false);
      at('package-lock.json', 1_000);
      rmSync(join(dir, 'dist'), { recursive: true });
      expect(fresh()).toBe(false);
    });

    it('agrees with the node fallback, which rebuilds only when stale', () => {
      // The fallback says so on stderr before building; with a fresh stamp it does nothing.
      const script = pathToFileURL(join(process.cwd(), 'scripts/build-if-stale.mjs')).href;
      const run = spawnSync(process.execPath, ['--input-type=module', '-e', `await import(${JSON.stringify(script)})`], { cwd: dir, encoding: 'utf8' });
      expect(run.status).toBe(0);
      expect(run.stderr).toBe('');
      expect(fresh()).toBe(true);
    });
  });
});
