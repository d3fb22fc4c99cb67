// Issue 8.9: `model` lists chat models first and apart from the rest, and asks before setting a
// model that is clearly not for chat.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/app.js';
import { classifyModel, groupModels, type ModelKind } from '../../src/conversation/models.js';
import { startFakeUpstream, type FakeUpstream } from '../fakes/upstream/server.js';
import { chatBodies, incoming, makeCore, RecordingSurface } from './harness.js';

describe('classifyModel', () => {
  const cases: Array<[ModelKind, string[]]> = [
    ['chat', ['gpt-4o', 'gpt-4o-mini', 'gpt-4.1', 'o3-mini', 'gpt-4o-audio-preview', 'gpt-4-vision', 'claude-3-5-sonnet-20241022', 'gemini-pro', 'qwen-plus', 'deepseek-chat', 'gpt-35-turbo', 'glm-4', 'llama-3.1-70b-instruct-turbo']],
    ['image', ['dall-e-2', 'dall-e-3', 'gpt-image-1', 'stable-diffusion-xl-1024', 'sdxl', 'midjourney', 'mj-imagine', 'flux-1-schnell', 'imagen-3.0-generate-002', 'cogview-3']],
    ['speech', ['tts-1', 'tts-1-hd', 'gpt-4o-mini-tts', 'TTS-1']],
    ['transcription', ['whisper-1', 'gpt-4o-transcribe', 'gpt-4o-mini-transcribe']],
    ['embedding', ['text-embedding-3-small', 'text-embedding-ada-002', 'bge-large-zh', 'm3e-base', 'embedding-2']],
    ['moderation', ['omni-moderation-latest', 'text-moderation-stable']],
    ['other', ['gpt-4o-realtime-preview', 'davinci-002', 'babbage-002', 'gpt-3.5-turbo-instruct', 'sora-2']],
  ];
  for (const [kind, ids] of cases) {
    it.each(ids)(`%s -> ${kind}`, (id) => expect(classifyModel(id)).toBe(kind));
  }

  it('groups ids by kind, chat first, keeping their order within a kind', () => {
    expect(groupModels(['dall-e-3', 'gpt-4o', 'tts-1', 'gpt-4o-mini', 'whisper-1', 'text-embedding-3-small'])).toEqual([
      { kind: 'chat', ids: ['gpt-4o', 'gpt-4o-mini'] },
      { kind: 'image', ids: ['dall-e-3'] },
      { kind: 'speech', ids: ['tts-1'] },
      { kind: 'transcription', ids: ['whisper-1'] },
      { kind: 'embedding', ids: ['text-embedding-3-small'] },
    ]);
  });
});

