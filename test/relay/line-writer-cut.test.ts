// The open line's stable cut, kept incrementally by StableCut, against the from-scratch scan it
// replaced (every candidate space's whole prefix checked), on random markdown-ish lines fed in
// random chunks, cut and rebased as the line writer does (seeded, so a failure names its seed).
import { describe, expect, it } from 'vitest';
import { StableCut } from '../../src/relay/line-cut.js';
import { prng } from './helpers.js';

/** The from-scratch cut: the last space whose non-blank prefix leaves nothing open. */
function stableCutFromScratch(raw: string): number {
  if (/^\s*(#|\|)/.test(raw)) return 0;
  for (let p = raw.lastIndexOf(' '); p > 0; p = raw.lastIndexOf(' ', p - 1)) {
    const prefix = raw.slice(0, p);
    if (prefix.trim() === '') return 0;
    if (isBalanced(prefix)) return p;
  }
  return 0;
}

function isBalanced(prefix: string): boolean {
  const count = (re: RegExp) => (prefix.match(re) ?? []).length;
  const net = (open: string, close: string) => prefix.split(open).length - prefix.split(close).length;
  return (
    count(/`/g) % 2 === 0 &&
    count(/\*/g) % 2 === 0 &&
    count(/_/g) % 2 === 0 &&
    count(/~~/g) % 2 === 0 &&
    net('[', ']') === 0 &&
    net('(', ')') === 0 &&
    net('<', '>') === 0
  );
}

const PIECES = [
  'word', 'a', 'longerword', '中文', '字', '*', '**', '_', '`', '[', ']', '(', ')', '<', '>', '~', '~~', '~~~',
  '#', '|', '\t', '\r', '\u00a0', '\u3000', '\u0000', 'x'.repeat(90), 'https://a.io/x_y',
];
const GAPS = ['', ' ', ' ', '  ', '\n', ' \n '];

function randomLineText(rand: () => number): string {
  let text = rand() < 0.3 ? ' '.repeat(Math.floor(rand() * 3)) : '';
  const units = 1 + Math.floor(rand() * 200);
  for (let i = 0; i < units; i++) {
    text += PIECES[Math.floor(rand() * PIECES.length)]!;
    text += GAPS[Math.floor(rand() * GAPS.length)]!;
  }
  return text;
}

describe('StableCut (incremental) = the from-scratch scan', () => {
  for (let seed = 1; seed <= 400; seed++) {
    it(`seed ${seed}`, () => {
      const rand = prng(seed);
      const text = randomLineText(rand);
      const scanner = new StableCut();
      let raw = '';
      for (let i = 0; i < text.length; ) {
        const piece = text.slice(i, i + 1 + Math.floor(rand() * 40));
        i += piece.length;
        // A newline ends the open line; what follows it starts a new one.
        const parts = piece.split('\n');
        for (const [k, part] of parts.entries()) {
          if (k > 0) {
            scanner.reset();
            raw = '';
          }
          scanner.feed(part);
          raw += part;
          expect(scanner.cut, JSON.stringify(raw)).toBe(stableCutFromScratch(raw));
          // Cut like the line writer does, now and then: the rest must keep matching.
          if (scanner.cut > 0 && rand() < 0.5) {
            raw = raw.slice(scanner.cut);
            scanner.rebase();
            expect(scanner.cut, JSON.stringify(raw)).toBe(stableCutFromScratch(raw));
          }
        }
      }
    });
  }
});
