// A terminal as a Transport: a patch of the message being streamed prints only what is new, so
// the answer appears word by word; uploads are written to files whose paths are printed.
// One transport per terminal (its state is the screen's); each reply gets a session over it.
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { boundaryAtOrBefore } from '../../src/format/width.js';
import type { ChannelKey, PostOptions, SurfaceLimits, Transport, Upload } from '../../src/types.js';
import { WordWrapper } from './word-wrap.js';

/**
 * A terminal takes a message of any length (a reply is bounded by REPLY_MAX_CHARS), appending as
 * it grows: the relay never needs to split one, and a split would print the message's tail again
 * (the terminal cannot take back a draft that ran past the cut).
 */
const CONSOLE_MAX_CHARS = Number.MAX_SAFE_INTEGER;
/**
 * Frames of the message being streamed: each patch hands over the whole text so far, so a patch
 * per delta costs the message's length per delta (seconds of CPU for 1 MB). 20 frames a second
 * is faster than anyone reads, and a frame prints every delta since the one before.
 */
const CONSOLE_FRAME_MS = 50;
/**
 * Answer text wrapped in one event-loop turn. A frame prints every delta since the last one, and
 * a fast upstream sends hundreds of KB in 50 ms: wrapped at once, other channels would wait for
 * all of it (text whose graphemes join, such as emoji, takes microseconds a character).
 */
export const WRAP_SLICE_CHARS = 16 * 1024;

const EXTENSION: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp', 'image/gif': 'gif' };

export interface ConsoleSurfaceOptions {
  out: NodeJS.WritableStream;
  /** Where images and audio files go. */
  outputDir: string;
  channel?: ChannelKey;
  /** Terminal width to wrap answers at, between words; undefined (a pipe) = no wrapping. */
  columns?: () => number | undefined;
}

export class ConsoleTransport implements Transport<number> {
  readonly platform = 'console' as const;
  readonly channel: ChannelKey;
  readonly commandPrefix = '/';
  readonly limits: SurfaceLimits = {
    maxChars: CONSOLE_MAX_CHARS,
    canEdit: true,
    minEditIntervalMs: CONSOLE_FRAME_MS,
    // Nothing to fit: the cheapest length will do.
    measure: (text) => text.length,
    audioFormat: 'mp3',
  };
  private nextId = 1;
  /** The message being streamed: only the suffix of a patch is printed. */
  private open: { id: number; text: string } | undefined;
  private readonly wrapper: WordWrapper;
  /** Calls print in the order they were made, though a long one yields between slices. */
  private printing: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: ConsoleSurfaceOptions) {
    this.channel = opts.channel ?? 'console:local';
    this.wrapper = new WordWrapper(opts.columns ?? (() => undefined));
  }

  post(text: string, opts: PostOptions = {}): Promise<number> {
    const id = this.nextId++;
    return this.inOrder(async () => {
      this.endOpen();
      await this.write(text);
      this.open = { id, text };
      if (opts.final) this.endOpen();
      return id;
    });
  }

  patch(id: number, text: string, opts: PostOptions = {}): Promise<void> {
    return this.inOrder(async () => {
      const msg = this.open;
      if (msg?.id !== id) {
        // An older message: the terminal cannot rewrite it, so it is printed again whole.
        this.endOpen();
        await this.write(text);
        return this.endLine();
      }
      const fresh = startsWith(text, msg.text) ? text.slice(msg.text.length) : `\n${text}`;
      msg.text = text;
      await this.write(fresh);
      if (opts.final) this.endOpen();
    });
  }

  /** The final write ends the message's line. */
  needsFinalWrite(): boolean {
    return true;
  }

  upload(item: Upload): Promise<void> {
    return this.inOrder(() => this.print(item));
  }

  private async print(item: Upload): Promise<void> {
    this.endOpen();
    if (item.kind === 'audio') {
      const path = await this.saveFile('speech', item.format === 'opus' ? 'ogg' : item.format, item.bytes);
      return this.writeRaw(`[audio saved: ${path}]\n`);
    }
    const { image, caption } = item;
    if (image.bytes) this.writeRaw(`[image saved: ${await this.saveFile('image', EXTENSION[image.mime] ?? 'png', image.bytes)}]\n`);
    else if (image.url) this.writeRaw(`[image: ${image.url}]\n`);
    if (caption) {
      await this.write(caption);
      this.endLine();
    }
  }

  /** Runs `call` after every call made before it has printed. */
  private inOrder<T>(call: () => Promise<T>): Promise<T> {
    const done = this.printing.then(call);
    this.printing = done.catch(() => undefined);
    return done;
  }

  /** Answer text: wrapped at the terminal width between words, a slice per event-loop turn. */
  private async write(s: string): Promise<void> {
    for (let from = 0; from < s.length; ) {
      if (from > 0) await nextTurn();
      const to = sliceEnd(s, from);
      const out = this.wrapper.write(s.slice(from, to));
      if (out) this.opts.out.write(out);
      from = to;
    }
  }

  /** Whole lines that must not be re-wrapped (file paths). */
  private writeRaw(s: string): void {
    this.opts.out.write(s);
    this.wrapper.reset();
  }

  private endOpen(): void {
    if (!this.open) return;
    this.endLine();
    this.open = undefined;
  }

  private endLine(): void {
    this.writeRaw(`${this.wrapper.flush()}\n`);
  }

  private async saveFile(kind: string, ext: string, bytes: Uint8Array): Promise<string> {
    const dir = resolve(this.opts.outputDir);
    await mkdir(dir, { recursive: true });
    const path = join(dir, `${kind}-${new Date().toISOString().replace(/[:.]/g, '-')}.${ext}`);
    await writeFile(path, bytes);
    return path;
  }
}

/**
 * `text.startsWith(prefix)`, which Node 20 runs a character at a time (3 ms for a 1 MB message,
 * every frame): a slice compared whole is a memory compare (0.1 ms).
 */
function startsWith(text: string, prefix: string): boolean {
  return text.length >= prefix.length && text.slice(0, prefix.length) === prefix;
}

/** How far back from WRAP_SLICE_CHARS a slice's end looks for a place between two graphemes. */
const SLICE_LOOK_BACK = 256;

/**
 * Where a slice of `s` from `from` ends: between two graphemes (a CR LF or an emoji sequence cut
 * in two would print differently); failing that (emoji only), between code points, as the
 * relay's frames end.
 */
function sliceEnd(s: string, from: number): number {
  const to = from + WRAP_SLICE_CHARS;
  if (to >= s.length) return s.length;
  const boundary = boundaryAtOrBefore(s, to, SLICE_LOOK_BACK);
  if (boundary > from) return boundary;
  const c = s.charCodeAt(to - 1);
  return c >= 0xd800 && c <= 0xdbff ? to - 1 : to;
}
