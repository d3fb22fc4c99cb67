// The repository stands alone: no tracked file points at a machine path or at design notes that
// live outside it, and every relative link in the markdown resolves to a file in the repository.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = process.cwd();

/** Tracked files (git is how the repository is shared; untracked scratch files do not count). */
const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' })
  .split('\0')
  .filter((f) => f && existsSync(resolve(ROOT, f)) && !/\.(png|jpe?g|gif|webp|mp3|ogg|sqlite)$|package-lock\.json$/.test(f));

// Assembled from parts so this file does not match itself.
const OUTSIDE_NOTES = ['DESIGN', 'STYLE', 'FAKES', 'PROVIDERS', 'SCALE'].map((n) => `${n}\\.md`).join('|');
const POINTS_OUTSIDE = new RegExp(`\\.\\./shared\\b|(?:^|[\\s'"\`(])/${'wo'}rk/|\\b(?:${OUTSIDE_NOTES})\\b`);

/** `[text](target)` links in markdown, without URLs and in-page anchors. */
function relativeLinks(markdown: string): string[] {
  return [...markdown.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1]!.split('#')[0]!)
    .filter((t) => t && !/^[a-z]+:/i.test(t));
}

describe('the repository stands alone', () => {
  it('lists its files (the check below is not vacuous)', () => {
    expect(tracked).toContain('README.md');
    expect(tracked).toContain('docs/architecture.md');
  });

  it('no tracked file points at a machine path or at notes outside the repository', () => {
    const offenders = tracked.flatMap((file) =>
      readFileSync(resolve(ROOT, file), 'utf8')
        .split('\n')
        .flatMap((line, i) => (POINTS_OUTSIDE.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(offenders).toEqual([]);
  });

  it('the pattern catches what it should', () => {
    const machine = `/${'wo'}rk/`;
    for (const bad of [`see \`../${'shared'}/x.md\``, `// wire facts: ${machine}notes/x.md`, `per ${'STYLE'}.md point 5`]) {
      expect(bad).toMatch(POINTS_OUTSIDE);
    }
    expect('see docs/providers.md and https://example.com/network/').not.toMatch(POINTS_OUTSIDE);
  });

  it('every relative markdown link resolves to a file inside the repository', () => {
    const broken = tracked
      .filter((f) => f.endsWith('.md'))
      .flatMap((file) =>
        relativeLinks(readFileSync(resolve(ROOT, file), 'utf8')).flatMap((target) => {
          const abs = resolve(ROOT, dirname(file), target);
          const inside = !relative(ROOT, abs).startsWith('..');
          return inside && existsSync(abs) ? [] : [`${file} -> ${target}`];
        }),
      );
    expect(broken).toEqual([]);
  });
});
