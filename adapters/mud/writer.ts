// The one paced queue for everything we type into the game. MUDs count commands per connection,
// not per conversation, so login lines, keepalives and the replies of every scope share this
// queue: at most one command per `pacingMs`, whoever sent it. Control commands (login, quit) jump
// the queue; chat commands wait while the character is not in the game (reconnecting).

/** Writes one command line to the current socket; false when there is none. */
export type CommandSink = (command: string) => boolean;

export type CommandPriority = 'control' | 'chat';

interface Queued {
  command: string;
  resolve: () => void;
  reject: (err: Error) => void;
}

/** Replies piling up during a long outage are dropped oldest-first beyond this. */
const DEFAULT_MAX_QUEUED = 500;

export class WriterClosedError extends Error {
  constructor() {
    super('MUD connection closed');
    this.name = 'WriterClosedError';
  }
}

export interface PacedWriterOptions {
  pacingMs: number;
  maxQueued?: number;
  onDrop?: (command: string) => void;
}

export class PacedWriter {
  private readonly control: Queued[] = [];
  private readonly chat: Queued[] = [];
  private sink?: CommandSink;
  private chatOpen = false;
  private lastWriteAt = -Infinity;
  private timer?: NodeJS.Timeout;
  private closed = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly opts: PacedWriterOptions) {}

  /** When the last command went out (performance.now()), for keepalive decisions. */
  get lastWrite(): number {
    return this.lastWriteAt;
  }

  get queued(): number {
    return this.control.length + this.chat.length;
  }

  /** Attach (or detach with undefined) the socket writer. Chat stays gated until `openChat`. */
  attach(sink: CommandSink | undefined): void {
    this.sink = sink;
    if (!sink) this.chatOpen = false;
    this.pump();
  }

  /** The character is in the game: chat commands may flow. */
  openChat(open: boolean): void {
    this.chatOpen = open;
    this.pump();
  }

  /** Resolves when the command has been written to a socket. */
  enqueue(command: string, priority: CommandPriority = 'chat'): Promise<void> {
    if (this.closed) return Promise.reject(new WriterClosedError());
    return new Promise<void>((resolve, reject) => {
      const queue = priority === 'control' ? this.control : this.chat;
      queue.push({ command, resolve, reject });
      const max = this.opts.maxQueued ?? DEFAULT_MAX_QUEUED;
      while (this.chat.length > max) {
        const dropped = this.chat.shift()!;
        this.opts.onDrop?.(dropped.command);
        dropped.resolve();
      }
      this.pump();
    });
  }

  /** Drops queued control commands (a new connection starts its own login). */
  clearControl(): void {
    for (const q of this.control.splice(0)) q.resolve();
  }

  /** Resolves when both queues are empty (or after `timeoutMs`). */
  drained(timeoutMs: number): Promise<void> {
    if (this.queued === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const t = setTimeout(done, timeoutMs);
      t.unref?.();
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.idleWaiters.push(done);
    });
  }

  /** Rejects everything still queued. */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const q of [...this.control.splice(0), ...this.chat.splice(0)]) q.reject(new WriterClosedError());
    this.notifyIdle();
  }

  private next(): Queued | undefined {
    if (this.control.length) return this.control[0];
    if (this.chatOpen && this.chat.length) return this.chat[0];
    return undefined;
  }

  private pump(): void {
    if (this.timer || this.closed || !this.sink) return;
    const item = this.next();
    if (!item) {
      if (this.queued === 0) this.notifyIdle();
      return;
    }
    const wait = this.lastWriteAt + this.opts.pacingMs - performance.now();
    if (wait > 0) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.pump();
      }, wait);
      return;
    }
    if (!this.sink(item.command)) return;
    this.lastWriteAt = performance.now();
    (this.control[0] === item ? this.control : this.chat).shift();
    item.resolve();
    this.pump();
  }

  private notifyIdle() {
    for (const w of this.idleWaiters.splice(0)) w();
  }
}
