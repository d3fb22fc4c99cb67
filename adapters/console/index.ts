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
import type { Logger } from '../../src/log.js';
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
  const terminal = new ConsoleTerminal(core, opts);
  return { platform: 'console', start: () => terminal.open(), stop: async () => terminal.quit() };
}

/** The terminal's lines as work, one reply session each, and the prompt drawn when idle. */
class ConsoleTerminal {
  private readonly input: TtyInput;
  private readonly output: NonNullable<ConsoleAdapterOptions['output']>;
  private readonly interactive: boolean;
  private readonly transport: ConsoleTransport;
  private readonly log: Logger;
  private rl: Interface | undefined;
  private gate: InputGate | undefined;
  /** Lines submitted and not answered yet: the prompt is drawn (and held keys let go) at zero. */
  private unanswered = 0;
  /** A line is submitted once the one before it is answered, as typed (a pasted script behaves like typing). */
  private previous: Promise<void> = Promise.resolve();
  /** When the last Ctrl-C came, while no line was submitted since; 0 = none. */
  private lastInterruptAt = 0;

  constructor(
    private readonly core: Core,
    private readonly opts: ConsoleAdapterOptions,
  ) {
    this.input = opts.input ?? process.stdin;
    this.output = opts.output ?? process.stdout;
    this.interactive = this.output.isTTY === true && this.input.isTTY === true;
    const outputDir = (opts.settings ?? core.config.console)?.outputDir ?? join(core.config.store.dataDir, 'out');
    const columns = () => (this.interactive ? this.output.columns : undefined);
    this.transport = new ConsoleTransport({ out: this.output, outputDir, columns });
    this.log = core.logger.child({ platform: 'console', channel: this.transport.channel });
  }

  async open(): Promise<void> {
    const { core, interactive, output } = this;
    if (interactive) this.gate = new InputGate(this.input, () => this.interrupt());
    const rl = createInterface({ input: this.gate?.stream ?? this.input, output: interactive ? output : undefined, prompt: '> ', terminal: interactive });
    this.rl = rl;
    output.write(`parley console: model ${core.config.llm.chatModel} at ${core.config.llm.baseUrl}\nType a message, /help for commands, /quit to leave.\n`);
    if (interactive) {
      rl.on('SIGINT', () => this.interrupt());
      rl.prompt();
    }
    rl.on('line', (line) => this.onLine(line));
    rl.on('close', () => {
      this.gate?.close();
      // Answers still streaming finish before the process is told to exit.
      void this.previous.finally(() => this.opts.onExit?.());
    });
  }

  quit(): void {
    this.rl?.close();
  }

  /** One line as work: its own reply session over the terminal. */
  private submit(text: string): Promise<void> {
    const msg: Incoming = {
      platform: 'console',
      channel: this.transport.channel,
      user: { id: 'local', name: process.env.USER ?? 'you' },
      text,
      mentionsBot: true,
      isDirect: true,
      replyToBot: false,
    };
    return this.core.manager.handle(msg, new ReplySession(this.transport, { logger: this.log }));
  }

  private answer(work: () => Promise<void>): Promise<void> {
    this.unanswered += 1;
    this.gate?.hold();
    return work().finally(() => {
      this.unanswered -= 1;
      if (this.unanswered > 0 || !this.rl) return;
      // Idle again: one prompt, then whatever was typed meanwhile, echoed on it.
      if (this.interactive) this.rl.prompt();
      this.gate?.release();
    });
  }

  private interrupt(): void {
    const now = Date.now();
    const again = this.lastInterruptAt > 0;
    const soon = again && now - this.lastInterruptAt < SECOND_INTERRUPT_MS;
    this.lastInterruptAt = now;
    // The manager prints "(stopped)" where the answer ended.
    if (this.unanswered > 0) return soon ? this.quit() : void this.answer(() => this.submit('/stop'));
    if (again || soon) return this.quit();
    if (this.rl?.line) {
      // Drop what was typed, as a shell does.
      this.rl.write(null, { ctrl: true, name: 'e' });
      this.rl.write(null, { ctrl: true, name: 'u' });
    }
    this.output.write(`^C\n${lines(this.core.config.conversation.locale, 'exitHint')}\n`);
    this.rl?.prompt();
  }

  private onLine(line: string): void {
    const text = line.trim();
    this.lastInterruptAt = 0;
    if (!text) return void (this.interactive && this.unanswered === 0 && this.rl?.prompt());
    if (QUIT_WORDS.has(text)) return this.quit();
    // /stop jumps the line: the answer it stops is the one being waited for.
    if (text === '/stop') return void this.answer(() => this.submit(text));
    this.previous = this.answer(() => this.previous.then(() => this.submit(text)));
  }
}
