// `npm run build`: tsc type-checks and compiles src/ and adapters/, then esbuild bundles that
// output into dist/src/main.js (plus one chunk per lazily imported part: each platform, the ops
// server, MCP tools). Node loads a few large files much faster than hundreds of small ones: a
// bundled zod, undici, pino, yaml or telegraf costs about half the start-up CPU of the package.
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

export const STAMP = 'dist/.build-stamp';
/** What the build reads: newer than STAMP means rebuild. npm start's `find` lists the same paths. */
export const SOURCES = ['src', 'adapters', 'scripts/build.mjs', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];
const STAGE = 'dist/tsc';

/** Packages bundled into dist/ when our code imports them. Anything else stays an import of
 * node_modules: better-sqlite3 (native), discord.js (its gateway can run shards in worker files
 * found by path), prom-client and the MCP SDK (optional requires; loaded only when switched on).
 * What these pull in is bundled with them. A new dependency stays external until listed here. */
const BUNDLED = new Set(['eventsource-parser', 'iconv-lite', 'lru-cache', 'pino', 'safe-regex2', 'telegraf', 'undici', 'yaml', 'zod']);

const packageName = (specifier) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');

const keepExternal = {
  name: 'keep-external',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.importer.includes('/node_modules/')) return undefined;
      return BUNDLED.has(packageName(args.path)) ? undefined : { path: args.path, external: true };
    });
  },
};

/** Modules a bundled package loads but never uses on Node 20, replaced by small stand-ins: every
 * start parses what the bundle holds, and these two are half a megabyte of it. */
const STUBS = {
  // node-fetch (under telegraf) uses Node's own URL when there is one, but still requires
  // whatwg-url, whose IDNA table alone is 260 KB.
  'whatwg-url': { from: '/node_modules/node-fetch/', contents: 'module.exports = { URL, URLSearchParams };' },
  // zod re-exports every locale as z.locales (290 KB); it uses English, which it imports directly.
  '../locales/index.js': { from: '/node_modules/zod/', contents: 'export {};' },
};

const stubs = {
  name: 'stubs',
  setup(build) {
    build.onResolve({ filter: /^(whatwg-url|\.\.\/locales\/index\.js)$/ }, (args) => {
      const stub = STUBS[args.path];
      return stub && args.importer.includes(stub.from) ? { path: args.path, namespace: 'stub' } : undefined;
    });
    build.onLoad({ filter: /.*/, namespace: 'stub' }, (args) => ({ contents: STUBS[args.path].contents, loader: 'js' }));
  },
};

export async function build() {
  rmSync('dist', { recursive: true, force: true });
  const tsc = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json', '--outDir', STAGE], { stdio: 'inherit' });
  if (tsc.status !== 0) return tsc.status ?? 1;
  const { build: bundle } = await import('esbuild');
  await bundle({
    entryPoints: [`${STAGE}/src/main.js`],
    outdir: 'dist/src',
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // Whitespace and syntax only: less to parse and to keep in memory (about 3 MB of peak RSS),
    // while function and class names stay readable in stack traces.
    minifyWhitespace: true,
    minifySyntax: true,
    sourcemap: 'linked',
    plugins: [keepExternal, stubs],
    // Bundled CommonJS packages call require(); an ES module has none unless it makes one.
    banner: { js: "import { createRequire as __parleyRequire } from 'node:module'; const require = __parleyRequire(import.meta.url);" },
    logLevel: 'warning',
  });
  rmSync(STAGE, { recursive: true, force: true });
  writeFileSync(STAMP, `${new Date().toISOString()}\n`);
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.exitCode = await build();
