// Splitting text into messages no longer than a platform's limit, on the best boundary
// (paragraph > line > sentence end > word > hard cut), closing and reopening code fences.
// The same step function serves finished texts (splitText) and the live stream (StreamRelay),
// so a streamed answer is cut exactly where splitText would cut the complete text.
import { BOUNDARY_PREFERENCE, entityAround, entitySpans, findBoundaries, lastBoundaries } from './boundaries.js';
import { closeFence, fenceAfter, reopenFence, type Fence } from './fence.js';
import { boundaryAtOrBefore, GraphemeCursor } from './width.js';

export type Measure = (text: string) => number;

/** A low surrogate: the second half of a code point outside the BMP. */
const LOW_SURROGATE = /[\udc00-\udfff]/;

/**
 * Length in Unicode code points (the default platform measure): UTF-16 units less the low
 * surrogates. Most text has none, and the regex engine says so at once for a one-byte string
 * and scans others natively, several times faster than a loop over char codes (the console
 * measures 100k-char messages); only text with surrogates is counted unit by unit.
 */
export const codePointLength: Measure = (text) => {
  if (!LOW_SURROGATE.test(text)) return text.length;
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff) n++; // count everything but low surrogates
  }
  return n;
};

/** A boundary before this fraction of the room is a worse cut than a later, weaker boundary. */
const MIN_SPLIT_FRACTION = 0.5;
/**
 * Characters past the room a boundary decision may look at ("\n\n", the closer of a bold or a
 * link that a cut must not break): a live stream decides a split only once that much more text
 * arrived, so the decision never changes later. An entity that closes within this many characters
 * past the room is never cut; a longer one may be.
 */
export const SPLIT_LOOKAHEAD = 64;

export interface SplitStep {
  /** The finished message text (fence closed and reopened as needed). */
  chunk: string;
  /** How much of the source the chunk used; the next chunk starts there. */
  consumed: number;
  /** The fence open where the next chunk starts. */
  fence: Fence | null;
}

const isSpace = (ch: string | undefined): boolean => ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';

/** Where whitespace at `start` ends: a chunk outside a fence never starts with blanks. */
export function skipLeadingWhitespace(text: string, start: number): number {
  let i = start;
  while (i < text.length && isSpace(text[i])) i++;
  return i;
}

/** The longest prefix length of `rest` (never inside a surrogate pair) with measure(head + prefix) <= budget. */
export function fitLength(head: string, rest: string, budget: number, measure: Measure): number {
  // Only a window that grows from the budget is measured, so the cost follows the room and
  // not the length of the rest (a reply of one huge token or paragraph).
  let size = Math.max(1, budget + 1);
  let sizeMeasure = size < rest.length ? measure(head + rest.slice(0, size)) : 0;
  while (size < rest.length && sizeMeasure <= budget) {
    size *= 2;
    if (size < rest.length) sizeMeasure = measure(head + rest.slice(0, size));
  }
  if (size >= rest.length) {
    sizeMeasure = measure(head + rest);
    if (sizeMeasure <= budget) return rest.length;
    size = rest.length;
  }
  return avoidSurrogateSplit(rest, searchFit(head, rest, measure, budget, measure(head), size, sizeMeasure));
}

/**
 * The largest n in [0, hi) with measure(head + rest[0, n)) <= budget, given loMeasure for n = 0
 * and hiMeasure > budget for n = hi. Guesses where the budget falls between the two ends (exact
 * within a step or two for a measure close to linear, as every platform's is), and bisects
 * whenever a guess did not halve the interval: a few measures of the room, not log2(room).
 */
function searchFit(head: string, rest: string, measure: Measure, budget: number, loMeasure: number, hi: number, hiMeasure: number): number {
  let lo = 0;
  let bisect = false;
  while (hi - lo > 1) {
    const span = hi - lo;
    const guess = bisect
      ? lo + Math.floor(span / 2)
      : lo + Math.floor(((budget - loMeasure) * span) / Math.max(1, hiMeasure - loMeasure));
    const at = Math.min(hi - 1, Math.max(lo + 1, guess));
    const m = measure(head + rest.slice(0, at));
    if (m <= budget) {
      lo = at;
      loMeasure = m;
    } else {
      hi = at;
      hiMeasure = m;
    }
    bisect = !bisect && hi - lo > span / 2;
  }
  return lo;
}

