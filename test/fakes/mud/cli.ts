// Runs the fake MUD by hand: `npx tsx test/fakes/mud/cli.ts [diku|lpc] [port]`, then point a
// profile (host 127.0.0.1, that port, MUD_PASSWORD=sekrit-pass) at it. Type lines on stdin to
// broadcast them to the logged-in bot, e.g. `Alice tells you 'hello'`.
import { createInterface } from 'node:readline';
import { startFakeMud, type MudStyle } from './server.js';

const style = (process.argv[2] ?? 'diku') as MudStyle;
const mud = await startFakeMud({ style, port: Number(process.argv[3] ?? 0) || undefined });
console.log(`fake MUD (${style}) on ${mud.host}:${mud.port}; account parley / sekrit-pass`);
let seen = 0;
setInterval(() => {
  for (const c of mud.commands.slice(seen)) console.log(`< [${c.session}] ${c.text}`);
  seen = mud.commands.length;
}, 200).unref();
createInterface({ input: process.stdin }).on('line', (line) => mud.broadcast(line)).on('close', () => void mud.close());
