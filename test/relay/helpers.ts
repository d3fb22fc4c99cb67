// Shared test helpers: timed delta sources on the fake clock, and a seeded PRNG.
import type { FakeClock } from './fake-clock.js';

/** Yields `parts`, sleeping `gapMs` (virtual) before each. */
export async function* timedDeltas(clock: FakeClock, parts: string[], gapMs: number | ((i: number) => number)): AsyncGenerator<string> {
  for (let i = 0; i < parts.length; i++) {
    await clock.sleep(typeof gapMs === 'number' ? gapMs : gapMs(i));
    yield parts[i]!;
  }
}

/** Cuts text into pieces of `size` UTF-16 units. */
export function piecesOf(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

/** mulberry32: a small seeded PRNG, so a failing random case can be replayed by its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Cuts text into random pieces of 1..maxPiece code points (never inside a surrogate pair). */
export function randomPieces(text: string, rand: () => number, maxPiece: number): string[] {
  const cps = Array.from(text);
  const out: string[] = [];
  let i = 0;
  while (i < cps.length) {
    const n = 1 + Math.floor(rand() * maxPiece);
    out.push(cps.slice(i, i + n).join(''));
    i += n;
  }
  return out;
}

/** An answer shaped like a model's: paragraphs, a list, a fenced code block, long words. */
export function sampleAnswer(paragraphs: number): string {
  const parts: string[] = [];
  for (let p = 0; p < paragraphs; p++) {
    if (p % 3 === 1) {
      const code = Array.from({ length: 25 }, (_, i) => `  const value${p}_${i} = compute(${i}); // step ${i}`).join('\n');
      parts.push(`\`\`\`ts\n${code}\n\`\`\``);
    } else if (p % 3 === 2) {
      parts.push(Array.from({ length: 6 }, (_, i) => `- item ${p}.${i}: a point worth making about the topic.`).join('\n'));
    } else {
      parts.push(Array.from({ length: 8 }, (_, i) => `Sentence ${i} of paragraph ${p} says something useful.`).join(' '));
    }
  }
  return parts.join('\n\n');
}
