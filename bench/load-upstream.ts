// A lean OpenAI-style SSE server for the 1,000-channel load test, run in a child process.
// The test fake (test/fakes/upstream) keeps a timer and a JSON.stringify per chunk per stream;
// at 50,000 chunks a second it would saturate its own core and deliver in bursts, measuring the
// load generator instead of parley. Here the chunks are encoded once and one ticker writes them,
// each stream on its own phase so arrivals are spread as real traffic is.
// intervalMs 0 sends the whole answer in one write (the scale bench: parley still parses every
// event, and the upstream costs next to nothing).
// argv[2]: JSON {words: string[], intervalMs: number}. Prints {url} when listening.
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const TICK_MS = 2;

const { words, intervalMs } = JSON.parse(process.argv[2] ?? '{}') as { words: string[]; intervalMs: number };
const sse = (obj: unknown) => Buffer.from(`data: ${JSON.stringify(obj)}\n\n`);
const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
  sse({ id: 'chatcmpl-load', object: 'chat.completion.chunk', created: 0, model: 'gpt-4o-mini', choices: [{ index: 0, delta, finish_reason: finish }] });
const frames = [chunk({ role: 'assistant', content: '' }), ...words.map((w, i) => chunk({ content: i === 0 ? w : ` ${w}` }))];
const tail = Buffer.concat([chunk({}, 'stop'), Buffer.from('data: [DONE]\n\n')]);
const whole = Buffer.concat([...frames, tail]);

interface Stream {
  res: ServerResponse;
  next: number;
  dueAt: number;
}
const streams = new Set<Stream>();

if (intervalMs > 0) setInterval(() => {
  const now = performance.now();
  for (const s of streams) {
    if (s.dueAt > now) continue;
    if (s.next < frames.length) {
      s.res.write(frames[s.next++]!);
      s.dueAt += intervalMs;
    } else {
      s.res.end(tail);
      streams.delete(s);
    }
  }
}, TICK_MS);

const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    if (!req.url?.endsWith('/chat/completions')) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not here"}}');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    if (intervalMs <= 0) return void res.end(whole);
    // A random phase within one interval spreads the streams' chunks over time.
    const stream: Stream = { res, next: 0, dueAt: performance.now() + Math.random() * intervalMs };
    streams.add(stream);
    res.on('close', () => streams.delete(stream));
  });
});
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1` })}\n`);
});
process.on('SIGTERM', () => process.exit(0));
