// The console surface: chat with the configured provider in a terminal, commands with a
// leading '/'. It is what `npm start` opens when no platform is configured.
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import type { Core } from '../../src/app.js';
import type { Adapter, Incoming } from '../../src/types.js';
import { ConsoleSurface } from './surface.js';

export interface ConsoleAdapterOptions {
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
  /** Called when the user ends the session (/quit, Ctrl-D). */
  onExit?: () => void;
}

const QUIT_WORDS = new Set(['/quit', '/exit', '/q']);
const STOP_WORDS = new Set(['/stop']);

export function createConsoleAdapter(core: Core, opts: ConsoleAdapterOptions = {}): Adapter {
  const input = opts.input ?? process.stdin;
  const output = opts.output ?? process.stdout;
  const surface = new ConsoleSurface({ out: output, outputDir: join(core.config.store.dataDir, 'out') });
  const interactive = (output as NodeJS.WriteStream).isTTY === true;
  let rl: Interface | undefined;
  const inFlight = new Set<Promise<void>>();
  /** Lines are answered in the order typed (a pasted script behaves like typing); /stop jumps the line. */
  let previous: Promise<void> = Promise.resolve();

  const prompt = () => {
    if (interactive) rl?.prompt();
  };

  return {
    platform: 'console',
    async start() {
      rl = createInterface({ input, output: interactive ? output : undefined, prompt: '> ', terminal: interactive });
      output.write(
        `parley console: model ${core.config.llm.chatModel} at ${core.config.llm.baseUrl}\n` +
          'Type a message, /help for commands, /quit to leave.\n',
      );
      prompt();
      rl.on('line', (line) => {
        const text = line.trim();
        if (!text) return prompt();
        if (QUIT_WORDS.has(text)) {
          rl?.close();
          return;
        }
        const msg: Incoming = {
          platform: 'console',
          channel: surface.channel,
          user: { id: 'local', name: process.env.USER ?? 'you' },
          text,
          mentionsBot: true,
          isDirect: true,
          replyToBot: false,
        };
        const handle = () => core.manager.handle(msg, surface);
        const done = (STOP_WORDS.has(text) ? handle() : previous.then(handle)).finally(() => {
          inFlight.delete(done);
          prompt();
        });
        if (!STOP_WORDS.has(text)) previous = done;
        inFlight.add(done);
      });
      rl.on('close', () => {
        // Let answers still streaming finish before the process is told to exit.
        void Promise.allSettled([...inFlight]).then(() => opts.onExit?.());
      });
    },
    async stop() {
      rl?.close();
      await Promise.allSettled([...inFlight]);
    },
  };
}
