// The core's settings: provider, conversations, store, reply bounds, tools, logs, ops server.
// Platform settings live next to each adapter (adapters/*/config.ts).
import { resolve } from 'node:path';
import { z } from 'zod';
import { blankToUndefined, bool, enumOf, int, list, optInt, optNumber, optStr, str, url } from './fields.js';
import { scaleConfigFrom, scaleConfigProblem, scaleEnvShape, type ScaleConfig } from '../scale/config.js';

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface CoreConfig {
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
  logLevel: LogLevel;
  /** Set when OPS_PORT is; `token` is required unless `host` is loopback. */
  ops?: { port: number; host: string; token?: string; showContent: boolean };
}

const providerEnv = {
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
};

const conversationEnv = {
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
  LOG_LEVEL: enumOf(LOG_LEVELS, 'info'),
};

/** The ops server (health, metrics, status page); off unless OPS_PORT is set. */
const opsEnv = {
  OPS_PORT: int(0, 0, 65_535),
  OPS_HOST: str('127.0.0.1'),
  OPS_TOKEN: optStr(),
  OPS_SHOW_CONTENT: bool(false),
};

// Several instances on one Redis: src/scale/config.ts.
const coreEnv = z.object({ ...providerEnv, ...conversationEnv, ...opsEnv, ...scaleEnvShape });
type CoreEnv = z.output<typeof coreEnv>;

/** 127.0.0.0/8, ::1 and localhost: only this machine can reach the ops server. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** env -> CoreConfig; an exposed ops server without a token is refused, naming OPS_TOKEN. */
export const coreConfigSchema = coreEnv.transform((e, ctx): CoreConfig => {
  if (e.OPS_PORT && !e.OPS_TOKEN && !isLoopback(e.OPS_HOST)) {
    ctx.addIssue({ code: 'custom', path: ['OPS_TOKEN'], message: `required when OPS_HOST (${e.OPS_HOST}) is not loopback` });
  }
  if (scaleConfigProblem(e, e.HISTORY_STORE)) {
    ctx.addIssue({ code: 'custom', path: ['REDIS_URL'], message: 'required when HISTORY_STORE=redis' });
  }
  return {
    llm: llmSettings(e),
    conversation: conversationSettings(e),
    store: { kind: e.HISTORY_STORE, dataDir: resolve(e.DATA_DIR) },
    scale: scaleConfigFrom(e),
    reply: { deadlineMs: e.REPLY_DEADLINE_MS, maxChars: e.REPLY_MAX_CHARS, maxMessages: e.REPLY_MAX_MESSAGES },
    tools: e.MCP_SERVERS
      ? { serversPath: resolve(e.MCP_SERVERS), maxSteps: e.TOOLS_MAX_STEPS, timeoutMs: e.TOOLS_TIMEOUT_MS, maxResultChars: e.TOOLS_MAX_RESULT_CHARS }
      : undefined,
    logLevel: e.LOG_LEVEL,
    ops: e.OPS_PORT ? { port: e.OPS_PORT, host: e.OPS_HOST, token: e.OPS_TOKEN, showContent: e.OPS_SHOW_CONTENT } : undefined,
  };
});

function llmSettings(e: CoreEnv): CoreConfig['llm'] {
  return {
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
  };
}

function conversationSettings(e: CoreEnv): CoreConfig['conversation'] {
  return {
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
  };
}

/** The core's settings that hold secrets, as dot paths into CoreConfig. Each adapter declares its
 * own beside its schema (PlatformConfigSection.secrets); see secretPaths in index.ts. */
export const CORE_SECRET_PATHS: readonly string[] = ['llm.apiKey', 'ops.token'];
