// OpenAIClient against the fake upstream over real HTTP: URLs, auth, flavors, media.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OpenAIClient } from '../../src/llm/client.js';
import { createLogger } from '../../src/log.js';
import { endpointUrl } from '../../src/llm/transport.js';
import { startFakeUpstream, TINY_PNG, type FakeUpstream, type Flavor } from '../fakes/upstream/server.js';
import { SEED000_IMAGE, SEED000_PLAIN, SEED002_STREAM, SEED004_PLAIN, SEED004_STREAM } from './fixtures.js';
import { caught, chatReq, collect, fastClient, TEST_KEY } from './helpers.js';

describe('endpointUrl', () => {
  it('appends endpoints to any prefix, tolerating a trailing slash', () => {
    expect(endpointUrl('https://host/v1', 'chat/completions')).toBe('https://host/v1/chat/completions');
    expect(endpointUrl('https://host/openai/', 'models')).toBe('https://host/openai/models');
    expect(endpointUrl('https://host/v1//', '/audio/speech')).toBe('https://host/v1/audio/speech');
  });
});

describe('OpenAIClient: request shape', () => {
  let fake: FakeUpstream;
  let client: OpenAIClient;
  beforeAll(async () => {
    fake = await startFakeUpstream({ auth: 'authorization', apiKey: TEST_KEY });
    client = fastClient(fake, { orgId: 'org-42' });
  });
  afterEach(() => fake.reset());
  afterAll(async () => {
    await client.close();
    await fake.close();
  });

  it('streams the echo reply and sends bearer auth, org, request id, stream flag', async () => {
    fake.setChunking({ tokensPerChunk: 1, chunkDelayMs: 5 });
    const stream = client.streamChat(chatReq('hello world', { requestId: 'req-abc', temperature: 0.5, maxTokens: 50 }));
    const deltas = await collect(stream);
    expect(deltas.join('')).toBe('You said: hello world');
    // Paced events arrive as separate deltas (events read together are joined into one).
    expect(deltas.length).toBeGreaterThan(1);
    expect(stream.text).toBe('You said: hello world');
    expect(stream.finishReason).toBe('stop');
    const rec = fake.requests[0]!;
    expect(rec.path).toBe('/v1/chat/completions');
    expect(rec.headers.authorization).toBe(`Bearer ${TEST_KEY}`);
    expect(rec.headers['openai-organization']).toBe('org-42');
    expect(rec.headers['x-request-id']).toBe('req-abc');
    expect(rec.body).toEqual({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hello world' }],
      temperature: 0.5,
      max_tokens: 50,
      stream: true,
    });
  });

  it('does not send stream_options unless asked (strict relays reject unknown fields)', async () => {
    await collect(client.streamChat(chatReq('x')));
    expect(fake.requests[0]!.body).not.toHaveProperty('stream_options');
    const withUsage = fastClient(fake, { requestStreamUsage: true });
    const stream = withUsage.streamChat(chatReq('count me'));
    await collect(stream);
    expect(fake.requests[1]!.body).toMatchObject({ stream_options: { include_usage: true } });
    // The official API then sends usage in a last chunk with empty choices.
    expect(stream.usage).toEqual({ promptTokens: 2, completionTokens: 4, totalTokens: 6 });
    await withUsage.close();
  });

  it('passes name and image parts through unchanged', async () => {
    const messages = [
      { role: 'system' as const, content: 'be brief' },
      { role: 'user' as const, name: 'alice_1', content: [{ type: 'text' as const, text: 'what is this' }, { type: 'image_url' as const, image_url: { url: 'data:image/png;base64,AAAA' } }] },
    ];
    const result = await client.chat({ model: 'gpt-4o', messages });
    expect(result.text).toBe('You said: what is this [1 image]');
    expect((fake.requests[0]!.body as { messages: unknown }).messages).toEqual(messages);
  });

  it('plain chat returns text, finish reason, usage and model', async () => {
    const result = await client.chat(chatReq('plain one'));
    expect(result).toEqual({ text: 'You said: plain one', finishReason: 'stop', usage: { promptTokens: 2, completionTokens: 4, totalTokens: 6 }, model: 'gpt-4o-mini' });
    expect(fake.requests[0]!.body).not.toHaveProperty('stream');
  });

  it('a wrong key is an auth error whose message never shows the key the relay echoed', async () => {
    const wrongKey = 'sk-wrong-key-abcdef123';
    const bad = new OpenAIClient({ baseUrl: fake.url, apiKey: wrongKey, maxRetries: 0 });
    const err = await caught(() => bad.chat(chatReq('x')));
    expect(err.kind).toBe('auth');
    expect(err.status).toBe(401);
    expect(err.message).toContain('Incorrect API key provided');
    expect(err.message).not.toContain(wrongKey);
    expect(JSON.stringify(err)).not.toContain(wrongKey);
    expect(fake.requests).toHaveLength(1); // 401 is not retried
    await bad.close();
  });

  it('logs one debug line per request with method, path, status, ms, request id, and no key', async () => {
    const lines: string[] = [];
    const logger = createLogger('debug', { write: (line: string) => void lines.push(line) });
    const logged = fastClient(fake, { logger });
    await logged.chat(chatReq('log me', { requestId: 'req-log-1' }));
    await collect(logged.streamChat(chatReq('log me too', { requestId: 'req-log-2' })));
    await logged.close();
    const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((e) => e.msg === 'llm request');
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({ method: 'POST', path: '/v1/chat/completions', status: 200, requestId: 'req-log-1' });
    expect(typeof entries[0]!.ms).toBe('number');
    expect(entries[1]).toMatchObject({ requestId: 'req-log-2', status: 200 });
    expect(lines.join('\n')).not.toContain(TEST_KEY);
    expect(lines.join('\n')).not.toMatch(/authorization/i);
  });

  it('lists models', async () => {
    const models = await client.listModels();
    expect(models.map((m) => m.id)).toContain('gpt-4o-mini');
    expect(models[0]!.ownedBy).toBe('fake');
    expect(fake.requests[0]!.method).toBe('GET');
    expect(fake.requests[0]!.path).toBe('/v1/models');
  });
});

