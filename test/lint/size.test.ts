// No production file (src/, adapters/) over 300 lines. `npm run lint` says the same with
// max-lines, but lint is not part of `npm test`; this is. It also checks that eslint.config.js
// applies both size rules (file length, function length) to every production file: the
// "still shrinking" exemptions are gone, and a new one fails here.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const MAX_LINES = 300;

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return tsFiles(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

/** Lines as `wc -l` counts them. */
const lineCount = (path: string) => (readFileSync(path, 'utf8').match(/\n/g) ?? []).length;

describe('production file size', () => {
  const files = [...tsFiles('src'), ...tsFiles('adapters')];

  it('finds the production files (the check below is not vacuous)', () => {
    expect(files).toContain(join('src', 'main.ts'));
    expect(files.length).toBeGreaterThan(50);
  });

  /** The rule's severity and options as eslint.config.js resolves them for one file. */
  async function ruleFor(eslint: ESLint, file: string, rule: string): Promise<unknown> {
    const config = (await eslint.calculateConfigForFile(file)) as { rules?: Record<string, unknown> };
    return config.rules?.[rule];
  }

  it(`no file is over ${MAX_LINES} lines`, () => {
    const offenders = files.map((file) => ({ file, lines: lineCount(file) })).filter((f) => f.lines > MAX_LINES);
    expect(offenders).toEqual([]);
  });

  it('lint applies max-lines and max-lines-per-function (60) to every production file, with no file exempt', async () => {
    const eslint = new ESLint();
    const exempt: string[] = [];
    for (const file of files) {
      const maxLines = await ruleFor(eslint, file, 'max-lines');
      const perFunction = await ruleFor(eslint, file, 'max-lines-per-function');
      const on = (rule: unknown, max: number) => Array.isArray(rule) && (rule[0] === 2 || rule[0] === 'error') && (rule[1] as { max?: number } | undefined)?.max === max;
      if (!on(maxLines, MAX_LINES) || !on(perFunction, 60)) exempt.push(file);
    }
    expect(exempt).toEqual([]);
  });
});
