// pino JSON logs. Secrets are redacted where the logger is built, not hoped away later.
import { pino, type Logger, type DestinationStream } from 'pino';
import { secretPaths } from './config/index.js';

export type { Logger };

/** Field paths that may carry secrets if someone logs a request or a settings object. A logged
 * Config is covered by the secret fields the core and each adapter declare (secretPaths). */
const REDACT_PATHS = [
  'apiKey',
  'token',
  'password',
  'authorization',
  'headers.authorization',
  'headers["api-key"]',
  '*.apiKey',
  '*.token',
  '*.password',
  '*.authorization',
];

const secrets = new Set<string>();

/** Registers a secret value so that it is masked wherever it appears in a log line. */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 6) secrets.add(value);
}

/** Replaces every registered secret (and bot-token-looking URL segments) in a string. */
export function redact(text: string): string {
  let out = text;
  for (const s of secrets) out = out.split(s).join('[redacted]');
  // Telegram puts the token in the URL path: /bot123456:ABC.../method
  out = out.replace(/\/bot\d+:[A-Za-z0-9_-]+/g, '/bot[redacted]');
  return out;
}

/** pino's own error serializer (real class name, stack, causes, the error's own fields such as
 * LlmError's kind/status/code), with every string it produced passed through `redact`: an
 * upstream may echo the key into a message. Non-errors pass through (strings redacted). */
export function serializeError(value: unknown): unknown {
  if (typeof value === 'string') return redact(value);
  if (!(value instanceof Error)) return value;
  const out: Record<string, unknown> = pino.stdSerializers.err(value);
  for (const [k, v] of Object.entries(out)) if (typeof v === 'string') out[k] = redact(v);
  return out;
}

export function createLogger(level = 'info', destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'parley' },
      redact: { paths: [...REDACT_PATHS, ...secretPaths().map((path) => `config.${path}`)], censor: '[redacted]' },
      // Errors go under `err` and reach this serializer as Errors (the formatter below must not
      // flatten them first, or the line says "type":"Object" with no stack).
      serializers: { err: serializeError },
      formatters: {
        log(obj) {
          // Error messages and free text may quote a secret (e.g. an upstream echoing the key).
          for (const [k, v] of Object.entries(obj)) {
            if (typeof v === 'string') obj[k] = redact(v);
            else if (v instanceof Error && k !== 'err') obj[k] = serializeError(v);
          }
          return obj;
        },
      },
      hooks: {
        logMethod(args, method) {
          const mapped = args.map((a) => (typeof a === 'string' ? redact(a) : a)) as typeof args;
          method.apply(this, mapped);
        },
      },
    },
    destination,
  );
}
