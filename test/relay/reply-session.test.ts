// The reply session over a scripted transport: the one retry policy (flood waits honouring
// retry-after for the whole chat, transient retries, plain text after refused markup, a new
// message for a gone one), previews, typing ownership and close() exactly once.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/log.js';
import { LocalDispatcher, type Planner } from '../../src/conversation/dispatcher.js';
import { FloodGate } from '../../src/relay/flood-gate.js';
import { ReplySession } from '../../src/relay/reply-session.js';
import { StreamRelay } from '../../src/relay/index.js';
import type { Clock } from '../../src/relay/clock.js';
import { withTyping } from '../../src/conversation/media.js';
import { SurfaceError, type PostOptions, type SurfaceErrorKind, type SurfaceLimits, type Transport, type TypingAction, type Upload } from '../../src/types.js';

const logger = createLogger('silent');

type Call = { op: 'post' | 'patch' | 'preview' | 'upload' | 'typing'; text?: string; ref?: number; opts?: PostOptions; at: number };

/** Records every call; `fail` scripts SurfaceErrors for the next calls of one op. */
class ScriptedTransport implements Transport<number> {
  readonly platform = 'console' as const;
  readonly channel = 'test:1';
  readonly commandPrefix = '/';
  readonly calls: Call[] = [];
  readonly failures: Array<{ op: Call['op']; kind: SurfaceErrorKind; retryAfterMs?: number }> = [];
  preview?: (id: number, text: string) => Promise<void>;
  readonly previewLimits = { minEditIntervalMs: 0 };
  typingRenewMs = 1_000;
  private nextId = 1;

  constructor(
    readonly limits: SurfaceLimits = { maxChars: 100, canEdit: true, minEditIntervalMs: 0 },
    previews = false,
  ) {
    if (previews) this.preview = async (id, text) => this.record({ op: 'preview', ref: id, text });
  }

