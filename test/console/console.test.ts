// The console as a new user meets it: `npm start`'s entry point in a child process, talking to
// the fake upstream over real HTTP, driven through stdin.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../fakes/upstream/server.js';

const MAIN = join(process.cwd(), 'src/main.ts');
/** tsx's loader by absolute URL: the child runs in a temp dir (so no developer .env is read). */
const TSX = pathToFileURL(join(process.cwd(), 'node_modules/tsx/dist/loader.mjs')).href;

/** Environment with nothing of the developer's own .env or platform tokens leaking in. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
  return { ...env, ...extra };
}

class ConsoleSession {
  out = '';
  err = '';
  private readonly child: ChildProcessWithoutNullStreams;
  readonly exited: Promise<number | null>;

  constructor(env: NodeJS.ProcessEnv, cwd: string) {
    this.child = spawn(process.execPath, ['--import', TSX, MAIN], { env, cwd });
    this.child.stdout.setEncoding('utf8').on('data', (d: string) => (this.out += d));
    this.child.stderr.setEncoding('utf8').on('data', (d: string) => (this.err += d));
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  send(line: string) {
    this.child.stdin.write(`${line}\n`);
  }

  end() {
    this.child.stdin.end();
  }

  async waitFor(pattern: RegExp, timeoutMs = 10_000): Promise<RegExpMatchArray> {
    const start = Date.now();
    for (;;) {
      const m = this.out.match(pattern);
      if (m) return m;
      if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${pattern}; stdout:\n${this.out}\nstderr:\n${this.err}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

describe('console surface', () => {
  let upstream: FakeUpstream;
  let dir: string;

  beforeAll(async () => {
    upstream = await startFakeUpstream();
    dir = mkdtempSync(join(tmpdir(), 'parley-console-'));
  });
  afterAll(async () => {
    await upstream.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('with no API key says what to set on one screen and exits non-zero', () => {
    const r = spawnSync(process.execPath, ['--import', TSX, MAIN], { env: cleanEnv({}), cwd: dir, encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('OPENAI_API_KEY');
    expect(r.stderr).toContain('OPENAI_BASE_URL');
    expect(r.stderr.split('\n').length).toBeLessThan(25);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('a bad setting stops start-up with one message naming the key', () => {
    const r = spawnSync(process.execPath, ['--import', TSX, MAIN], {
      env: cleanEnv({ OPENAI_API_KEY: 'k', HISTORY_MAX_MESSAGES: 'many' }),
      cwd: dir,
      encoding: 'utf8',
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('HISTORY_MAX_MESSAGES: must be a whole number');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('chats with streamed replies, remembers, resets, draws and speaks to files', async () => {
    upstream.setChunking({ tokensPerChunk: 1, chunkDelayMs: 2 });
    const s = new ConsoleSession(
      cleanEnv({ OPENAI_API_KEY: 'test-key', OPENAI_BASE_URL: upstream.url, DATA_DIR: join(dir, 'data') }),
      dir,
    );
    await s.waitFor(/Type a message/);
    s.send('hello parley');
    await s.waitFor(/You said: hello parley\n/);

    s.send('second message');
    await s.waitFor(/You said: second message\n/);
    // The second request carried the first exchange as history.
    const chats = upstream.requests.filter((r) => r.path.endsWith('/chat/completions'));
    const last = chats.at(-1)!.body as { messages: Array<{ role: string; content: string }> };
    expect(last.messages.map((m) => m.content)).toContain('hello parley');

    s.send('/reset');
    await s.waitFor(/Conversation cleared/);
    s.send('after reset');
    await s.waitFor(/You said: after reset\n/);
    const afterReset = upstream.requests.filter((r) => r.path.endsWith('/chat/completions')).at(-1)!.body as {
      messages: Array<{ content: string }>;
    };
    expect(afterReset.messages.map((m) => m.content)).not.toContain('hello parley');

    s.send('/image a red fox');
    const img = await s.waitFor(/\[image saved: (.+\.png)\]/);
    expect(existsSync(img[1]!)).toBe(true);
    expect(readFileSync(img[1]!).subarray(1, 4).toString('latin1')).toBe('PNG');

    s.send('/tts good night');
    const audio = await s.waitFor(/\[audio saved: (.+\.mp3)\]/);
    expect(readFileSync(audio[1]!).length).toBeGreaterThan(0);

    s.send('/quit');
    expect(await s.exited).toBe(0);
    // Logs went to the log file, not into the chat.
    expect(s.out).not.toContain('"level"');
    expect(existsSync(join(dir, 'data', 'console.log'))).toBe(true);
  });

  it('history survives a restart with the sqlite store', async () => {
    const env = cleanEnv({ OPENAI_API_KEY: 'test-key', OPENAI_BASE_URL: upstream.url, DATA_DIR: join(dir, 'persist') });
    const a = new ConsoleSession(env, dir);
    await a.waitFor(/Type a message/);
    a.send('remember the word pumpkin');
    await a.waitFor(/You said: remember the word pumpkin\n/);
    a.end();
    expect(await a.exited).toBe(0);

    const b = new ConsoleSession(env, dir);
    await b.waitFor(/Type a message/);
    b.send('what was the word?');
    await b.waitFor(/You said: what was the word\?\n/);
    const body = upstream.requests.filter((r) => r.path.endsWith('/chat/completions')).at(-1)!.body as {
      messages: Array<{ content: string }>;
    };
    expect(body.messages.map((m) => m.content)).toContain('remember the word pumpkin');
    b.end();
    await b.exited;
  });
});
