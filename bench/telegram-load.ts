// The scale bench's Telegram side in one lean child process: a Bot API that answers what parley
// calls (no call log, no HTML parsing, no per-message output) and the load balancer in front of
// the parley webhooks (round robin, keep-alive, a failed POST retried on the next instance).
// Each chat asks its next question as soon as the bot's answer to the last one arrives (a
// closed loop), so the load follows what parley can answer. The test fake (test/fakes/telegram)
// records every call and parses every text for assertions; at hundreds of replies a second it
// would take the core parley needs.
// argv[2]: JSON {chats, answer}. Prints {apiRoot, token}; then per stdin line:
//   "backends <json url list>"  where to POST updates
//   "run <seconds> <warmup>"    prints {replies, seconds, p50, p99, apiCalls, duplicates} (reply
//                               latency in ms; Bot API calls by method and answers to no open
//                               question, in the measured window)
import { Agent, createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';

const TOKEN = '4242:bench-token';
const BOT = { id: 4242, is_bot: true, first_name: 'Bench', username: 'bench_bot' };
const MENTION = '@bench_bot';
const RETRY_MS = 20;

const { chats, answer } = JSON.parse(process.argv[2] ?? '{}') as { chats: number; answer: string };
const agent = new Agent({ keepAlive: true, maxSockets: 256 });
let webhook: { path: string; secret: string } | undefined;
let backends: string[] = [];
let next = 0;
let updateId = 0;
let messageId = 0;
let running = false;
let completions = 0;
let unasked = 0;
let latencies: number[] = [];
/** Bot API calls by method since the measured window began. */
let calls: Record<string, number> = {};
/** Per chat: when its open question was sent (undefined: none open). */
const asked = new Map<number, number>();

const chatIds = Array.from({ length: chats }, (_, i) => -1_000_000 - i);

function json(res: ServerResponse, result: unknown): void {
  const body = JSON.stringify({ ok: true, result });
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
}

function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        resolve(chunks.length > 0 ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : {});
      } catch {
        resolve({});
      }
    });
  });
}

/** A message text from the bot: the full answer closes the chat's question. */
function sawText(chatId: number, text: unknown): void {
  if (text !== answer) return;
  const at = asked.get(chatId);
  if (at === undefined) {
    // An answer with no question open: a question answered twice.
    unasked++;
    return;
  }
  asked.delete(chatId);
  if (!running) return;
  completions++;
  latencies.push(performance.now() - at);
  ask(chatId);
}

async function botApi(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const method = req.url?.slice(req.url.lastIndexOf('/') + 1) ?? '';
  const body = await readBody(req);
  const chatId = Number(body.chat_id);
  calls[method] = (calls[method] ?? 0) + 1;
  switch (method) {
    case 'getMe':
      return json(res, BOT);
    case 'setWebhook':
      webhook = { path: new URL(String(body.url)).pathname, secret: String(body.secret_token ?? '') };
      return json(res, true);
    case 'getMyCommands':
      return json(res, []);
    case 'sendMessage':
    case 'editMessageText': {
      const id = method === 'sendMessage' ? ++messageId : Number(body.message_id);
      json(res, { message_id: id, date: Math.floor(Date.now() / 1000), chat: { id: chatId, type: 'supergroup' }, text: body.text });
      return sawText(chatId, body.text);
    }
    default:
      return json(res, true);
  }
}

function post(update: string, backend: string): Promise<number> {
  const url = new URL(webhook!.path, backend);
  return new Promise((resolve) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(update), 'x-telegram-bot-api-secret-token': webhook!.secret } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.end(update);
  });
}

/** Sends the chat's next question through the balancer; retried on the next instance until one takes it. */
function ask(chatId: number): void {
  const text = `${MENTION} question ${++updateId}`;
  const update = JSON.stringify({
    update_id: updateId,
    message: {
      message_id: updateId,
      date: Math.floor(Date.now() / 1000),
      chat: { id: chatId, type: 'supergroup', title: 'bench' },
      from: { id: 7, is_bot: false, first_name: 'Load' },
      text,
      entities: [{ type: 'mention', offset: 0, length: MENTION.length }],
    },
  });
  asked.set(chatId, performance.now());
  void (async () => {
    for (;;) {
      const status = webhook && backends.length > 0 ? await post(update, backends[next++ % backends.length]!) : 0;
      if (status >= 200 && status < 300) return;
      await new Promise((r) => setTimeout(r, RETRY_MS));
    }
  })();
}

const server = createServer((req, res) => void botApi(req, res));
server.keepAliveTimeout = 60_000;
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
process.stdout.write(`${JSON.stringify({ apiRoot: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, token: TOKEN })}\n`);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? NaN;

for await (const line of createInterface({ input: process.stdin })) {
  const [cmd, a, b] = line.split(' ');
  if (cmd === 'backends') backends = JSON.parse(a!) as string[];
  if (cmd !== 'run') continue;
  running = true;
  // The chats join over the first half of the warm-up, not all in one instant.
  chatIds.forEach((c, i) => setTimeout(() => ask(c), (i * Number(b) * 500) / chatIds.length));
  await sleep(Number(b) * 1000);
  const before = completions;
  latencies = [];
  calls = {};
  unasked = 0;
  const t0 = performance.now();
  await sleep(Number(a) * 1000);
  const replies = completions - before;
  const seconds = (performance.now() - t0) / 1000;
  const window = latencies;
  const apiCalls = { ...calls };
  const duplicates = unasked;
  running = false;
  // The questions still open are answered before the next run starts (not counted).
  for (const until = Date.now() + 30_000; asked.size > 0 && Date.now() < until; ) await sleep(50);
  process.stdout.write(`${JSON.stringify({ replies, seconds, p50: pct(window, 50), p99: pct(window, 99), apiCalls, duplicates })}\n`);
}