  fail(op: Call['op'], kind: SurfaceErrorKind, retryAfterMs?: number): void {
    this.failures.push({ op, kind, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
  }

  async post(text: string, opts?: PostOptions): Promise<number> {
    this.record({ op: 'post', text, ...(opts ? { opts } : {}) });
    return this.nextId++;
  }
  async patch(ref: number, text: string, opts?: PostOptions): Promise<void> {
    this.record({ op: 'patch', ref, text, ...(opts ? { opts } : {}) });
  }
  async upload(_item: Upload): Promise<void> {
    this.record({ op: 'upload' });
  }
  async typing(action: TypingAction): Promise<void> {
    this.record({ op: 'typing', text: action });
  }
  needsFinalWrite(text: string): boolean {
    return text.includes('*');
  }

  of(op: Call['op']): Call[] {
    return this.calls.filter((c) => c.op === op);
  }

  private record(call: Omit<Call, 'at'>): void {
    const i = this.failures.findIndex((f) => f.op === call.op);
    if (i >= 0) {
      const [f] = this.failures.splice(i, 1);
      this.calls.push({ ...call, at: Date.now(), text: `FAILED ${call.text ?? ''}` });
      throw new SurfaceError(f!.kind, `scripted ${f!.kind}`, f!.retryAfterMs !== undefined ? { retryAfterMs: f!.retryAfterMs } : {});
    }
    this.calls.push({ ...call, at: Date.now() });
  }
}

afterEach(() => {
  vi.useRealTimers();
});

describe('ReplySession retry policy', () => {
  it('waits out rate_limited for its retry-after, and the whole chat waits with it', async () => {
    const gate = new FloodGate();
    const a = new ScriptedTransport();
    const b = new ScriptedTransport();
    const first = new ReplySession(a, { logger, gate });
    const second = new ReplySession(b, { logger, gate });
    const msg = await first.send('partial');
    a.fail('patch', 'rate_limited', 80);
    const started = Date.now();
    const finishing = first.edit(msg, 'partial and the rest', { final: true });
    // While the chat is blocked, another reply's frame is skipped and its post waits.
    await vi.waitFor(() => expect(gate.blocked).toBe(true));
    const other = await second.send('b', { final: true });
    await finishing;
    expect(Date.now() - started).toBeGreaterThanOrEqual(75);
    expect(a.of('patch').map((c) => c.text)).toEqual(['FAILED partial and the rest', 'partial and the rest']);
    expect(b.of('post')[0]!.at - started).toBeGreaterThanOrEqual(75);
    expect(other.shown).toBe('b');
  });

  it('skips intermediate frames while blocked; the final text still arrives', async () => {
    const t = new ScriptedTransport();
    const s = new ReplySession(t, { logger });
    const msg = await s.send('a');
    t.fail('patch', 'rate_limited', 50);
    await s.edit(msg, 'a b');
    await s.edit(msg, 'a b c'); // blocked: not even attempted
    expect(t.of('patch')).toHaveLength(1);
    await s.edit(msg, 'a b c d', { final: true });
    expect(t.of('patch').at(-1)!.text).toBe('a b c d');
  });

  it('retries a transient failure of a must-deliver write, and never a refused one', async () => {
    const t = new ScriptedTransport();
    const s = new ReplySession(t, { logger });
    t.fail('post', 'transient');
    await s.send('hello', { final: true });
    expect(t.of('post').map((c) => c.text)).toEqual(['FAILED hello', 'hello']);
    t.fail('post', 'refused');
    await expect(s.send('again', { final: true })).rejects.toMatchObject({ kind: 'refused' });
    expect(t.of('post')).toHaveLength(3);
  });

  it('sends the text plain when the platform refuses the markup', async () => {
    const t = new ScriptedTransport();
    const s = new ReplySession(t, { logger });
    const msg = await s.send('x *y*');
    t.fail('patch', 'markup_rejected');
    await s.edit(msg, 'x *y* z', { final: true });
    expect(t.of('patch').map((c) => c.opts)).toEqual([{ final: true }, { final: true, plain: true }]);
  });

  it('posts the answer anew when the message to patch is gone', async () => {
    const t = new ScriptedTransport();
    const s = new ReplySession(t, { logger });
    const msg = await s.send('first words');
    t.fail('patch', 'gone');
    await s.edit(msg, 'first words and the rest', { final: true });
    expect(t.of('post').map((c) => c.text)).toEqual(['first words', 'first words and the rest']);
    expect(msg.ref).toBe(2);
  });

  it('skips a final patch that changes nothing, unless the final write renders markup', async () => {
    const t = new ScriptedTransport();
    const s = new ReplySession(t, { logger });
    const plain = await s.send('same');
    await s.edit(plain, 'same', { final: true });
    const marked = await s.send('**same**');
    await s.edit(marked, '**same**', { final: true });
    expect(t.of('patch').map((c) => c.text)).toEqual(['**same**']);
  });
});

describe('ReplySession under the relay', () => {
  it('the relay does not retry what the session already retried: a refused final patch is posted anew once', async () => {
    // No frame between the first text and the final write: the one patch is the final one.
    const t = new ScriptedTransport({ maxChars: 100, canEdit: true, minEditIntervalMs: 60_000, cadence: { burst: 0, minGapMs: 0, finalGapMs: 0 } });
    const s = new ReplySession(t, { logger });
    t.fail('patch', 'refused');
    async function* deltas() {
      yield 'Final ';
      await new Promise((r) => setTimeout(r, 5));
      yield 'text matters.';
    }
    const result = await new StreamRelay().pipe(deltas(), s);
    await s.close();
    expect(t.of('patch').map((c) => c.text)).toEqual(['FAILED Final text matters.']);
    expect(t.of('post').map((c) => c.text)).toEqual(['Final', 'Final text matters.']);
    expect(result.deliveryError).toBeUndefined();
  });

  it('a must-deliver post that keeps failing is given up once, not retried by the relay too', async () => {
    const t = new ScriptedTransport({ maxChars: 100, canEdit: false, minEditIntervalMs: 0 });
    const s = new ReplySession(t, { logger });
    t.fail('post', 'refused');
    const result = await new StreamRelay().deliver('hello', s);
    expect(t.of('post')).toHaveLength(1);
    expect(result.deliveryError).toMatchObject({ kind: 'refused' });
  });

  it('line mode: a refused line is not sent again in the next slot', async () => {
    const t = new ScriptedTransport({ maxChars: 1000, canEdit: false, minEditIntervalMs: 0, lineMode: { width: 40, pacingMs: 1 } });
    const s = new ReplySession(t, { logger });
    t.fail('post', 'refused');
    const result = await new StreamRelay().deliver('one\ntwo', s);
    expect(t.of('post').map((c) => c.text)).toEqual(['FAILED one', 'two']);
    expect(result.deliveryError).toMatchObject({ kind: 'refused' });
  });
});

describe('ReplySession previews', () => {
  it('streams a message as previews with one id, then one final post replaces them', async () => {
    const t = new ScriptedTransport(undefined, true);
    const s = new ReplySession(t, { logger });
    const msg = await s.send('Once');
    await s.edit(msg, 'Once upon');
    await s.edit(msg, 'Once upon a time', { final: true });
    expect(t.of('preview').map((c) => c.text)).toEqual(['Once', 'Once upon']);
    expect(new Set(t.of('preview').map((c) => c.ref)).size).toBe(1);
    expect(t.of('post').map((c) => [c.text, c.opts])).toEqual([['Once upon a time', { final: true }]]);
    expect(t.of('patch')).toHaveLength(0);
  });

  it('falls back to post + patches for the rest of the reply when a preview fails', async () => {
    const t = new ScriptedTransport(undefined, true);
    const s = new ReplySession(t, { logger });
    t.fail('preview', 'refused');
    const msg = await s.send('Hi');
    expect(s.previewing).toBe(false);
    await s.edit(msg, 'Hi there');
    await s.edit(msg, 'Hi there!', { final: true });
    expect(t.of('post').map((c) => c.text)).toEqual(['Hi']);
    expect(t.of('patch').map((c) => c.text)).toEqual(['Hi there', 'Hi there!']);
  });
});

/** A promise to settle by hand. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** The relay's clock on the (faked) global timers. */
const timerClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
    }),
};

