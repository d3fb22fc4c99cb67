// Wrapping one plain line to a display width (and an optional byte budget): Latin text breaks at
// spaces, CJK text between any two characters; a grapheme (surrogate pair, emoji) is never cut.
import { displayWidth, graphemeWidth, splitGraphemes } from './width.js';

/** A word or a single wide character, with the spaces that came before it. */
interface Unit {
  gap: string;
  text: string;
}

function toUnits(text: string): Unit[] {
  const units: Unit[] = [];
  let gap = '';
  let word = '';
  const flush = (): void => {
    if (word) units.push({ gap, text: word });
    if (word) gap = '';
    word = '';
  };
  for (const g of splitGraphemes(text)) {
    if (g === ' ' || g === '\t') {
      flush();
      gap += ' ';
    } else if (graphemeWidth(g) >= 2) {
      flush();
      units.push({ gap, text: g });
      gap = '';
    } else {
      word += g;
    }
  }
  flush();
  return units;
}

/**
 * Wraps `text` (one line, no newlines) into lines of at most `width` display columns that also
 * pass `fits` when given. A word longer than a line is cut between graphemes.
 */
export function wrapLine(text: string, width: number, fits?: (line: string) => boolean): string[] {
  const ok = (line: string): boolean => displayWidth(line) <= width && (!fits || fits(line));
  const out: string[] = [];
  let line = '';
  for (const unit of toUnits(text)) {
    // Indentation of the first line stays (code); a wrapped line starts at its first word.
    const lead = out.length === 0 ? unit.gap : '';
    const joined = line ? line + unit.gap + unit.text : lead + unit.text;
    if (ok(joined)) {
      line = joined;
      continue;
    }
    if (line) out.push(line);
    line = '';
    if (ok(unit.text)) {
      line = unit.text;
      continue;
    }
    for (const g of splitGraphemes(unit.text)) {
      if (line && !ok(line + g)) {
        out.push(line);
        line = '';
      }
      line += g; // a grapheme that fits nowhere still goes out alone rather than vanish
    }
  }
  if (line) out.push(line);
  return out;
}
