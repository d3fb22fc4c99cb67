// The manager end to end in one process: real OpenAIClient over HTTP to the fake upstream, real
// relay, memory store, and a surface that fails on any limit breach.
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/log.js';
import { systemClock } from '../../src/relay/clock.js';
import type { AudioFormat, ImageOutput, Incoming, SurfaceLimits } from '../../src/types.js';
import { startFakeUpstream, TINY_PNG, type FakeUpstream } from '../fakes/upstream/server.js';
import type { FakeClock } from '../relay/fake-clock.js';
import { FakeSurface } from '../relay/fake-surface.js';

const API_KEY = 'sk-test-secret-key-123456';

class RecordingSurface extends FakeSurface {
  images: Array<{ image: ImageOutput; caption?: string }> = [];
  audios: Array<{ bytes: Uint8Array; format: AudioFormat }> = [];
  constructor(limits: Partial<SurfaceLimits> = {}, channel = 'test:1') {
    super({ clock: systemClock as unknown as FakeClock, limits: { minEditIntervalMs: 20, ...limits }, channel });
  }
  override async sendImage(image: ImageOutput, caption?: string) {
    this.images.push({ image, caption });
  }
  override async sendAudio(bytes: Uint8Array, format: AudioFormat) {
    this.audios.push({ bytes, format });
  }
  get all(): string {
    return [...this.finalTexts, ...this.lines.map((l) => l.text)].join('\n');
  }
}

const incoming = (text: string, over: Partial<Incoming> = {}): Incoming => ({
  platform: 'telegram',
  channel: 'test:1',
  user: { id: 'u1', name: 'Alice' },
  text,
  mentionsBot: true,
  isDirect: true,
  replyToBot: false,
  ...over,
});

const chatBodies = (up: FakeUpstream) =>
  up.requests.filter((r) => r.route === 'chat/completions').map((r) => r.body as { model: string; messages: Array<{ role: string; content: unknown; name?: string }> });

