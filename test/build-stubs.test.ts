// scripts/build.mjs replaces two modules the bundle would parse at every start but never run on
// Node 20. These pin the reasons, so a dependency upgrade that starts using them fails here
// rather than in production.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const source = (path: string) => readFileSync(require.resolve(path, { paths: [require.resolve('telegraf')] }), 'utf8');

describe('the build stand-ins', () => {
  it('node-fetch takes whatwg-url only as a fallback for a Node without URL', () => {
    const fetchSource = source('node-fetch');
    const uses = fetchSource.match(/whatwgUrl\b[^;\n]*/g) ?? [];
    expect(uses.length).toBeGreaterThan(1);
    // The require itself, then only `Url.URL || whatwgUrl.URL`.
    for (const use of uses.slice(1)) expect(use).toBe('whatwgUrl.URL');
    expect(fetchSource).toMatch(/Url\.URL \|\| whatwgUrl\.URL/);
    expect(typeof URL).toBe('function');
  });

  it("zod uses English without its locales index, which it only re-exports", () => {
    const zodDir = require.resolve('zod').replace(/index\.c?js$/, '');
    const importers = ['v4/classic/external.js', 'v4/core/index.js', 'v4/classic/schemas.js'].map((f) => readFileSync(zodDir + f, 'utf8'));
    for (const text of importers) {
      for (const line of text.split('\n').filter((l) => l.includes('locales/index.js'))) {
        expect(line.trim()).toBe('export * as locales from "../locales/index.js";');
      }
    }
    expect(importers[2]).toContain('import en from "../locales/en.js";');
  });
});
