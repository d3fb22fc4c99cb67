// `npm run bench -- reasoning`: a reasoning model through the real client against the fake
// upstream, in each of the three shapes providers stream thinking in. Reports thinking time
// apart from time to first text, which counts to the first answer token (issue 13), and checks
// that no reasoning leaks into the answer text.
import { OpenAIClient } from '../src/llm/client.js';
import { startFakeUpstream } from '../test/fakes/upstream/server.js';
import type { ReasoningShape } from '../test/fakes/upstream/shapes.js';

const SHAPES: ReasoningShape[] = ['reasoning_content', 'reasoning', 'think'];
const RUNS = 5;
const THOUGHT = Array.from({ length: 12 }, (_, i) => `step ${i} considers the question`).join(', ');
const ANSWER = 'The answer is forty-two, as the reasoning above concluded after some care.';
/** One token per chunk every 25 ms: about 40 tokens/s, thinking and answer alike. */
const CHUNKING = { tokensPerChunk: 1, chunkDelayMs: 25 };

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

export async function reasoning(): Promise<void> {
  console.log('\n== reasoning models: thinking time apart from time to first text (median of 5) ==');
  console.log('shape               first thought  thinking  first text    final  leaked');
  const upstream = await startFakeUpstream();
  const client = new OpenAIClient({ baseUrl: upstream.url, apiKey: 'bench-key', maxRetries: 0 });
  try {
    upstream.setReply(ANSWER);
    upstream.setChunking(CHUNKING);
    for (const shape of SHAPES) {
      upstream.setReasoning({ text: THOUGHT, shape });
      const rows: { thought: number; thinking: number; firstText: number; final: number; leaked: boolean }[] = [];
      for (let i = 0; i < RUNS; i++) {
        const t0 = Date.now();
        let firstThoughtAt: number | undefined;
        const stream = client.streamChat({
          model: 'deepseek-reasoner',
          messages: [{ role: 'user', content: 'What is the answer?' }],
          onReasoning: () => {
            firstThoughtAt ??= Date.now();
          },
        });
        for await (const _ of stream) void _;
        rows.push({
          thought: (firstThoughtAt ?? NaN) - t0,
          thinking: stream.thinkingMs ?? NaN,
          firstText: (stream.firstTextAt ?? NaN) - t0,
          final: Date.now() - t0,
          leaked: stream.text.includes('considers'),
        });
      }
      const col = (k: 'thought' | 'thinking' | 'firstText' | 'final') => `${Math.round(median(rows.map((r) => r[k])))} ms`;
      console.log(
        `${shape.padEnd(20)}${col('thought').padStart(13)}${col('thinking').padStart(10)}${col('firstText').padStart(12)}${col('final').padStart(9)}  ${rows.filter((r) => r.leaked).length}/${RUNS}`,
      );
    }
  } finally {
    await client.close();
    await upstream.close();
  }
}
