// Shared bits for the client tests: a client tuned for fast tests, and ways to collect results.
import { LlmError } from '../../src/llm/errors.js';
import { OpenAIClient, type OpenAIClientOptions } from '../../src/llm/client.js';
import type { ChatRequest, ChatStream } from '../../src/llm/types.js';
import type { FakeUpstream } from '../fakes/upstream/server.js';

export const TEST_KEY = 'sk-test-key-0123456789';

/** Small backoff and timeouts so fault tests stay fast. */
export function fastClient(fake: FakeUpstream, extra: Partial<OpenAIClientOptions> = {}): OpenAIClient {
  return new OpenAIClient({
    baseUrl: fake.url,
    apiKey: TEST_KEY,
    maxRetries: 2,
    retryBaseMs: 5,
    retryMaxMs: 20,
    firstByteTimeoutMs: 2_000,
    idleTimeoutMs: 2_000,
    ...extra,
  });
}

export function chatReq(text: string, extra: Partial<ChatRequest> = {}): ChatRequest {
  return { model: 'gpt-4o-mini', messages: [{ role: 'user', content: text }], ...extra };
}

export async function collect(stream: ChatStream): Promise<string[]> {
  const out: string[] = [];
  for await (const d of stream) out.push(d);
  return out;
}

/** Runs `fn` and returns the LlmError it throws (fails the test if it does not throw one). */
export async function caught(fn: () => Promise<unknown>): Promise<LlmError> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof LlmError) return err;
    throw new Error(`expected an LlmError, got ${String(err)}`);
  }
  throw new Error('expected an LlmError, but the call succeeded');
}

/** Collects a stream, returning both what arrived and the error that ended it. */
export async function collectUntilError(stream: ChatStream): Promise<{ deltas: string[]; error: LlmError }> {
  const deltas: string[] = [];
  const error = await caught(async () => {
    for await (const d of stream) deltas.push(d);
  });
  return { deltas, error };
}
