import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { clientFromConfig } from '../../src/llm/index.js';
import { startFakeUpstream, type FakeUpstream } from '../fakes/upstream/server.js';

describe('clientFromConfig', () => {
  let fake: FakeUpstream;
  beforeAll(async () => {
    fake = await startFakeUpstream({ prefix: '/openai', auth: 'api-key', apiKey: 'cfg-key-123456' });
  });
  afterAll(() => fake.close());

  it('uses base URL, auth style, key, org and media defaults from the env', async () => {
    const config = loadConfig({
      OPENAI_API_KEY: 'cfg-key-123456',
      OPENAI_BASE_URL: fake.url,
      OPENAI_AUTH_HEADER: 'api-key',
      OPENAI_ORG_ID: 'org-cfg',
      TTS_VOICE: 'echo',
      HISTORY_STORE: 'memory',
    });
    const client = clientFromConfig(config.llm);
    await client.speech({ text: 'hi', format: 'mp3' });
    const rec = fake.requests.at(-1)!;
    expect(rec.path).toBe('/openai/audio/speech');
    expect(rec.headers['api-key']).toBe('cfg-key-123456');
    expect(rec.headers['openai-organization']).toBe('org-cfg');
    expect(rec.body).toMatchObject({ voice: 'echo', model: 'tts-1' });
    await client.close();
  });
});
