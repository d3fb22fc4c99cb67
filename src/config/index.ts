// env (+ .env) -> one validated, typed Config. Every bad value stops start-up with one line
// naming the key and what is wrong; no stack trace reaches the user.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { scaleConfigFrom, scaleConfigProblem, scaleEnvShape, type ScaleConfig } from '../scale/config.js';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const TRUE = new Set(['1', 'true', 'on', 'yes']);
const FALSE = new Set(['0', 'false', 'off', 'no']);

/** Empty strings count as unset, so `KEY=` in .env means "use the default". */
const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

const optStr = () => z.preprocess(blankToUndefined, z.string().optional());
const str = (def: string) => z.preprocess(blankToUndefined, z.string().default(def));

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

const int = (def: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z.preprocess(numberInput, numberInRange(min, max, true).default(def));
const optInt = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.preprocess(numberInput, numberInRange(min, max, true).optional());
const optNumber = (min: number, max: number) => z.preprocess(numberInput, numberInRange(min, max, false).optional());

const bool = (def: boolean) =>
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
const list = () =>
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
const optUrl = () => z.preprocess(blankToUndefined, httpUrl().optional());
const url = (def: string) => z.preprocess(blankToUndefined, httpUrl().default(def));

const enumOf = <const T extends readonly [string, ...string[]]>(values: T, def: T[number]) =>
  z.preprocess(
    (v) => {
      const b = blankToUndefined(v);
      return typeof b === 'string' ? b.trim().toLowerCase() : b;
    },
    z.enum(values, { error: `must be one of: ${values.join(', ')}` }).default(def as never),
  ) as unknown as z.ZodType<T[number]>;

const envSchema = z.object({
  // provider
  OPENAI_API_KEY: optStr(),
  OPENAI_BASE_URL: url('https://api.openai.com/v1'),
  OPENAI_AUTH_HEADER: enumOf(['authorization', 'api-key'], 'authorization'),
  OPENAI_ORG_ID: optStr(),
  CHAT_MODEL: str('gpt-4o-mini'),
  CHAT_TEMPERATURE: optNumber(0, 2),
  CHAT_MAX_TOKENS: optInt(1, 2_000_000),
  IMAGE_MODEL: str('dall-e-3'),
  IMAGE_SIZE: z.preprocess(
    blankToUndefined,
    z.string().regex(/^\d{2,5}x\d{2,5}$/, { message: 'must look like 1024x1024' }).default('1024x1024'),
  ),
  TTS_MODEL: str('tts-1'),
  TTS_VOICE: str('alloy'),
  TRANSCRIBE_MODEL: str('whisper-1'),
  VISION: bool(true),
  LLM_CONNECT_TIMEOUT_MS: int(10_000, 100, 3_600_000),
  LLM_FIRST_BYTE_TIMEOUT_MS: int(60_000, 100, 3_600_000),
  LLM_IDLE_TIMEOUT_MS: int(60_000, 100, 3_600_000),
  LLM_MAX_RETRIES: int(2, 0, 10),

  // conversation
  SYSTEM_PROMPT: str('You are a helpful assistant in a chat. Answer concisely.'),
  HISTORY_MAX_MESSAGES: int(40, 2, 10_000),
  HISTORY_MAX_TOKENS: int(6_000, 100, 2_000_000),
  REPLY_DEADLINE_MS: int(300_000, 1_000, 3_600_000),
  REPLY_MAX_CHARS: int(40_000, 100, 1_000_000),
  REPLY_MAX_MESSAGES: int(20, 1, 1_000),
  HISTORY_STORE: enumOf(['sqlite', 'memory', 'redis'], 'sqlite'),
  DATA_DIR: str('./data'),
  QUEUE_MAX_PER_CHANNEL: int(5, 0, 1_000),
  PROVIDER_CONCURRENCY: int(16, 1, 10_000),
  SHUTDOWN_GRACE_MS: int(8_000, 0, 600_000),
  RATE_LIMIT_PER_MINUTE: int(20, 0, 100_000),
  DAILY_TOKEN_BUDGET: int(0, 0),
  ADMINS: list(),
  LOCALE: enumOf(['en', 'zh'], 'en'),
  PERSONAS: optStr(),
  REASONING: enumOf(['hide', 'status', 'show'], 'status'),
  TEXT_ATTACHMENT_MAX_BYTES: int(102_400, 1, 10_000_000),
  MCP_SERVERS: optStr(),
  TOOLS_MAX_STEPS: int(5, 1, 50),
  TOOLS_TIMEOUT_MS: int(30_000, 100, 600_000),
  TOOLS_MAX_RESULT_CHARS: int(8_000, 100, 1_000_000),
  LOG_LEVEL: enumOf(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'], 'info'),

  // discord
  DISCORD_TOKEN: optStr(),
  DISCORD_API_URL: optUrl(),
  DISCORD_GUILD_ID: optStr(),
  DISCORD_ALLOWED_GUILDS: list(),
  DISCORD_ALLOWED_CHANNELS: list(),
  DISCORD_ALLOWED_USERS: list(),
  DISCORD_LISTEN_CHANNELS: list(),
  DISCORD_EDIT_INTERVAL_MS: int(1_200, 200, 60_000),
  DISCORD_PING_AUTHOR: bool(false),
  DISCORD_CONTEXT: enumOf(['channel', 'chain'], 'channel'),

  // telegram
  TELEGRAM_BOT_TOKEN: optStr(),
  TELEGRAM_API_ROOT: optUrl(),
  TELEGRAM_ALLOWED_USERS: list(),
  TELEGRAM_ALLOWED_CHATS: list(),
  TELEGRAM_WEBHOOK_URL: optUrl(),
  TELEGRAM_WEBHOOK_PORT: int(8443, 1, 65_535),
  // Telegram accepts only these characters in a webhook secret_token.
  TELEGRAM_WEBHOOK_SECRET: z.preprocess(blankToUndefined, z.string().regex(/^[A-Za-z0-9_-]{1,256}$/, { message: 'must be 1-256 characters A-Z a-z 0-9 _ -' }).optional()),
  TELEGRAM_WEBHOOK_HOST: str('0.0.0.0'),
  TELEGRAM_STREAM: enumOf(['auto', 'draft', 'edit', 'off'], 'auto'),
  TELEGRAM_EDIT_INTERVAL_DM_MS: int(1_000, 100, 60_000),
  TELEGRAM_EDIT_INTERVAL_GROUP_MS: int(3_000, 100, 60_000),
  TELEGRAM_DRAFT_INTERVAL_MS: int(300, 50, 60_000),

  // mud
  MUD_PROFILE: optStr(),
  MUD_PASSWORD: optStr(),

  // ops server (health, metrics, status page); off unless OPS_PORT is set
  OPS_PORT: int(0, 0, 65_535),
  OPS_HOST: str('127.0.0.1'),
  OPS_TOKEN: optStr(),
  OPS_SHOW_CONTENT: bool(false),

  // several instances on one Redis (src/scale/config.ts)
  ...scaleEnvShape,
});

type Env = z.infer<typeof envSchema>;

export interface Config {
  llm: {
    apiKey?: string;
    baseUrl: string;
    authHeader: 'authorization' | 'api-key';
    orgId?: string;
    chatModel: string;
    temperature?: number;
    maxTokens?: number;
    imageModel: string;
    imageSize: string;
    ttsModel: string;
    ttsVoice: string;
    transcribeModel: string;
    vision: boolean;
    connectTimeoutMs: number;
    firstByteTimeoutMs: number;
    idleTimeoutMs: number;
    maxRetries: number;
  };
  conversation: {
    systemPrompt: string;
    historyMaxMessages: number;
    historyMaxTokens: number;
    queueMaxPerChannel: number;
    /** Provider requests in flight at once, across all channels. */
    providerConcurrency: number;
    /** On shutdown, how long replies already running may take to finish. */
    shutdownGraceMs: number;
    rateLimitPerMinute: number;
    dailyTokenBudget: number;
    /** Entries are `platform:id` or a bare id that matches on any platform. */
    admins: string[];
    locale: 'en' | 'zh';
    /** A reasoning model's thinking: hide it, show a "thinking…" status, or show an excerpt. */
    reasoning: 'hide' | 'status' | 'show';
    /** YAML file of personas a channel can choose (absolute path); undefined = none. */
    personasPath?: string;
    /** Attached text files up to this size are read into the message; larger ones get a note. */
    textAttachmentMaxBytes: number;
  };
  store: { kind: 'sqlite' | 'memory' | 'redis'; dataDir: string };
  /** Redis and slot settings; used when store.kind is 'redis'. */
  scale: ScaleConfig;
  /** Bounds on one reply: past any of them it is cut off with a notice and the request aborted. */
  reply: { deadlineMs: number; maxChars: number; maxMessages: number };
  /** MCP tools; absent when MCP_SERVERS is unset (tools off). */
  tools?: { serversPath: string; maxSteps: number; timeoutMs: number; maxResultChars: number };
  logLevel: Env['LOG_LEVEL'];
  discord?: {
    token: string;
    apiUrl?: string;
    guildId?: string;
    allowedGuilds: string[];
    allowedChannels: string[];
    allowedUsers: string[];
    listenChannels: string[];
    editIntervalMs: number;
    pingAuthor: boolean;
    /** Where a message's history comes from: the channel's, or the reply chain it answers. */
    context: 'channel' | 'chain';
  };
  telegram?: {
    token: string;
    apiRoot?: string;
    allowedUsers: string[];
    allowedChats: string[];
    webhookUrl?: string;
    webhookPort: number;
    webhookSecret?: string;
    webhookHost: string;
    stream: 'auto' | 'draft' | 'edit' | 'off';
    editIntervalDmMs: number;
    editIntervalGroupMs: number;
    draftIntervalMs: number;
  };
  mud?: { profilePath: string; password?: string };
  /** Set when OPS_PORT is; `token` is required unless `host` is loopback. */
  ops?: { port: number; host: string; token?: string; showContent: boolean };
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const key = issue.path.join('.');
      return `${key}: ${issue.message}`;
    })
    .join('\n');
}