describe('ReplySession typing and close', () => {
  it('one owner for typing: under the relay it is renewed while nothing is visible, and stops at the first post', async () => {
    vi.useFakeTimers();
    const t = new ScriptedTransport();
    const s = new ReplySession(t, { logger });
    const firstText = deferred();
    const end = deferred();
    async function* deltas() {
      await firstText.promise;
      yield 'Hello there, ';
      await end.promise;
      yield 'world.';
    }
    const asked = vi.spyOn(s, 'typing');
    const piping = new StreamRelay({ clock: timerClock }).pipe(deltas(), s);
    await vi.advanceTimersByTimeAsync(4_500);
    expect(asked).toHaveBeenCalledTimes(1);
    expect(t.of('typing')).toHaveLength(5); // t = 0, 1000, 2000, 3000, 4000
    firstText.resolve();
    await vi.advanceTimersByTimeAsync(10);
    expect(t.of('post').map((c) => c.text)).toEqual(['Hello there,']);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(t.of('typing')).toHaveLength(5);
    end.resolve();
    await vi.advanceTimersByTimeAsync(10);
    await piping;
    await s.close();
    expect(t.of('typing')).toHaveLength(5);
    expect(asked).toHaveBeenCalledTimes(1);
  });

  it('one owner for typing: a reply that shows nothing keeps it up until close, then never again', async () => {
    vi.useFakeTimers();
    const t = new ScriptedTransport();
    const s = new ReplySession(t, { logger });
    // A slow media call: its caller says once what it is doing (withTyping).
    const asked = vi.spyOn(s, 'typing');
    const work = deferred();
    const speaking = withTyping(s, 'record_voice', () => work.promise);
    await vi.advanceTimersByTimeAsync(4_500);
    expect(asked).toHaveBeenCalledTimes(1);
    expect(t.of('typing').map((c) => c.text)).toEqual(Array(5).fill('record_voice'));
    work.resolve();
    await speaking;
    await s.close();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(t.of('typing')).toHaveLength(5);
  });

  it('renews typing until the first post, and never after close', async () => {
    vi.useFakeTimers();
    const t = new ScriptedTransport();
    const s = new ReplySession(t, { logger });
    await s.typing();
    await vi.advanceTimersByTimeAsync(2_500);
    expect(t.of('typing')).toHaveLength(3); // t = 0, 1000, 2000
    await s.send('hello');
    await vi.advanceTimersByTimeAsync(5_000);
    expect(t.of('typing')).toHaveLength(3);
    await s.typing('upload_photo'); // a later upload may show its action again
    expect(t.of('typing')).toHaveLength(4);
    await s.close();
    await vi.advanceTimersByTimeAsync(5_000);
    await s.typing();
    expect(t.of('typing')).toHaveLength(4);
  });

  it('close() finalises an open message once, however often it is called', async () => {
    const t = new ScriptedTransport(undefined, true);
    const s = new ReplySession(t, { logger });
    await s.send('left hanging');
    await Promise.all([s.close(), s.close()]);
    await s.close();
    expect(t.of('post').map((c) => c.text)).toEqual(['left hanging']);
  });

  it('the dispatcher closes the reply of every path once, cheap commands included', async () => {
    const t = new ScriptedTransport();
    const s = new ReplySession(t, { logger });
    const close = vi.spyOn(s, 'close');
    const planner: Planner = {
      plan: async () => ({ kind: 'now', answer: async () => void (await s.send('help text', { final: true })) }),
      say: async () => undefined,
      notice: async () => undefined,
    };
    const dispatcher = new LocalDispatcher({ planner, logger, maxWaitingPerChannel: 1, providerConcurrency: 1, shutdownGraceMs: 100 });
    const msg = { platform: 'console' as const, channel: 'test:1', user: { id: 'u', name: 'u' }, text: '/help', mentionsBot: true, isDirect: true, replyToBot: false };
    await dispatcher.submit('test:1', async () => msg, s);
    expect(close).toHaveBeenCalledTimes(1);
    // Nothing to answer (undefined) is a path too.
    await dispatcher.submit('test:1', async () => undefined, s);
    expect(close).toHaveBeenCalledTimes(2);
  });
});