describe('ConversationManager', () => {
  let upstream: FakeUpstream;
  let core: Core;
  let logs = '';

  async function makeCore(env: Record<string, string> = {}) {
    await core?.close();
    logs = '';
    const sink = new Writable({
      write(chunk, _enc, cb) {
        logs += chunk.toString();
        cb();
      },
    });
    core = await createCore(
      loadConfig({ OPENAI_BASE_URL: upstream.url, OPENAI_API_KEY: API_KEY, HISTORY_STORE: 'memory', LLM_MAX_RETRIES: '0', ...env }),
      { logger: createLogger('debug', sink), shutdownGraceMs: 100 },
    );
    return core;
  }

  beforeAll(async () => {
    upstream = await startFakeUpstream();
  });
  afterEach(() => upstream.reset());
  afterAll(async () => {
    await core?.close();
    await upstream.close();
  });

  it('answers with the upstream text, keeps history and logs with platform, channel, requestId', async () => {
    await makeCore();
    const s = new RecordingSurface();
    await core.manager.handle(incoming('first question'), s);
    await core.manager.handle(incoming('second question'), s);
    expect(s.finalTexts).toEqual(['You said: first question', 'You said: second question']);
    s.assertClean();
    const bodies = chatBodies(upstream);
    expect(bodies[1]!.messages.map((m) => m.content)).toEqual([
      expect.any(String),
      'first question',
      'You said: first question',
      'second question',
    ]);
    const done = logs.split('\n').filter((l) => l.includes('"reply done"')).map((l) => JSON.parse(l));
    expect(done[0]).toMatchObject({ platform: 'telegram', channel: 'test:1', requestId: expect.any(String) });
    expect(logs).not.toContain(API_KEY);
  });

  it('sends speaker names (sanitised) in group channels only', async () => {
    await makeCore();
    await core.manager.handle(incoming('hi all', { isGroup: true, isDirect: false, user: { id: 'u2', name: 'Bob Smith!' }, channel: 'g:1' }), new RecordingSurface({}, 'g:1'));
    await core.manager.handle(incoming('hi dm'), new RecordingSurface());
    const [group, dm] = chatBodies(upstream);
    expect(group!.messages.at(-1)).toMatchObject({ role: 'user', content: 'hi all', name: 'Bob_Smith' });
    expect(dm!.messages.at(-1)!.name).toBeUndefined();
  });

  it('sends images as image_url parts when VISION is on, and only text when off', async () => {
    await makeCore();
    const s = new RecordingSurface();
    await core.manager.handle(incoming('what is this?', { images: [{ bytes: TINY_PNG, mime: 'image/png' }, { url: 'https://example.invalid/cat.jpg' }] }), s);
    const content = chatBodies(upstream)[0]!.messages.at(-1)!.content as Array<{ type: string; image_url?: { url: string } }>;
    expect(content[0]).toEqual({ type: 'text', text: 'what is this?' });
    expect(content[1]!.image_url!.url.startsWith('data:image/png;base64,')).toBe(true);
    expect(content[2]!.image_url!.url).toBe('https://example.invalid/cat.jpg');
    expect(s.finalTexts[0]).toBe('You said: what is this? [2 images]');

    upstream.reset();
    await makeCore({ VISION: 'off' });
    await core.manager.handle(incoming('and this?', { images: [{ url: 'https://example.invalid/x.png' }] }), new RecordingSurface());
    expect(chatBodies(upstream)[0]!.messages.at(-1)!.content).toBe('and this?');
  });

  it('transcribes audio, shows the transcript and answers it', async () => {
    await makeCore();
    upstream.setTranscript('what time is it');
    const s = new RecordingSurface();
    await core.manager.handle(incoming('', { audio: { bytes: new Uint8Array([1, 2, 3]), filename: 'voice.ogg', mime: 'audio/ogg' } }), s);
    const tr = upstream.requests.find((r) => r.route === 'audio/transcriptions')!;
    expect(tr.fields!.model).toBe('whisper-1');
    expect(s.finalTexts).toEqual(['🎤 what time is it', 'You said: what time is it']);
  });

  it('turns an upstream 529 into one short line, detail in the log, key nowhere', async () => {
    await makeCore();
    upstream.setNext({ route: 'chat/completions', status: 529, message: `overloaded for key ${API_KEY}` });
    const s = new RecordingSurface();
    await core.manager.handle(incoming('hello?'), s);
    expect(s.finalTexts).toHaveLength(1);
    expect(s.finalTexts[0]).toMatch(/overloaded/i);
    expect(s.finalTexts[0]!.length).toBeLessThan(120);
    expect(s.all).not.toContain(API_KEY);
    expect(logs).toContain('"status":529');
    expect(logs).not.toContain(API_KEY);
  });

  it('keeps the partial text and appends one notice when the stream breaks mid-way', async () => {
    await makeCore();
    upstream.setReply('one two three four five six seven eight');
    upstream.setNext({ route: 'chat/completions', streamError: true, afterChunks: 3 });
    const s = new RecordingSurface();
    await core.manager.handle(incoming('go'), s);
    const text = s.finalTexts.join('\n');
    expect(text).toMatch(/^one two three/);
    expect(text).toContain('⚠️');
    expect(text.match(/⚠️/g)).toHaveLength(1);
  });

  it('stop aborts the HTTP request in flight and says so', async () => {
    await makeCore();
    upstream.setReply(Array.from({ length: 200 }, (_, i) => `w${i}`).join(' '));
    upstream.setChunking({ tokensPerChunk: 1, chunkDelayMs: 20 });
    const s = new RecordingSurface();
    const reply = core.manager.handle(incoming('long please'), s);
    while (s.messages.length === 0) await new Promise((r) => setTimeout(r, 10));
    await core.manager.handle(incoming('/stop'), s);
    await reply;
    const req = upstream.requests.find((r) => r.route === 'chat/completions')!;
    expect(await req.closed).toBe(true);
    expect(s.finalTexts.join('\n')).toContain('(stopped)');
    expect(s.finalTexts.join('\n')).not.toContain('w199');
  });

  it('queues messages per channel in order and says "busy" past the bound', async () => {
    await makeCore({ QUEUE_MAX_PER_CHANNEL: '1' });
    upstream.setChunking({ tokensPerChunk: 1, chunkDelayMs: 15 });
    const s = new RecordingSurface();
    const a = core.manager.handle(incoming('one'), s);
    const b = core.manager.handle(incoming('two'), s);
    const c = core.manager.handle(incoming('three'), s);
    await Promise.all([a, b, c]);
    expect(s.finalTexts[0]).toMatch(/still answering/);
    expect(s.finalTexts.slice(1)).toEqual(['You said: one', 'You said: two']);
  });

  it('retry regenerates the last answer without duplicating the question', async () => {
    await makeCore();
    const s = new RecordingSurface();
    await core.manager.handle(incoming('tell me a joke'), s);
    upstream.setReply('a better joke');
    await core.manager.handle(incoming('/retry'), s);
    const bodies = chatBodies(upstream);
    expect(bodies[1]!.messages.slice(1)).toEqual([{ role: 'user', content: 'tell me a joke' }]);
    const history = await core.store.load('test:1');
    expect(history.map((t) => t.content)).toEqual(['tell me a joke', 'a better joke']);
  });

  it('reset forgets the history', async () => {
    await makeCore();
    const s = new RecordingSurface();
    await core.manager.handle(incoming('remember me'), s);
    await core.manager.handle(incoming('/reset'), s);
    await core.manager.handle(incoming('who am I?'), s);
    expect(chatBodies(upstream)[1]!.messages.map((m) => m.content)).not.toContain('remember me');
  });

  it('admin commands: refused in groups without ADMINS, allowed in DMs and for listed admins', async () => {
    await makeCore();
    const group = (text: string, id = 'u9') => incoming(text, { isGroup: true, isDirect: false, channel: 'g:2', user: { id, name: 'x' } });
    const gs = new RecordingSurface({}, 'g:2');
    await core.manager.handle(group('/model gpt-4o'), gs);
    expect(gs.finalTexts.at(-1)).toMatch(/only an admin/);
    await core.manager.handle(incoming('/model gpt-4o'), new RecordingSurface());
    await core.manager.handle(incoming('hi'), new RecordingSurface());
    expect(chatBodies(upstream).at(-1)!.model).toBe('gpt-4o');

    await makeCore({ ADMINS: 'telegram:boss' });
    await core.manager.handle(group('/system Speak like a pirate.', 'boss'), gs);
    expect(gs.finalTexts.at(-1)).toMatch(/updated/);
    await core.manager.handle(group('ahoy', 'u9'), gs);
    expect(chatBodies(upstream).at(-1)!.messages[0]).toEqual({ role: 'system', content: 'Speak like a pirate.' });
  });

  it('rate-limits a user per minute and enforces the daily token budget', async () => {
    await makeCore({ RATE_LIMIT_PER_MINUTE: '2' });
    const s = new RecordingSurface();
    for (const t of ['a', 'b', 'c']) await core.manager.handle(incoming(t), s);
    expect(s.finalTexts.at(-1)).toMatch(/too fast/);
    expect(chatBodies(upstream)).toHaveLength(2);

    await makeCore({ DAILY_TOKEN_BUDGET: '10' });
    const s2 = new RecordingSurface();
    await core.manager.handle(incoming('spend my budget please'), s2);
    await core.manager.handle(incoming('more?'), s2);
    expect(s2.finalTexts.at(-1)).toMatch(/token budget/);
  });

  it('image: uploads bytes with the revised prompt; tts: audio in the surface format; voice mode speaks replies', async () => {
    await makeCore();
    const s = new RecordingSurface({ audioFormat: 'opus' });
    await core.manager.handle(incoming('/image a red fox'), s);
    expect(s.images).toHaveLength(1);
    expect(Buffer.from(s.images[0]!.image.bytes!).subarray(1, 4).toString()).toBe('PNG');
    expect(s.images[0]!.caption).toBeTruthy();
    await core.manager.handle(incoming('/tts hello'), s);
    expect(s.audios[0]!.format).toBe('opus');
    const speech = upstream.requests.find((r) => r.route === 'audio/speech')!.body as { input: string; response_format: string };
    expect(speech).toMatchObject({ input: 'hello', response_format: 'opus' });

    await core.manager.handle(incoming('/voice on'), s);
    await core.manager.handle(incoming('talk to me'), s);
    expect(s.audios).toHaveLength(2);
    await core.manager.handle(incoming('/voice off'), s);
    await core.manager.handle(incoming('quiet now'), s);
    expect(s.audios).toHaveLength(2);
  });

  it('voice mode speaks a long answer only up to the speech endpoint limit', async () => {
    await makeCore();
    upstream.setReply('This is a sentence. '.repeat(400));
    const s = new RecordingSurface({ audioFormat: 'mp3' });
    await core.manager.handle(incoming('/voice on'), s);
    await core.manager.handle(incoming('talk a lot'), s);
    const speech = upstream.requests.filter((r) => r.route === 'audio/speech').at(-1)!.body as { input: string };
    expect(speech.input.length).toBeLessThanOrEqual(4096);
    expect(speech.input.endsWith('sentence.')).toBe(true);
    expect(s.audios).toHaveLength(1);
  });

  it('sound-less surfaces get a notice for tts', async () => {
    await makeCore();
    const s = new RecordingSurface({ audio: false });
    await core.manager.handle(incoming('/tts hello'), s);
    expect(s.finalTexts).toEqual(['Sound is not available here.']);
    expect(upstream.requests.filter((r) => r.route === 'audio/speech')).toHaveLength(0);
  });

  it('lists the provider models and speaks Chinese with LOCALE=zh', async () => {
    await makeCore({ LOCALE: 'zh' });
    const s = new RecordingSurface();
    await core.manager.handle(incoming('/model'), s);
    expect(s.finalTexts[0]).toContain('当前模型：gpt-4o-mini');
    expect(s.finalTexts[0]).toContain('gpt-4o');
    await core.manager.handle(incoming('/help'), s);
    expect(s.finalTexts[1]).toContain('/reset [all]：清空本对话');
  });

  it('a relay listing hundreds of models gets the first 40 named and the rest counted', async () => {
    await makeCore();
    const data = Array.from({ length: 250 }, (_, i) => ({ id: `model-${String(i).padStart(3, '0')}`, object: 'model', owned_by: 'relay' }));
    upstream.setNext({ route: 'models', json: { object: 'list', data } });
    const s = new RecordingSurface();
    await core.manager.handle(incoming('/model'), s);
    const text = s.finalTexts.join('\n');
    expect(text).toContain('model-039');
    expect(text).not.toContain('model-040');
    expect(text).toContain('(+210)');
  });

  it('line mode: caps long answers and continues with "more"', async () => {
    await makeCore();
    upstream.setReply(Array.from({ length: 12 }, (_, i) => `Line number ${i} of the answer.`).join('\n'));
    const s = new RecordingSurface({ lineMode: { width: 60, pacingMs: 1, maxLines: 5 }, canEdit: false });
    await core.manager.handle(incoming('long', { platform: 'mud' }), s);
    expect(s.lines.map((l) => l.text).slice(0, 5)).toEqual([0, 1, 2, 3, 4].map((i) => `Line number ${i} of the answer.`));
    expect(s.lines.at(-1)!.text).toMatch(/more/);
    await core.manager.handle(incoming('more', { platform: 'mud', command: { kind: 'more' } }), s);
    await core.manager.handle(incoming('more', { platform: 'mud', command: { kind: 'more' } }), s);
    const texts = s.lines.map((l) => l.text);
    expect(texts.filter((t) => t.startsWith('Line number'))).toHaveLength(12);
    await core.manager.handle(incoming('more', { platform: 'mud', command: { kind: 'more' } }), s);
    expect(s.lines.at(-1)!.text).toMatch(/nothing more/);
  });
});
