// An instance whose slot was taken over mid-reply (its fenced history write refused) says nothing
// more in the chat: the new owner answers the entry again, and an error line from the ex-owner
// would be a second, wrong reply.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/log.js';
import { LeaseLostError } from '../../src/scale/lease.js';
import { MemoryStore } from '../../src/store/memory.js';
import type { StoredTurn } from '../../src/store/types.js';
import { startFakeUpstream, type FakeUpstream } from '../fakes/upstream/server.js';
import { incoming, RecordingSurface } from '../conversation/harness.js';

/** Refuses the `failAt`-th append (1-based) the way a fenced Redis write does after a takeover. */
class TakenOverStore extends MemoryStore {
  private appends = 0;
  constructor(private readonly failAt: number) {
    super();
  }
  override async append(channel: string, turns: StoredTurn[], max: number): Promise<void> {
    if (++this.appends === this.failAt) throw new LeaseLostError('tg:3');
    return super.append(channel, turns, max);
  }
}

describe('a reply whose slot was taken over', () => {
  let up: FakeUpstream;
  beforeAll(async () => {
    up = await startFakeUpstream({ reply: 'the answer' });
  });
  afterAll(() => up.close());

  async function run(failAt: number) {
    const config = loadConfig({ OPENAI_BASE_URL: up.url, OPENAI_API_KEY: 'k', HISTORY_STORE: 'memory', LLM_MAX_RETRIES: '0' });
    const core = await createCore(config, { logger: createLogger('silent'), store: new TakenOverStore(failAt) });
    const surface = new RecordingSurface();
    await core.manager.handle(incoming('hi'), surface);
    await core.close();
    return surface;
  }

  it('refused before the question is stored: nothing is said', async () => {
    const surface = await run(1);
    expect(surface.all).toBe('');
  });

  it('refused when the answer is stored: no error line follows the answer', async () => {
    const surface = await run(2);
    expect(surface.all).toContain('the answer');
    expect(surface.all).not.toContain('⚠️');
  });
});
