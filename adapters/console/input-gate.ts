// Sits between the terminal and readline. While an answer streams, keystrokes are held back
// (so what the user types never lands in the middle of the answer) except Ctrl-C, which is
// reported at once; when the answer is done, the held keys go to readline, which echoes them on
// the fresh prompt line. readline sees a TTY: raw mode is passed through to the real one.
import { PassThrough } from 'node:stream';

const CTRL_C = 0x03;

export interface TtyInput extends NodeJS.ReadableStream {
  isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
}

export class InputGate {
  /** What readline reads. */
  readonly stream: PassThrough & { isTTY: true; setRawMode(mode: boolean): PassThrough };
  private held: Buffer[] = [];
  private holding = false;
  private readonly onData = (chunk: Buffer | string) => this.receive(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);

  constructor(
    private readonly input: TtyInput,
    private readonly onInterrupt: () => void,
  ) {
    const stream = new PassThrough();
    this.stream = Object.assign(stream, {
      isTTY: true as const,
      setRawMode: (mode: boolean) => {
        input.setRawMode?.(mode);
        return stream;
      },
    });
    input.on('data', this.onData);
    input.on('end', () => this.stream.end());
  }

  /** Holds keys from now on (an answer started). */
  hold(): void {
    this.holding = true;
  }

  /** Passes the held keys to readline and lets the next ones through. */
  release(): void {
    this.holding = false;
    const held = Buffer.concat(this.held);
    this.held = [];
    if (held.length) this.stream.write(held);
  }

  close(): void {
    this.input.removeListener('data', this.onData);
    this.input.pause?.();
  }

  private receive(chunk: Buffer): void {
    if (!this.holding) {
      this.stream.write(chunk);
      return;
    }
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      if (chunk[i] !== CTRL_C) continue;
      if (i > start) this.held.push(chunk.subarray(start, i));
      start = i + 1;
      this.onInterrupt();
    }
    if (start < chunk.length) this.held.push(chunk.subarray(start));
  }
}
