// A MUD profile: everything MUD-specific (login dialogue, how tells and channels look, what a
// command may hold) as a YAML file users write by hand. A wrong file stops start-up with one line
// naming the field: "MUD profile profiles/x.yaml: triggers[0].match: invalid regex ...".
import { readFileSync } from 'node:fs';
import { basename, extname, relative } from 'node:path';
import iconv from 'iconv-lite';
import safeRegex from 'safe-regex2';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

export class ProfileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProfileError';
  }
}

/** Defaults chosen against the fake MUD's flood rule and common MUD limits (see README). */
export const PROFILE_DEFAULTS = {
  wrap: 76,
  maxCommandBytes: 240,
  pacingMs: 700,
  maxLines: 12,
  terminalType: 'parley',
  quit: 'quit',
  commandSeparators: [';'],
  promptFlushMs: 300,
  loginTimeoutMs: 30_000,
  /** A server that shows no login screen this long after connecting gets one nudge line. */
  loginNudge: { afterMs: 3_000, send: '' },
  /** Longest game line tried against triggers: bounds the work of any regex per line. */
  maxLineChars: 600,
  reconnect: { initialMs: 2_000, maxMs: 120_000 },
  rateLimit: { count: 6, windowMs: 60_000 },
} as const;

/** Names a wrong value in a message: 'got the string "4000"', 'got -1'. */
function describeInput(input: unknown): string {
  if (typeof input === 'string') return `the string ${JSON.stringify(input)}`;
  if (input === null) return 'an empty value';
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'object') return 'a mapping';
  return String(input);
}

/**
 * A regex a game line is tried against. Nested quantifiers (`(\w+\s?)+`) backtrack exponentially:
 * one 28-character line froze the bot for 12 s. safe-regex2 refuses any quantifier inside a
 * repeated group (star height > 1), which is where that blow-up comes from.
 */
const regex = () =>
  z.string({ error: (iss) => `must be a regex string, got ${describeInput(iss.input)}` }).superRefine((src, ctx) => {
    try {
      new RegExp(src);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `invalid regex: ${(err as Error).message}` });
      return;
    }
    // Only the star height decides: its default cap of 25 quantifiers would refuse a long but
    // flat trigger with a message about nesting it does not have.
    if (!safeRegex(src, { limit: Number.MAX_SAFE_INTEGER })) {
      ctx.addIssue({
        code: 'custom',
        message: 'unsafe regex: a quantifier inside a repeated group, like (\\w+\\s?)+, can take seconds per line; use one flat pattern such as (?<message>.+) or [\\w\\s]+',
      });
    }
  });

/** A whole number in a range; the message says what was expected and what the file holds. */
const wholeNumber = (min: number, max?: number) => {
  const expected = `expected a whole number ${max === undefined ? `≥ ${min}` : `${min}–${max}`}`;
  const schema = z
    .number({ error: (iss) => (iss.input === undefined ? `is required (${expected})` : `${expected}, got ${describeInput(iss.input)}`) })
    .int({ error: (iss) => `${expected}, got ${describeInput(iss.input)}` })
    .min(min, { error: (iss) => `must be ≥ ${min}, got ${describeInput(iss.input)}` });
  return max === undefined ? schema : schema.max(max, { error: (iss) => `must be ≤ ${max}, got ${describeInput(iss.input)}` });
};

const loginStep = z.object({
  expect: regex(),
  send: z.string({ error: 'must be a string (use "" for a bare Enter)' }),
  /** The line is never logged (set automatically when it uses {password}). */
  secret: z.boolean().optional(),
  /** May be skipped when the ready pattern shows up first (e.g. a MOTD "press return"). */
  optional: z.boolean().optional(),
});

const trigger = z
  .object({
    match: regex(),
    scope: z.string().min(1, { error: 'must not be empty' }),
    reply: z.string().includes('{line}', { error: 'must contain {line}' }),
    /** A private conversation (tells). Default: scope starts with "tell". */
    direct: z.boolean().optional(),
  })
  .superRefine((t, ctx) => {
    for (const group of ['speaker', 'message']) {
      if (!t.match.includes(`(?<${group}>`)) {
        ctx.addIssue({ code: 'custom', path: ['match'], message: `needs a named group (?<${group}>...)` });
      }
    }
  });

const positive = (def: number, min = 1) => wholeNumber(min).default(def);

const profileSchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]+$/, { error: 'letters, digits, - and _ only' }).optional(),
  host: z.string({ error: 'is required (the MUD host name)' }).min(1),
  port: wholeNumber(1, 65_535),
  encoding: z
    .string()
    .default('utf8')
    .transform((e) => e.toLowerCase().replace(/^utf-8$/, 'utf8'))
    .refine((e) => iconv.encodingExists(e), { error: 'unknown encoding (use utf8, gbk or big5)' }),
  name: z.string({ error: 'is required (the bot character name)' }).min(1),
  login: z.array(loginStep).default([]),
  ready: regex(),
  /** The game's line for a refused login (wrong password): retrying cannot help, so we stop. */
  loginRejected: regex().optional(),
  /** Sent once when no login prompt arrived within afterMs (a server just after a reboot). */
  loginNudge: z
    .object({ afterMs: positive(PROFILE_DEFAULTS.loginNudge.afterMs, 100), send: z.string().default(PROFILE_DEFAULTS.loginNudge.send) })
    .default({ ...PROFILE_DEFAULTS.loginNudge }),
  triggers: z.array(trigger).min(1, { error: 'needs at least one trigger' }),
  /** Lines matching any of these are never answered (other bots, system spam). */
  ignore: z.array(regex()).default([]),
  /** Speakers never answered (other bots), compared case-insensitively. */
  ignoreSpeakers: z.array(z.string()).default([]),
  /** A prompt that may prefix output lines (e.g. '^> '): removed before triggers match. */
  promptPrefix: regex().optional(),
  wrap: positive(PROFILE_DEFAULTS.wrap, 10),
  maxCommandBytes: positive(PROFILE_DEFAULTS.maxCommandBytes, 16),
  maxLines: positive(PROFILE_DEFAULTS.maxLines),
  pacingMs: positive(PROFILE_DEFAULTS.pacingMs, 0),
  commandSeparators: z.array(z.string().min(1)).default([...PROFILE_DEFAULTS.commandSeparators]),
  terminalType: z.string().regex(/^[\x21-\x7e]{1,40}$/, { error: 'printable ASCII, no spaces' }).default(PROFILE_DEFAULTS.terminalType),
  quit: z.string().default(PROFILE_DEFAULTS.quit),
  keepalive: z.object({ everyMs: positive(600_000, 100), send: z.string().min(1) }).optional(),
  reconnect: z
    .object({ initialMs: positive(PROFILE_DEFAULTS.reconnect.initialMs), maxMs: positive(PROFILE_DEFAULTS.reconnect.maxMs) })
    .default({ ...PROFILE_DEFAULTS.reconnect }),
  loginTimeoutMs: positive(PROFILE_DEFAULTS.loginTimeoutMs, 100),
  promptFlushMs: positive(PROFILE_DEFAULTS.promptFlushMs, 0),
  maxLineChars: positive(PROFILE_DEFAULTS.maxLineChars, 80),
  rateLimit: z
    .object({ count: positive(PROFILE_DEFAULTS.rateLimit.count), windowMs: positive(PROFILE_DEFAULTS.rateLimit.windowMs) })
    .default({ ...PROFILE_DEFAULTS.rateLimit }),
});

export type ProfileFile = z.infer<typeof profileSchema>;

export interface LoginStep {
  expect: RegExp;
  /** Expanded text to send ({name}, {password} filled in). */
  send: string;
  secret: boolean;
  optional: boolean;
}

export interface Trigger {
  match: RegExp;
  scope: string;
  reply: string;
  direct: boolean;
}

export interface Profile extends Omit<ProfileFile, 'login' | 'ready' | 'loginRejected' | 'triggers' | 'ignore' | 'promptPrefix' | 'id'> {
  /** Used in channel keys `mud:<id>:<scope>`: the `id` field or the file name. */
  id: string;
  login: LoginStep[];
  ready: RegExp;
  loginRejected?: RegExp;
  triggers: Trigger[];
  ignore: RegExp[];
  promptPrefix?: RegExp;
}

export interface ProfileSecrets {
  password?: string;
}

function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, part) => (typeof part === 'number' ? `${acc}[${part}]` : acc ? `${acc}.${String(part)}` : String(part)), '');
}

/** Fills `{key}` placeholders; unknown ones stay as written. */
export function expandTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => (key in values ? values[key]! : whole));
}

/** Validates parsed YAML into a Profile; `source` names the file in error messages. */
export function parseProfile(data: unknown, source: string, secrets: ProfileSecrets = {}): Profile {
  const fail = (field: string, message: string): never => {
    throw new ProfileError(`MUD profile ${source}: ${field ? `${field}: ` : ''}${message}`);
  };
  if (data === null || typeof data !== 'object' || Array.isArray(data)) fail('', 'must be a YAML mapping of fields (host, port, name, ...)');
  const parsed = profileSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    fail(fieldPath(issue.path), issue.message);
  }
  const p = parsed.data!;

  const login = p.login.map((step, i): LoginStep => {
    const usesPassword = step.send.includes('{password}');
    if (usesPassword && !secrets.password) fail(`login[${i}].send`, 'uses {password} but MUD_PASSWORD is not set');
    return {
      expect: new RegExp(step.expect),
      send: expandTemplate(step.send, { name: p.name, password: secrets.password ?? '' }),
      secret: step.secret ?? usesPassword,
      optional: step.optional ?? false,
    };
  });
  p.triggers.forEach((t, i) => {
    const unknown = [...t.scope.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).find((k) => k !== 'speaker');
    if (unknown) fail(`triggers[${i}].scope`, `unknown placeholder {${unknown}} (only {speaker})`);
  });
  if (p.reconnect.maxMs < p.reconnect.initialMs) fail('reconnect.maxMs', 'must be at least reconnect.initialMs');

  const id = p.id ?? basename(source, extname(source)).replace(/[^A-Za-z0-9_-]/g, '-');
  return {
    ...p,
    id,
    login,
    ready: new RegExp(p.ready),
    loginRejected: p.loginRejected ? new RegExp(p.loginRejected) : undefined,
    triggers: p.triggers.map((t) => ({
      match: new RegExp(t.match),
      scope: t.scope,
      reply: t.reply,
      direct: t.direct ?? /^tell\b/i.test(t.scope),
    })),
    ignore: p.ignore.map((r) => new RegExp(r)),
    promptPrefix: p.promptPrefix ? new RegExp(p.promptPrefix) : undefined,
  };
}

/** Reads and validates a profile file. */
export function loadProfile(path: string, secrets: ProfileSecrets = {}): Profile {
  const shown = relative(process.cwd(), path) || path;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ProfileError(`MUD profile ${shown}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (err) {
    throw new ProfileError(`MUD profile ${shown}: not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  return parseProfile(data, shown, secrets);
}