/** Validates an environment (process.env by default) into a Config, or throws ConfigError. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) throw new ConfigError(`Invalid configuration:\n${describeIssues(parsed.error)}`);
  const e = parsed.data;

  let mud: Config['mud'];
  if (e.MUD_PROFILE) {
    const profilePath = resolve(e.MUD_PROFILE);
    if (!existsSync(profilePath)) {
      throw new ConfigError(`Invalid configuration:\nMUD_PROFILE: no such file: ${profilePath}`);
    }
    mud = { profilePath, password: e.MUD_PASSWORD };
  }

  const scaleProblem = scaleConfigProblem(e, e.HISTORY_STORE);
  if (scaleProblem) throw new ConfigError(`Invalid configuration:\n${scaleProblem}`);

  if (e.OPS_PORT && !e.OPS_TOKEN && !isLoopback(e.OPS_HOST)) {
    throw new ConfigError(`Invalid configuration:\nOPS_TOKEN: required when OPS_HOST (${e.OPS_HOST}) is not loopback`);
  }

  return {
    llm: {
      apiKey: e.OPENAI_API_KEY,
      baseUrl: e.OPENAI_BASE_URL,
      authHeader: e.OPENAI_AUTH_HEADER,
      orgId: e.OPENAI_ORG_ID,
      chatModel: e.CHAT_MODEL,
      temperature: e.CHAT_TEMPERATURE,
      maxTokens: e.CHAT_MAX_TOKENS,
      imageModel: e.IMAGE_MODEL,
      imageSize: e.IMAGE_SIZE,
      ttsModel: e.TTS_MODEL,
      ttsVoice: e.TTS_VOICE,
      transcribeModel: e.TRANSCRIBE_MODEL,
      vision: e.VISION,
      connectTimeoutMs: e.LLM_CONNECT_TIMEOUT_MS,
      firstByteTimeoutMs: e.LLM_FIRST_BYTE_TIMEOUT_MS,
      idleTimeoutMs: e.LLM_IDLE_TIMEOUT_MS,
      maxRetries: e.LLM_MAX_RETRIES,
    },
    conversation: {
      systemPrompt: e.SYSTEM_PROMPT,
      historyMaxMessages: e.HISTORY_MAX_MESSAGES,
      historyMaxTokens: e.HISTORY_MAX_TOKENS,
      queueMaxPerChannel: e.QUEUE_MAX_PER_CHANNEL,
      providerConcurrency: e.PROVIDER_CONCURRENCY,
      shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
      rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
      dailyTokenBudget: e.DAILY_TOKEN_BUDGET,
      admins: e.ADMINS,
      locale: e.LOCALE,
      reasoning: e.REASONING,
      personasPath: e.PERSONAS ? resolve(e.PERSONAS) : undefined,
      textAttachmentMaxBytes: e.TEXT_ATTACHMENT_MAX_BYTES,
    },
    store: { kind: e.HISTORY_STORE, dataDir: resolve(e.DATA_DIR) },
    scale: scaleConfigFrom(e),
    reply: { deadlineMs: e.REPLY_DEADLINE_MS, maxChars: e.REPLY_MAX_CHARS, maxMessages: e.REPLY_MAX_MESSAGES },
    tools: e.MCP_SERVERS
      ? { serversPath: resolve(e.MCP_SERVERS), maxSteps: e.TOOLS_MAX_STEPS, timeoutMs: e.TOOLS_TIMEOUT_MS, maxResultChars: e.TOOLS_MAX_RESULT_CHARS }
      : undefined,
    logLevel: e.LOG_LEVEL,
    discord: e.DISCORD_TOKEN
      ? {
          token: e.DISCORD_TOKEN,
          apiUrl: e.DISCORD_API_URL,
          guildId: e.DISCORD_GUILD_ID,
          allowedGuilds: e.DISCORD_ALLOWED_GUILDS,
          allowedChannels: e.DISCORD_ALLOWED_CHANNELS,
          allowedUsers: e.DISCORD_ALLOWED_USERS,
          listenChannels: e.DISCORD_LISTEN_CHANNELS,
          editIntervalMs: e.DISCORD_EDIT_INTERVAL_MS,
          pingAuthor: e.DISCORD_PING_AUTHOR,
          context: e.DISCORD_CONTEXT,
        }
      : undefined,
    telegram: e.TELEGRAM_BOT_TOKEN
      ? {
          token: e.TELEGRAM_BOT_TOKEN,
          apiRoot: e.TELEGRAM_API_ROOT,
          allowedUsers: e.TELEGRAM_ALLOWED_USERS,
          allowedChats: e.TELEGRAM_ALLOWED_CHATS,
          webhookUrl: e.TELEGRAM_WEBHOOK_URL,
          webhookPort: e.TELEGRAM_WEBHOOK_PORT,
          webhookSecret: e.TELEGRAM_WEBHOOK_SECRET,
          webhookHost: e.TELEGRAM_WEBHOOK_HOST,
          stream: e.TELEGRAM_STREAM,
          editIntervalDmMs: e.TELEGRAM_EDIT_INTERVAL_DM_MS,
          editIntervalGroupMs: e.TELEGRAM_EDIT_INTERVAL_GROUP_MS,
          draftIntervalMs: e.TELEGRAM_DRAFT_INTERVAL_MS,
        }
      : undefined,
    mud,
    ops: e.OPS_PORT ? { port: e.OPS_PORT, host: e.OPS_HOST, token: e.OPS_TOKEN, showContent: e.OPS_SHOW_CONTENT } : undefined,
  };
}

/** 127.0.0.0/8, ::1 and localhost: only this machine can reach the ops server. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Loads `.env` from the working directory if there is one; real env vars win. */
export function loadDotEnv(path = '.env'): void {
  if (!existsSync(path)) return;
  // Node's own parser (20.12+): no dependency needed. It never overrides set variables.
  process.loadEnvFile(path);
}
