// A core wired to the fake OpenAI upstream, a recording surface and a log sink: what the
// conversation tests of replies, budgets and history share.
import { Writable } from 'node:stream';
import { createCore, type Core } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/log.js';
import { systemClock } from '../../src/relay/clock.js';
import type { Incoming, SurfaceLimits } from '../../src/types.js';
import type { FakeUpstream } from '../fakes/upstream/server.js';
import type { FakeClock } from '../relay/fake-clock.js';
import { FakeSurface } from '../relay/fake-surface.js';

export const API_KEY = 'sk-test-secret-key-123456';

export class RecordingSurface extends FakeSurface {
  constructor(limits: Partial<SurfaceLimits> = {}, channel = 'test:1') {
    super({ clock: systemClock as unknown as FakeClock, limits: { minEditIntervalMs: 20, ...limits }, channel });
  }
  override async sendImage() {}
  override async sendAudio() {}
  /** Everything the user can read now, messages and lines. */
  get all(): string {
    return [...this.messages.map((m) => m.text), ...this.lines.map((l) => l.text)].join('\n');
  }
}

export const incoming = (text: string, over: Partial<Incoming> = {}): Incoming => ({
  platform: 'telegram',
  channel: 'test:1',
  user: { id: 'u1', name: 'Alice' },
  text,
  mentionsBot: true,
  isDirect: true,
  replyToBot: false,
  ...over,
});

export type WireMessage = { role: string; content: unknown; name?: string };

export const chatBodies = (up: FakeUpstream) =>
  up.requests.filter((r) => r.route === 'chat/completions').map((r) => r.body as { model: string; messages: WireMessage[] });

export interface Harness {
  core: Core;
  logs: () => string;
}

export async function makeCore(upstream: FakeUpstream, env: Record<string, string> = {}): Promise<Harness> {
  let logs = '';
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs += chunk.toString();
      cb();
    },
  });
  const core = await createCore(
    loadConfig({ OPENAI_BASE_URL: upstream.url, OPENAI_API_KEY: API_KEY, HISTORY_STORE: 'memory', LLM_MAX_RETRIES: '0', ...env }),
    { logger: createLogger('debug', sink), shutdownGraceMs: 100 },
  );
  return { core, logs: () => logs };
}