describe('the model command', () => {
  let upstream: FakeUpstream;
  let core: Core | undefined;
  beforeAll(async () => {
    upstream = await startFakeUpstream();
  });
  afterEach(async () => {
    await core?.close();
    core = undefined;
    upstream.reset();
  });
  afterAll(() => upstream.close());

  const relayModels = ['dall-e-3', 'gpt-4o', 'text-embedding-3-small', 'omni-moderation-latest', 'gpt-4o-mini', 'tts-1', 'whisper-1', 'claude-3-haiku'];
  const listOnce = () => upstream.setNext({ route: 'models', json: { object: 'list', data: relayModels.map((id) => ({ id, object: 'model', owned_by: 'relay' })) } });

  it('lists chat models first, each other kind on its own line', async () => {
    core = (await makeCore(upstream)).core;
    listOnce();
    const s = new RecordingSurface();
    await core.manager.handle(incoming('/model'), s);
    expect(s.finalTexts[0]!.split('\n')).toEqual([
      'Current model: gpt-4o-mini',
      'Chat models: claude-3-haiku, gpt-4o, gpt-4o-mini',
      'Image models: dall-e-3',
      'Speech (TTS) models: tts-1',
      'Transcription models: whisper-1',
      'Embedding models: text-embedding-3-small',
      'Moderation models: omni-moderation-latest',
    ]);
  });

  it('zh: the same list, labelled in Chinese', async () => {
    core = (await makeCore(upstream, { LOCALE: 'zh' })).core;
    listOnce();
    const s = new RecordingSurface();
    await core.manager.handle(incoming('/model'), s);
    const lines = s.finalTexts[0]!.split('\n');
    expect(lines[1]).toBe('对话模型：claude-3-haiku, gpt-4o, gpt-4o-mini');
    expect(lines[2]).toBe('图像模型：dall-e-3');
  });

  it('a relay listing hundreds of chat models: the first 40 named, the rest counted, other kinds still shown', async () => {
    core = (await makeCore(upstream)).core;
    const data = [...Array.from({ length: 250 }, (_, i) => `model-${String(i).padStart(3, '0')}`), 'dall-e-3'].map((id) => ({ id }));
    upstream.setNext({ route: 'models', json: { object: 'list', data } });
    const s = new RecordingSurface();
    await core.manager.handle(incoming('/model'), s);
    const [, chat, image] = s.finalTexts[0]!.split('\n');
    expect(chat).toMatch(/^Chat models: model-000, .*model-039 \(\+210\)$/);
    expect(image).toBe('Image models: dall-e-3');
  });

  it('setting an image model asks first, with a hint; the same command again sets it', async () => {
    core = (await makeCore(upstream)).core;
    const s = new RecordingSurface();
    await core.manager.handle(incoming('/model dall-e-3'), s);
    expect(s.finalTexts.at(-1)).toBe(
      'dall-e-3 is not a chat model: it is for making images. To draw, use /image <prompt>. To chat with it anyway, send /model dall-e-3 again within 2 minutes.',
    );
    await core.manager.handle(incoming('hi'), s);
    expect(chatBodies(upstream).at(-1)!.model).toBe('gpt-4o-mini');

    await core.manager.handle(incoming('/model dall-e-3'), s);
    expect(s.finalTexts.at(-1)).toBe('Model for this channel set to dall-e-3.');
    await core.manager.handle(incoming('hi again'), s);
    expect(chatBodies(upstream).at(-1)!.model).toBe('dall-e-3');
  });

  it('the confirmation is per channel and per name; chat models are set at once', async () => {
    core = (await makeCore(upstream)).core;
    const a = new RecordingSurface({}, 'test:1');
    await core.manager.handle(incoming('/model tts-1'), a);
    expect(a.finalTexts.at(-1)).toMatch(/^tts-1 is not a chat model: it is for turning text into speech\. To hear text spoken, use \/tts <text>\./);
    // Another channel asking for it is asked in turn; another non-chat name restarts the question.
    const b = new RecordingSurface({}, 'test:2');
    await core.manager.handle(incoming('/model tts-1', { channel: 'test:2' }), b);
    expect(b.finalTexts.at(-1)).toMatch(/is not a chat model/);
    await core.manager.handle(incoming('/model whisper-1'), a);
    expect(a.finalTexts.at(-1)).toMatch(/^whisper-1 is not a chat model/);
    await core.manager.handle(incoming('/model tts-1'), a);
    expect(a.finalTexts.at(-1)).toMatch(/^tts-1 is not a chat model/);

    await core.manager.handle(incoming('/model gpt-4o'), a);
    expect(a.finalTexts.at(-1)).toBe('Model for this channel set to gpt-4o.');
  });

  it('zh: the refusal is Chinese apart from model and command names', async () => {
    core = (await makeCore(upstream, { LOCALE: 'zh' })).core;
    const s = new RecordingSurface();
    await core.manager.handle(incoming('/model text-embedding-3-small'), s);
    const line = s.finalTexts.at(-1)!;
    expect(line).toBe('text-embedding-3-small 不是对话模型，它用于向量嵌入（检索）。如果仍要用它对话，请在 2 分钟内再发一次 /model text-embedding-3-small。');
  });
});
