// The console adapter: chat with the configured provider in a terminal, commands with a leading
// '/'. It is what `npm start` opens when no platform is configured, and the smallest example of
// an adapter: lines become work for the dispatcher (here), a Transport prints (surface.ts), and
// a config schema (config.ts). Order, stop and shutdown are the dispatcher's.
//
// In a terminal: one prompt, drawn when nothing is being answered; keys typed during an answer
// wait (InputGate) and appear on the next prompt; answers wrap between words at the terminal's
// width. Ctrl-C stops the answer in progress; a second Ctrl-C at an idle prompt, or within
// 2 s, leaves. From a pipe: lines are read and answered in order, no prompt.
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import type { Core } from '../../src/app.js';
import { defineLines } from '../../src/conversation/messages.js';
import { ReplySession } from '../../src/relay/reply-session.js';
import type { Adapter, Incoming } from '../../src/types.js';
import type { ConsoleConfig } from './config.js';
import { InputGate, type TtyInput } from './input-gate.js';
import { ConsoleTransport } from './surface.js';

export interface ConsoleAdapterOptions {
  input?: TtyInput;
  output?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Called when the user ends the session (/quit, Ctrl-D, Ctrl-C twice), after the last answer. */
  onExit?: () => void;
  /** Default: the configured console section (CONSOLE_OUTPUT_DIR). */
  settings?: ConsoleConfig;
}

const QUIT_WORDS = new Set(['/quit', '/exit', '/q']);
/** A second Ctrl-C this soon after the first leaves even while an answer is still running. */
const SECOND_INTERRUPT_MS = 2_000;

const lines = defineLines({
  en: { exitHint: '(press Ctrl-C again to quit)' },
  zh: { exitHint: '（再按一次 Ctrl-C 退出）' },
});

export function createConsoleAdapter(core: Core, opts: ConsoleAdapterOptions = {}): Adapter {
  const input: TtyInput = opts.input ?? process.stdin;
  const output = opts.output ?? process.stdout;
  const interactive = output.isTTY === true && input.isTTY === true;
  const outputDir = (opts.settings ?? core.config.console)?.outputDir ?? join(core.config.store.dataDir, 'out');
  const transport = new ConsoleTransport({ out: output, outputDir, columns: () => (interactive ? output.columns : undefined) });
  const log = core.logger.child({ platform: 'console', channel: transport.channel });
  const locale = core.config.conversation.locale;
  let rl: Interface | undefined;
  let gate: InputGate | undefined;
  /** Lines submitted and not answered yet: the prompt is drawn (and held keys let go) at zero. */
  let unanswered = 0;
  /** A line is submitted once the one before it is answered, as typed (a pasted script behaves like typing). */
  let previous: Promise<void> = Promise.resolve();
  /** When the last Ctrl-C came, while no line was submitted since; 0 = none. */
  let lastInterruptAt = 0;

  const message = (text: string): Incoming => ({
    platform: 'console',
    channel: transport.channel,
    user: { id: 'local', name: process.env.USER ?? 'you' },
    text,
    mentionsBot: true,
    isDirect: true,
    replyToBot: false,
  });

  /** One line as work: its own reply session over the terminal. */
  const submit = (text: string) => core.manager.handle(message(text), new ReplySession(transport, { logger: log }));

  const answer = (work: () => Promise<void>) => {
    unanswered += 1;
    gate?.hold();
    const done = work().finally(() => {
      unanswered -= 1;
      if (unanswered > 0 || !rl) return;
      // Idle again: one prompt, then whatever was typed meanwhile, echoed on it.
      if (interactive) rl.prompt();
      gate?.release();
    });
    return done;
  };

  const quit = () => rl?.close();

  const interrupt = () => {
    const now = Date.now();
    const again = lastInterruptAt > 0;
    const soon = again && now - lastInterruptAt < SECOND_INTERRUPT_MS;
    lastInterruptAt = now;
    // The manager prints "(stopped)" where the answer ended.
    if (unanswered > 0) return soon ? quit() : void answer(() => submit('/stop'));
    if (again || soon) return quit();
    if (rl?.line) {
      // Drop what was typed, as a shell does.
      rl.write(null, { ctrl: true, name: 'e' });
      rl.write(null, { ctrl: true, name: 'u' });
    }
    output.write(`^C\n${lines(locale, 'exitHint')}\n`);
    rl?.prompt();
  };

  const onLine = (line: string) => {
    const text = line.trim();
    lastInterruptAt = 0;
    if (!text) return void (interactive && unanswered === 0 && rl?.prompt());
    if (QUIT_WORDS.has(text)) return quit();
    // /stop jumps the line: the answer it stops is the one being waited for.
    if (text === '/stop') return void answer(() => submit(text));
    previous = answer(() => previous.then(() => submit(text)));
  };

  return {
    platform: 'console',
    async start() {
      if (interactive) gate = new InputGate(input, interrupt);
      rl = createInterface({ input: gate?.stream ?? input, output: interactive ? output : undefined, prompt: '> ', terminal: interactive });
      output.write(`parley console: model ${core.config.llm.chatModel} at ${core.config.llm.baseUrl}\nType a message, /help for commands, /quit to leave.\n`);
      if (interactive) {
        rl.on('SIGINT', interrupt);
        rl.prompt();
      }
      rl.on('line', onLine);
      rl.on('close', () => {
        gate?.close();
        // Answers still streaming finish before the process is told to exit.
        void previous.finally(() => opts.onExit?.());
      });
    },
    async stop() {
      rl?.close();
    },
  };
}
