// What a failed Bot API call means for the adapter. telegraf throws TelegramError with the
// server's `error_code` / `description` / `parameters`; network failures are other errors.
import { TelegramError } from 'telegraf';
import { SurfaceError } from '../../src/types.js';

/** Seconds the server asked us to wait (429 flood control), or undefined. */
export function retryAfterSeconds(err: unknown): number | undefined {
  if (!(err instanceof TelegramError) || err.code !== 429) return undefined;
  const seconds = err.parameters?.retry_after;
  return typeof seconds === 'number' && seconds >= 0 ? seconds : 1;
}

/** The edit would not change anything: harmless, the message already shows this text. */
export function isNotModified(err: unknown): boolean {
  return err instanceof TelegramError && /message is not modified/i.test(err.description);
}

/** Telegram refused our HTML ("can't parse entities"): send the same text without markup. */
export function isEntityError(err: unknown): boolean {
  return err instanceof TelegramError && err.code === 400 && /can't parse entities|unsupported start tag|entity/i.test(err.description);
}

/** The server does not know the method (an older Bot API server, or drafts not offered). */
export function isUnknownMethod(err: unknown): boolean {
  if (!(err instanceof TelegramError)) return false;
  return (err.code === 404 && /not found/i.test(err.description)) || (err.code === 400 && /method not found|unknown method/i.test(err.description));
}

/** The message to edit is gone (deleted by someone): send a new one instead. */
export function isMessageGone(err: unknown): boolean {
  return err instanceof TelegramError && err.code === 400 && /message to edit not found|message can't be edited/i.test(err.description);
}

/** Worth another try: the server failed, or the network did. Client errors (4xx) are not. */
export function isTransient(err: unknown): boolean {
  if (err instanceof TelegramError) return err.code >= 500;
  return err instanceof Error && (err.name === 'FetchError' || /ECONNRESET|ECONNREFUSED|ETIMEDOUT|socket hang up/i.test(err.message));
}

/** A short, token-free description for logs. */
export function describeTelegramError(err: unknown): { code?: number; description: string } {
  if (err instanceof TelegramError) return { code: err.code, description: err.description };
  const message = err instanceof Error ? err.message : String(err);
  return { description: message.replace(/\/bot\d+:[^/\s]+/g, '/bot[redacted]') };
}

/** The failure as the reply session's retry policy sees it. `unitMs`: one retry_after "second". */
export function toSurfaceError(err: unknown, unitMs = 1_000): SurfaceError {
  const { description } = describeTelegramError(err);
  // Network errors may carry the request URL, which holds the token: only the Bot API's own error is kept.
  const cause = err instanceof TelegramError ? err : undefined;
  const retryAfter = retryAfterSeconds(err);
  if (retryAfter !== undefined) return new SurfaceError('rate_limited', description, { retryAfterMs: retryAfter * unitMs, cause });
  if (isEntityError(err)) return new SurfaceError('markup_rejected', description, { cause });
  if (isMessageGone(err)) return new SurfaceError('gone', description, { cause });
  if (err instanceof TelegramError && err.code === 400 && /too long/i.test(err.description)) return new SurfaceError('too_long', description, { cause });
  if (isTransient(err)) return new SurfaceError('transient', description, { cause });
  return new SurfaceError('refused', description, { cause });
}
