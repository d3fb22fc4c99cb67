// The environment every e2e suite gives the core: the fake upstream, memory history, quiet
// logs, no per-user rate limit. Suites add their platform keys.
export function testEnv(upstream: { url: string }, extra: Record<string, string> = {}): Record<string, string> {
  return {
    OPENAI_BASE_URL: upstream.url,
    OPENAI_API_KEY: 'test-key',
    HISTORY_STORE: 'memory',
    LOG_LEVEL: 'silent',
    RATE_LIMIT_PER_MINUTE: '0',
    ...extra,
  };
}