describe('OpenAIClient: api-key auth and an /openai prefix (seed 000 / seed 004 styles)', () => {
  let fake: FakeUpstream;
  let client: OpenAIClient;
  beforeAll(async () => {
    fake = await startFakeUpstream({ flavor: 'seed004', prefix: '/openai', auth: 'api-key', apiKey: TEST_KEY });
    client = fastClient(fake, { baseUrl: fake.url + '/', authHeader: 'api-key' });
  });
  afterAll(async () => {
    await client.close();
    await fake.close();
  });

  it('sends api-key, not Authorization, to {base}/chat/completions', async () => {
    const result = await client.chat(chatReq('hi'));
    expect(result.text).toBe('You said: hi');
    const rec = fake.requests.at(-1)!;
    expect(rec.path).toBe('/openai/chat/completions');
    expect(rec.headers['api-key']).toBe(TEST_KEY);
    expect(rec.headers.authorization).toBeUndefined();
  });

  it('with the wrong header style the relay answers 401 in its own envelope', async () => {
    const wrongStyle = fastClient(fake, { authHeader: 'authorization', maxRetries: 0 });
    const err = await caught(() => wrongStyle.chat(chatReq('hi')));
    expect(err.kind).toBe('auth');
    expect(err.code).toBe('invalid_token');
    expect(err.requestId).toMatch(/^[0-9a-f-]{36}$/); // seed 004's trace_id
    await wrongStyle.close();
  });
});

