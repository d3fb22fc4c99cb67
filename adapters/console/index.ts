// The console surface: chat with the configured provider in a terminal, commands with a
// leading '/'. It is what `npm start` opens when no platform is configured.
//
// In a terminal: one prompt, drawn when nothing is being answered; keys typed during an answer
// wait (InputGate) and appear on the next prompt; answers wrap between words at the terminal's
// width. Ctrl-C stops the answer in progress; a second Ctrl-C at an idle prompt, or within
// 2 s, leaves. From a pipe: lines are read and answered in order, no prompt.
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import type { Core } from '../../src/app.js';
import { defineLines } from '../../src/conversation/messages.js';
import type { Adapter, Incoming } from '../../src/types.js';
import { InputGate, type TtyInput } from './input-gate.js';
import { ConsoleSurface } from './surface.js';

export interface ConsoleAdapterOptions {
  input?: TtyInput;
  output?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Called when the user ends the session (/quit, Ctrl-D, Ctrl-C twice). */
  onExit?: () => void;
}

const QUIT_WORDS = new Set(['/quit', '/exit', '/q']);
const STOP_WORDS = new Set(['/stop']);
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
  const surface = new ConsoleSurface({
    out: output,
    outputDir: join(core.config.store.dataDir, 'out'),
    columns: () => (interactive ? output.columns : undefined),
  });
  const locale = core.config.conversation.locale;
  let rl: Interface | undefined;
  let gate: InputGate | undefined;
  /** Answers (and other work) not finished yet; the prompt is drawn only when this is empty. */
  const inFlight = new Set<Promise<void>>();
  /** Lines are answered in the order typed (a pasted script behaves like typing); /stop jumps the line. */
  let previous: Promise<void> = Promise.resolve();
  /** When the last Ctrl-C came, while no line was submitted since; 0 = none. */
  let lastInterruptAt = 0;

  const message = (text: string): Incoming => ({
    platform: 'console',
    channel: surface.channel,
    user: { id: 'local', name: process.env.USER ?? 'you' },
    text,
    mentionsBot: true,
    isDirect: true,
    replyToBot: false,
  });

  const track = (work: Promise<void>) => {
    inFlight.add(work);
    gate?.hold();
    void work.finally(() => {
      inFlight.delete(work);
      if (inFlight.size > 0 || !rl) return;
      // Idle again: one prompt, then whatever was typed meanwhile, echoed on it.
      if (interactive) rl.prompt();
      gate?.release();
    });
  };

  const quit = () => rl?.close();

  const interrupt = () => {
    const now = Date.now();
    const again = lastInterruptAt > 0;
    const soon = again && now - lastInterruptAt < SECOND_INTERRUPT_MS;
    lastInterruptAt = now;
    if (inFlight.size > 0) {
      if (soon) return quit();
      // The manager prints "(stopped)" where the answer ended.
      track(core.manager.handle(message('/stop'), surface));
      return;
    }
    if (again || soon) return quit();
    if (rl?.line) {
      // Drop what was typed, as a shell does.
      rl.write(null, { ctrl: true, name: 'e' });
      rl.write(null, { ctrl: true, name: 'u' });
    }
    output.write(`^C\n${lines(locale, 'exitHint')}\n`);
    rl?.prompt();
  };

  return {
    platform: 'console',
    async start() {
      if (interactive) gate = new InputGate(input, interrupt);
      rl = createInterface({
        input: gate?.stream ?? input,
        output: interactive ? output : undefined,
        prompt: '> ',
        terminal: interactive,
      });
      output.write(
        `parley console: model ${core.config.llm.chatModel} at ${core.config.llm.baseUrl}\n` +
          'Type a message, /help for commands, /quit to leave.\n',
      );
      if (interactive) {
        rl.on('SIGINT', interrupt);
        rl.prompt();
      }
      rl.on('line', (line) => {
        const text = line.trim();
        lastInterruptAt = 0;
        if (!text) {
          if (interactive && inFlight.size === 0) rl?.prompt();
          return;
        }
        if (QUIT_WORDS.has(text)) return quit();
        const handle = () => core.manager.handle(message(text), surface);
        if (STOP_WORDS.has(text)) return track(handle());
        const done = previous.then(handle);
        previous = done;
        track(done);
      });
      rl.on('close', () => {
        gate?.close();
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
