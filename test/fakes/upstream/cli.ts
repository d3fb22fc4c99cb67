// `npm run fake:upstream`: a fake OpenAI-compatible API for trying parley without a real key.
// Streams a few words per chunk with a small delay so a human sees the reply arrive.
import { startFakeUpstream } from './server.js';

const DEFAULT_PORT = 8787;
const WORDS_PER_CHUNK = 3;
const CHUNK_DELAY_MS = 80;

const port = Number(process.env.FAKE_UPSTREAM_PORT ?? DEFAULT_PORT);
const fake = await startFakeUpstream({ port, prefix: '/v1', auth: 'any', tokensPerChunk: WORDS_PER_CHUNK, chunkDelayMs: CHUNK_DELAY_MS });

console.log(`fake upstream listening (chat, images, speech, transcription, models); any key is accepted.`);
console.log(`OPENAI_BASE_URL=${fake.url}`);
console.log('OPENAI_API_KEY=test-key');
console.log('Press Ctrl-C to stop.');

const stop = () => {
  void fake.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