function avoidSurrogateSplit(text: string, at: number): number {
  const c = text.charCodeAt(at);
  return at > 0 && at < text.length && c >= 0xdc00 && c <= 0xdfff ? at - 1 : at;
}

/**
 * The text of a last chunk: everything left, trailing blanks dropped, and a code fence the
 * answer left open closed (a reply cut by max_tokens often stops inside a code block).
 */
export function lastChunk(rest: string, fence: Fence | null): string {
  const body = rest.trimEnd();
  return reopenFence(fence) + body + closeFence(fenceAfter(fence, body));
}

/** The chunk that ends at `at`, or undefined when it would be empty. */
function chunkEndingAt(rest: string, fence: Fence | null, at: number): { chunk: string; fence: Fence | null } | undefined {
  const piece = rest.slice(0, at);
  const body = piece.trimEnd();
  if (body.trim() === '') return undefined;
  const open = fenceAfter(fence, piece);
  return { chunk: reopenFence(fence) + body + closeFence(open), fence: open };
}

/** Inside a fence the next chunk keeps its indentation: only the one separator character goes. */
function separatorLength(rest: string, at: number): number {
  if (rest.startsWith('\r\n', at)) return 2;
  return isSpace(rest[at]) ? 1 : 0;
}

/** How far before the room a hard cut first looks for its grapheme boundaries (more than a fence line). */
const HARD_CUT_WINDOW = 256;

/** A hard cut at the last grapheme boundary that fits (never splitting a surrogate pair or an emoji sequence). */
function hardCut(rest: string, fence: Fence | null, room: number, maxChars: number, measure: Measure, spans: number[]): SplitStep {
  // Only the window a live stream has seen is segmented, so a stream cuts where the whole text would.
  const seen = rest.slice(0, room + SPLIT_LOOKAHEAD);
  // Between two simple characters (Latin, CJK) the room itself is a cluster boundary, the cut the
  // walk below would try first: most hard cuts (a long token) need no walk at all.
  if (boundaryAtOrBefore(seen, room, 0) === room) {
    const atRoom = chunkEndingAt(rest, fence, room);
    if (atRoom && measure(atRoom.chunk) <= maxChars) return beforeEntity(rest, fence, { ...atRoom, consumed: room }, room, spans);
  }
  // The cut nearly always fits at the last boundary within the room: segment only the end of
  // the room first, and the whole of it only when nothing there fits (a fence line that does not).
  const near = boundaryAtOrBefore(seen, room - HARD_CUT_WINDOW, HARD_CUT_WINDOW);
  const cut = (near > 0 && lastFittingCut(rest, fence, seen, near, room, maxChars, measure)) || lastFittingCut(rest, fence, seen, 0, room, maxChars, measure);
  if (cut) return beforeEntity(rest, fence, cut, room, spans);
  // Nothing fits (a limit smaller than a fence line): take one grapheme so the text still moves on.
  const first = new GraphemeCursor(seen).next();
  const one = first > 0 ? first : 1;
  const piece = rest.slice(0, one);
  return { chunk: reopenFence(fence) + piece, consumed: one, fence: fenceAfter(fence, piece) };
}

/** A hard cut inside an entity moves to the entity's start, unless that leaves less than half the room. */
function beforeEntity(rest: string, fence: Fence | null, cut: SplitStep, room: number, spans: number[]): SplitStep {
  const start = entityAround(spans, cut.consumed);
  if (start < Math.ceil(room * MIN_SPLIT_FRACTION)) return cut;
  const earlier = chunkEndingAt(rest, fence, start);
  return earlier ? { ...earlier, consumed: start } : cut;
}