describe.each<Flavor>(['openai', 'seed000', 'seed002', 'seed004'])('OpenAIClient against flavor %s', (flavor) => {
  let fake: FakeUpstream;
  let client: OpenAIClient;
  beforeAll(async () => {
    fake = await startFakeUpstream({ flavor, tokensPerChunk: 2 });
    client = fastClient(fake);
  });
  afterAll(async () => {
    await client.close();
    await fake.close();
  });

  it('streams text without role noise, with the finish reason', async () => {
    const stream = client.streamChat(chatReq('一二三 four five'));
    const deltas = await collect(stream);
    expect(deltas.join('')).toBe('You said: 一二三 four five');
    expect(deltas.every((d) => d.length > 0)).toBe(true);
    expect(stream.finishReason).toBe('stop');
    if (flavor === 'seed002') expect(stream.usage?.completionTokens).toBeGreaterThan(0);
  });

  it('plain chat reads choices[0].message.content whatever `object` says', async () => {
    const result = await client.chat(chatReq('plain'));
    expect(result.text).toBe('You said: plain');
    expect(result.finishReason).toBe('stop');
  });
});

describe('OpenAIClient with the seed samples served verbatim', () => {
  let fake: FakeUpstream;
  let client: OpenAIClient;
  beforeAll(async () => {
    fake = await startFakeUpstream();
    client = fastClient(fake);
  });
  afterAll(async () => {
    await client.close();
    await fake.close();
  });

  it('seed 002 stream: text and usage from inside choices[0]', async () => {
    fake.setNext({ rawStream: SEED002_STREAM, splitBytes: 5 });
    const stream = client.streamChat(chatReq('x'));
    expect((await collect(stream)).join('')).toBe('你好。');
    expect(stream.usage).toEqual({ promptTokens: 19, completionTokens: 13, totalTokens: 32 });
    expect(stream.finishReason).toBe('stop');
  });

  it('seed 004 stream: role in every delta, role-only delta before finishing', async () => {
    fake.setNext({ rawStream: SEED004_STREAM });
    const stream = client.streamChat(chatReq('x'));
    const deltas = await collect(stream);
    expect(deltas.join('')).toBe('Hi there! How can I assist you today?');
    expect(deltas.every((d) => d.length > 0)).toBe(true); // role-only deltas add no empty text
    expect(stream.finishReason).toBe('stop');
  });

  it('seed 004 plain answer labelled chat.completion.chunk', async () => {
    fake.setNext({ json: JSON.parse(SEED004_PLAIN) });
    const result = await client.chat(chatReq('x'));
    expect(result).toEqual({ text: 'Hello! How can I assist you today?', finishReason: 'stop', usage: { promptTokens: 8, completionTokens: 9, totalTokens: 17 }, model: 'gpt-4' });
  });

  it('seed 000 plain answer with an Azure model name', async () => {
    fake.setNext({ json: JSON.parse(SEED000_PLAIN) });
    const result = await client.chat(chatReq('x'));
    expect(result.text).toBe('Hello, this message is from apigpt.cloud! How may I assist you today?');
    expect(result.model).toBe('gpt-35-turbo');
  });

  it('seed 000 image answer: downloads the url, ignores the filter results', async () => {
    // The provider's URL must not receive our key.
    const url = fake.addFile('generated_00.png', TINY_PNG, 'application/octet-stream');
    fake.setNext({ json: { ...SEED000_IMAGE, data: [{ ...SEED000_IMAGE.data[0], url }] } });
    const image = await client.generateImage({ prompt: '一团火焰' });
    expect(Buffer.from(image.bytes).equals(TINY_PNG)).toBe(true);
    expect(image.mime).toBe('image/png'); // sniffed, despite the octet-stream content-type
    expect(image.revisedPrompt).toBe('a ball of fire');
    expect(image.url).toBe(url);
    const download = fake.requests.at(-1)!;
    expect(download.route).toBe('files');
    expect(download.headers.authorization).toBeUndefined();
    expect(download.headers['api-key']).toBeUndefined();
  });
});

