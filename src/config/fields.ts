// Field builders every config schema uses (the core's and each adapter's), so a setting reads
// and fails the same way whoever declares it. Empty strings count as unset, so `KEY=` in .env
// means "use the default"; a failure names what the key accepts.
import { z } from 'zod';

const TRUE = new Set(['1', 'true', 'on', 'yes']);
const FALSE = new Set(['0', 'false', 'off', 'no']);

export const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

export const optStr = () => z.preprocess(blankToUndefined, z.string().optional());
export const str = (def: string) => z.preprocess(blankToUndefined, z.string().default(def));

/** What a number setting accepts, said the same way for every key. */
function describeRange(min: number, max: number, whole: boolean): string {
  const kind = whole ? 'a whole number' : 'a number';
  return max === Number.MAX_SAFE_INTEGER ? `must be ${kind}, ${min} or more` : `must be ${kind} from ${min} to ${max}`;
}

/** A number setting in [min, max]; any failure (not a number, a fraction, out of range) names the range. */
const numberInRange = (min: number, max: number, whole: boolean) =>
  z.string().transform((raw, ctx) => {
    const n = Number(raw.trim());
    if (Number.isFinite(n) && (!whole || Number.isInteger(n)) && n >= min && n <= max) return n;
    ctx.addIssue({ code: 'custom', message: `${describeRange(min, max, whole)} (got ${raw.trim().slice(0, 20)})` });
    return z.NEVER;
  });

/** Numbers given as numbers (not only env strings) are read the same way. */
const numberInput = (v: unknown) => (typeof v === 'number' ? String(v) : blankToUndefined(v));

export const int = (def: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z.preprocess(numberInput, numberInRange(min, max, true).default(def));
export const optInt = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.preprocess(numberInput, numberInRange(min, max, true).optional());
export const optNumber = (min: number, max: number) => z.preprocess(numberInput, numberInRange(min, max, false).optional());

export const bool = (def: boolean) =>
  z.preprocess(
    blankToUndefined,
    z
      .string()
      .transform((v, ctx) => {
        const s = v.trim().toLowerCase();
        if (TRUE.has(s)) return true;
        if (FALSE.has(s)) return false;
        ctx.addIssue({ code: 'custom', message: 'must be on or off' });
        return z.NEVER;
      })
      .default(def),
  );

/** Comma- or space-separated list. */
export const list = () =>
  z.preprocess(
    blankToUndefined,
    z
      .string()
      .default('')
      .transform((v) =>
        v
          .split(/[\s,]+/)
          .map((s) => s.trim())
          .filter(Boolean),
      ),
  );

const URL_HELP = 'must be an http(s) URL, e.g. https://api.example.com/v1';

/** Parsed by WHATWG URL (as undici will parse it), so a value that would fail at the first
 * request fails at start instead. The value itself is not echoed: it may carry credentials. */
const httpUrl = () =>
  z.string().transform((raw, ctx) => {
    const value = raw.trim();
    // WHATWG URL rejects a port over 65535 with a bare "Invalid URL"; say which part is wrong.
    const port = /^[a-z]+:\/\/(?:[^/?#@]*@)?(?:\[[^\]]*\]|[^/?#:]*):(\d+)(?:[/?#]|$)/i.exec(value)?.[1];
    if (port !== undefined && (Number(port) < 1 || Number(port) > 65_535)) {
      ctx.addIssue({ code: 'custom', message: `has port ${port}; a port must be from 1 to 65535` });
      return z.NEVER;
    }
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      ctx.addIssue({ code: 'custom', message: URL_HELP });
      return z.NEVER;
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      ctx.addIssue({ code: 'custom', message: URL_HELP });
      return z.NEVER;
    }
    return value;
  });
export const optUrl = () => z.preprocess(blankToUndefined, httpUrl().optional());
export const url = (def: string) => z.preprocess(blankToUndefined, httpUrl().default(def));

/** One of a fixed set of words, case-insensitive. */
export const enumOf = <const T extends readonly [string, ...string[]]>(values: T, def: T[number]) => {
  const isOneOf = (s: string): s is T[number] => values.includes(s);
  return z.preprocess(
    blankToUndefined,
    z
      .string()
      .default(def)
      .transform((v, ctx) => {
        const s = v.trim().toLowerCase();
        if (isOneOf(s)) return s;
        ctx.addIssue({ code: 'custom', message: `must be one of: ${values.join(', ')}` });
        return z.NEVER;
      }),
  );
};