/** The cut at the last grapheme boundary in (from, room] whose chunk fits, segmenting from `from` (a boundary). */
function lastFittingCut(
  rest: string,
  fence: Fence | null,
  seen: string,
  from: number,
  room: number,
  maxChars: number,
  measure: Measure,
): SplitStep | undefined {
  const cursor = new GraphemeCursor(seen, from);
  const ends: number[] = [];
  for (let end = cursor.next(); end >= 0 && end <= room; end = cursor.next()) ends.push(end);
  for (let k = ends.length - 1; k >= 0; k--) {
    const cut = chunkEndingAt(rest, fence, ends[k]!);
    if (cut && measure(cut.chunk) <= maxChars) return { ...cut, consumed: ends[k]! };
  }
  return undefined;
}

/** The chunk ending on the boundary at `at`, unless that cuts an entity or does not fit. */
function cutAtBoundary(rest: string, fence: Fence | null, at: number, maxChars: number, spans: number[], measure: Measure): SplitStep | undefined {
  if (entityAround(spans, at) >= 0) return undefined;
  const cut = chunkEndingAt(rest, fence, at);
  if (!cut || measure(cut.chunk) > maxChars) return undefined;
  const consumed = cut.fence ? at + separatorLength(rest, at) : at;
  return { chunk: cut.chunk, consumed, fence: cut.fence };
}

/**
 * The next chunk of `rest` (which continues inside `fence`), or undefined when no split is due:
 * everything fits (`final`), or a live stream must wait for SPLIT_LOOKAHEAD more characters.
 */
export function nextSplit(
  rest: string,
  fence: Fence | null,
  maxChars: number,
  measure: Measure,
  final: boolean,
): SplitStep | undefined {
  const head = reopenFence(fence);
  const room = fitLength(head, rest, maxChars, measure);
  const body = rest.trimEnd();
  // Only a rest within the room can fit whole: a long rest is never measured or scanned whole.
  if (body.length <= room) {
    // The last chunk closes a fence left open, so that closing line must fit too.
    const tail = final ? closeFence(fenceAfter(fence, body)) : '';
    if (measure(head + body + tail) <= maxChars) return undefined;
  }
  const decided = final || rest.length >= room + SPLIT_LOOKAHEAD;
  if (!decided) return undefined;

  // Only the second half of the room is scanned: an earlier boundary is a worse cut than a hard one.
  const from = Math.ceil(room * MIN_SPLIT_FRACTION);
  const spans = entitySpans(rest, fence, room + SPLIT_LOOKAHEAD);
  // The best kind's last boundary nearly always is the cut: every boundary is listed only when it is not.
  const best = lastBoundaries(rest, from, room).find((at) => at >= 0);
  const first = best === undefined ? undefined : cutAtBoundary(rest, fence, best, maxChars, spans, measure);
  if (first) return first;
  if (best === undefined) return hardCut(rest, fence, room, maxChars, measure, spans);
  const boundaries = findBoundaries(rest, from, room);
  for (const kind of BOUNDARY_PREFERENCE) {
    const ofKind = boundaries[kind]!;
    for (let k = ofKind.length - 1; k >= 0; k--) {
      const cut = cutAtBoundary(rest, fence, ofKind[k]!, maxChars, spans, measure);
      if (cut) return cut;
    }
  }
  return hardCut(rest, fence, room, maxChars, measure, spans);
}

/**
 * Splits a complete text into chunks of at most `maxChars` (by `measure`, default code points),
 * each a valid message: a code fence cut by a boundary is closed at the end of the chunk and
 * reopened (same language tag) at the start of the next. Deterministic; whitespace at a cut is dropped.
 */
export function splitText(text: string, maxChars: number, measure: Measure = codePointLength): string[] {
  const chunks: string[] = [];
  let fence: Fence | null = null;
  let start = 0;
  for (;;) {
    if (!fence) start = skipLeadingWhitespace(text, start);
    const rest = text.slice(start);
    if (rest.trim() === '') break;
    const step = nextSplit(rest, fence, maxChars, measure, true);
    if (!step) {
      chunks.push(lastChunk(rest, fence));
      break;
    }
    chunks.push(step.chunk);
    start += step.consumed;
    fence = step.fence;
  }
  return chunks;
}