describe('OpenAIClient media', () => {
  let fake: FakeUpstream;
  let client: OpenAIClient;
  beforeAll(async () => {
    fake = await startFakeUpstream({ flavor: 'seed000' });
    client = fastClient(fake, { defaults: { imageModel: 'dall-e-3', imageSize: '1792x1024', ttsModel: 'tts-1-hd', ttsVoice: 'nova', transcribeModel: 'whisper-1' } });
  });
  afterEach(() => fake.reset());
  afterAll(async () => {
    await client.close();
    await fake.close();
  });

  it('image via url: sends {model, prompt, n:1, size} and returns the downloaded bytes', async () => {
    const image = await client.generateImage({ prompt: 'a cat' });
    expect(fake.requests[0]!.body).toEqual({ model: 'dall-e-3', prompt: 'a cat', n: 1, size: '1792x1024' });
    expect(Buffer.from(image.bytes).equals(TINY_PNG)).toBe(true);
    expect(image.mime).toBe('image/png');
    expect(image.url).toMatch(/\/files\/img-\d+\.png$/);
    expect(image.revisedPrompt).toBe('revised: a cat');
    expect(fake.requests).toHaveLength(2);
  });

  it('image via b64_json: decodes without a second request', async () => {
    const b64 = fastClient(fake, { defaults: { imageResponseFormat: 'b64_json' } });
    const image = await b64.generateImage({ prompt: 'a dog', size: '1024x1024', model: 'dall-e-2' });
    expect(fake.requests[0]!.body).toMatchObject({ model: 'dall-e-2', size: '1024x1024', response_format: 'b64_json' });
    expect(Buffer.from(image.bytes).equals(TINY_PNG)).toBe(true);
    expect(image.url).toBeUndefined();
    expect(fake.requests).toHaveLength(1);
    await b64.close();
  });

  it('a failed image download is retried without generating again', async () => {
    fake.setNext({ route: 'files', status: 503 });
    const image = await client.generateImage({ prompt: 'retry me' });
    expect(image.bytes.length).toBe(TINY_PNG.length);
    expect(fake.requests.map((r) => r.route)).toEqual(['images/generations', 'files', 'files']);
  });

  it('speech: sends model/input/voice/format/speed, returns bytes and mime', async () => {
    const speech = await client.speech({ text: 'hello there', format: 'opus', speed: 1.25 });
    expect(fake.requests[0]!.body).toEqual({ model: 'tts-1-hd', input: 'hello there', voice: 'nova', response_format: 'opus', speed: 1.25 });
    expect(speech.format).toBe('opus');
    expect(speech.mime).toBe('audio/ogg');
    expect(Buffer.from(speech.bytes).subarray(0, 4).toString('latin1')).toBe('OggS');
    expect(Buffer.from(speech.bytes).toString('latin1')).toContain('hello there');
  });

  it('speech answered with a JSON error under 200 is an error, not audio', async () => {
    fake.setNext({ json: { error: { message: 'voice not found', type: 'invalid_request_error' } } });
    const err = await caught(() => client.speech({ text: 'x', format: 'mp3' }));
    expect(err.message).toContain('voice not found');
  });

  it('transcription: real multipart with file, model, language', async () => {
    fake.setTranscript('bonjour tout le monde');
    const bytes = new Uint8Array([0x4f, 0x67, 0x67, 0x53, 1, 2, 3]);
    const result = await client.transcribe({ bytes, filename: 'voice.ogg', mime: 'audio/ogg', language: 'fr' });
    expect(result).toEqual({ text: 'bonjour tout le monde' });
    const rec = fake.requests[0]!;
    expect(String(rec.headers['content-type'])).toMatch(/^multipart\/form-data; boundary=/);
    expect(rec.fields?.model).toBe('whisper-1');
    expect(rec.fields?.language).toBe('fr');
    expect(rec.fields?.file).toMatchObject({ filename: 'voice.ogg', type: 'audio/ogg', size: 7 });
    expect(rec.headers.authorization).toBe(`Bearer ${TEST_KEY}`);
  });

  it('transcription is retried with a fresh body after a 500', async () => {
    fake.setNext({ status: 500 });
    const result = await client.transcribe({ bytes: new Uint8Array([1, 2, 3]), filename: 'a.mp3' });
    expect(result.text).toBe('hello from a voice note');
    expect(fake.requests).toHaveLength(2);
    expect(fake.requests[1]!.fields?.file).toMatchObject({ filename: 'a.mp3', size: 3 });
  });
});
