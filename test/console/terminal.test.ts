// The console adapter in a terminal: real readline in terminal mode on a fake TTY (isTTY,
// columns, raw keystrokes), the real core talking to the fake upstream over HTTP. Pins Ctrl-C
// (stop, then leave), keys typed during an answer (held, then shown on the one prompt), and
// wrapping at the terminal width between words.
import { PassThrough, Writable } from 'node:stream';
import { stripVTControlCharacters } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createConsoleAdapter } from '../../adapters/console/index.js';
import { createCore, type Core } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/log.js';
import { displayWidth } from '../../src/format/width.js';
import type { Adapter } from '../../src/types.js';
import { echoReply, startFakeUpstream, type ChatBody, type FakeUpstream } from '../fakes/upstream/server.js';

const CTRL_C = '\x03';
const LONG_ANSWER = Array.from({ length: 40 }, (_, i) => `word${i}`).join(' ');

/** Waits for a condition on the screen; answers stream at 25 ms a word, so allow a few seconds. */
const until = (check: () => void) => vi.waitFor(check, { timeout: 10_000, interval: 10 });

class FakeTerminal {
  readonly input = Object.assign(new PassThrough(), { isTTY: true, rawMode: false, setRawMode(mode: boolean) {
    this.rawMode = mode;
    return this;
  } });
  private written = '';
  readonly output = Object.assign(
    new Writable({
      write: (chunk: Buffer, _enc, cb) => {
        this.written += chunk.toString('utf8');
        cb();
      },
    }),
    { isTTY: true, columns: 40 },
  );
  /** What the user sees, without cursor-movement escapes. */
  get screen(): string {
    return stripVTControlCharacters(this.written);
  }
  type(keys: string) {
    this.input.write(keys);
  }
}

/** The last user message of a chat request: "long please" gets LONG_ANSWER, anything else an echo. */
const lastUserText = (body: ChatBody) => String(body.messages?.at(-1)?.content ?? '');

describe('console in a terminal', () => {
  let upstream: FakeUpstream;
  let core: Core;
  let adapter: Adapter | undefined;
  let term: FakeTerminal;
  let exited: boolean;

  beforeAll(async () => {
    upstream = await startFakeUpstream();
    core = await createCore(
      loadConfig({ OPENAI_BASE_URL: upstream.url, OPENAI_API_KEY: 'test-key', HISTORY_STORE: 'memory', RATE_LIMIT_PER_MINUTE: '0' }),
      { logger: createLogger('silent') },
    );
  });
  afterAll(async () => {
    await core.close();
    await upstream.close();
  });
  afterEach(async () => {
    await adapter?.stop();
    upstream.reset();
  });

  async function open(columns = 40) {
    upstream.setReply((body) => (lastUserText(body) === 'long please' ? LONG_ANSWER : echoReply(body)));
    upstream.setChunking({ tokensPerChunk: 1, chunkDelayMs: 25 });
    term = new FakeTerminal();
    term.output.columns = columns;
    exited = false;
    adapter = createConsoleAdapter(core, { input: term.input, output: term.output, onExit: () => (exited = true) });
    await adapter.start();
    await until(() => expect(term.screen).toMatch(/\n> $/));
  }

  it('the first Ctrl-C stops the answer and keeps the prompt; a second one at the idle prompt leaves', async () => {
    await open();
    expect(term.input.rawMode).toBe(true);
    term.type('long please\r');
    await until(() => expect(term.screen).toContain('word3 '));
    term.type(CTRL_C);
    await until(() => expect(term.screen).toMatch(/\(stopped\)\n> $/));
    expect(term.screen).not.toContain('word39');
    expect(exited).toBe(false);

    term.type(CTRL_C);
    await until(() => expect(exited).toBe(true));
  });

  it('a first Ctrl-C at an idle prompt says how to leave; the second leaves', async () => {
    await open();
    term.type(CTRL_C);
    await until(() => expect(term.screen).toMatch(/\(press Ctrl-C again to quit\)\n> $/));
    expect(exited).toBe(false);
    term.type(CTRL_C);
    await until(() => expect(exited).toBe(true));
  });

  it('keys typed during an answer never land inside it and show on the one prompt after it', async () => {
    await open();
    term.type('long please\r');
    await until(() => expect(term.screen).toContain('word3 '));
    term.type('and then');
    await until(() => expect(term.screen).toMatch(/word39\n> and then$/));
    const answer = term.screen.slice(term.screen.indexOf('word0'), term.screen.indexOf('word39'));
    expect(answer).not.toContain('and then');
    // One prompt after the answer, not two.
    expect(term.screen.slice(term.screen.indexOf('word39')).match(/> /g)).toHaveLength(1);

    // The held line is a real line: Enter sends it.
    term.type('\r');
    await until(() => expect(term.screen).toMatch(/You said: and then\n> $/));
  });

  it('long answers wrap at the terminal width between words', async () => {
    await open(30);
    term.type('long please\r');
    await until(() => expect(term.screen).toMatch(/word39\n> $/));
    const shown = term.screen.slice(term.screen.indexOf('word0'), term.screen.indexOf('word39') + 'word39'.length).split('\n');
    expect(shown.length).toBeGreaterThan(5);
    for (const line of shown) expect(displayWidth(line)).toBeLessThanOrEqual(30);
    // No word was cut: the lines rejoin into the answer.
    expect(shown.join(' ')).toBe(LONG_ANSWER);
  });
});
