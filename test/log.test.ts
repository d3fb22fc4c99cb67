// Error log lines: pino's error serializer names the real class and keeps the stack, and the
// redaction still masks secrets inside them. Checked on a typed LlmError logged directly and on
// the manager's "request failed" line after a real 401 from the fake upstream.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore } from '../src/app.js';
import { loadConfig } from '../src/config/index.js';
import { LlmError } from '../src/llm/errors.js';
import { createLogger, registerSecret } from '../src/log.js';
import { startFakeUpstream, type FakeUpstream } from './fakes/upstream/server.js';
import { FakeSurface } from './relay/fake-surface.js';
import { systemClock } from '../src/relay/clock.js';
import type { FakeClock } from './relay/fake-clock.js';

const SECRET = 'sk-log-test-secret-987654';

interface ErrLine {
  msg: string;
  err: { type: string; message: string; stack: string; kind?: string; status?: number };
}

function capture() {
  const lines: ErrLine[] = [];
  const logger = createLogger('debug', { write: (line: string) => void lines.push(JSON.parse(line) as ErrLine) });
  return { logger, lines };
}

describe('error logging', () => {
  let upstream: FakeUpstream;
  beforeAll(async () => {
    upstream = await startFakeUpstream();
  });
  afterAll(() => upstream.close());

  it('a typed error logs its class name, its own fields and a stack, with secrets redacted', () => {
    registerSecret(SECRET);
    const { logger, lines } = capture();
    const cause = new TypeError(`fetch failed for ${SECRET}`);
    logger.warn({ err: new LlmError({ kind: 'auth', status: 401, detail: `invalid key ${SECRET}`, cause }) }, 'request failed');
    const { err } = lines[0]!;
    expect(err.type).toBe('LlmError');
    expect(err.kind).toBe('auth');
    expect(err.status).toBe(401);
    expect(err.message).toContain('HTTP 401');
    expect(err.stack).toMatch(/^LlmError: HTTP 401/);
    expect(err.stack).toMatch(/\n\s+at /);
    // The cause's stack rides along (pino appends it), redacted too.
    expect(err.stack).toContain('caused by: TypeError');
    expect(JSON.stringify(lines[0])).not.toContain(SECRET);
    expect(JSON.stringify(lines[0])).toContain('[redacted]');
  });

  it('the manager logs an interrupted reply as the real error, not a flattened object', async () => {
    const { logger, lines } = capture();
    const core = await createCore(
      loadConfig({ OPENAI_BASE_URL: upstream.url, OPENAI_API_KEY: SECRET, HISTORY_STORE: 'memory', LLM_MAX_RETRIES: '0' }),
      { logger },
    );
    upstream.setNext({ route: 'chat/completions', status: 401, message: `Incorrect API key provided: ${SECRET}` });
    const surface = new FakeSurface({ clock: systemClock as unknown as FakeClock, channel: 'test:1' });
    await core.manager.handle(
      { platform: 'telegram', channel: 'test:1', user: { id: 'u1', name: 'A' }, text: 'hi', mentionsBot: true, isDirect: true, replyToBot: false },
      surface,
    );
    await core.close();
    const failed = lines.find((l) => l.msg === 'reply interrupted');
    expect(failed?.err).toMatchObject({ type: 'LlmError', kind: 'auth', status: 401 });
    expect(failed?.err.stack).toMatch(/^LlmError: /);
    expect(JSON.stringify(lines)).not.toContain(SECRET);
  });
});
