// The fake Discord (2 shards) and its load driver in their own process, so the scale bench's
// parley processes are measured, not the fake. Each channel asks its next question as soon as
// the bot's answer to the last one is final (a closed loop). Completions are read off the
// fake's request log incrementally: no per-channel polling.
// argv[2]: JSON {channelsPerGuild, answer}. Prints {token, apiUrl}; then per stdin line
// "run <seconds> <warmupSeconds>" prints {replies, seconds}.
import { createInterface } from 'node:readline';
import { startFakeDiscord } from '../test/fakes/discord/server.js';

const { channelsPerGuild, answer } = JSON.parse(process.argv[2] ?? '{}') as { channelsPerGuild: number; answer: string };
const discord = await startFakeDiscord({ shards: 2, channelsPerGuild, channelRateLimit: { limit: 1_000_000, windowMs: 1000 }, advertiseRateLimits: false });
const channels = discord.ids.shardGuilds.flatMap((g) => g.channels);
process.stdout.write(`${JSON.stringify({ token: discord.token, apiUrl: discord.apiUrl, guild: discord.ids.guild })}\n`);

let seen = 0;
let completions = 0;
let running = false;

function ask(channelId: string): void {
  discord.sendMessage({ content: 'a question', mentionBot: true, channelId });
}

/** New requests since the last look: a write whose text is the full answer ends that channel's reply. */
setInterval(() => {
  const { requests } = discord.state;
  for (; seen < requests.length; seen++) {
    const r = requests[seen]!;
    const m = /^\/channels\/(\d+)\/messages/.exec(r.path);
    if (!m || r.status >= 300 || (r.body as { content?: unknown } | null)?.content !== answer) continue;
    completions++;
    if (running) ask(m[1]!);
  }
}, 5).unref();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for await (const line of createInterface({ input: process.stdin })) {
  const [cmd, seconds, warmup] = line.split(' ');
  if (cmd !== 'run') continue;
  running = true;
  for (const c of channels) ask(c);
  await sleep(Number(warmup) * 1000);
  const before = completions;
  const t0 = performance.now();
  await sleep(Number(seconds) * 1000);
  const replies = completions - before;
  const elapsed = (performance.now() - t0) / 1000;
  running = false;
  // Let the last round of answers finish before the next run starts.
  await sleep(3000);
  process.stdout.write(`${JSON.stringify({ replies, seconds: elapsed })}\n`);
}
