// A terminal as a Surface: "edits" of a streamed message print only what is new, so the
// answer appears word by word; images and audio are written to files whose paths are printed.
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { AudioFormat, ChannelKey, EditOptions, ImageOutput, MessageRef, Surface, SurfaceLimits } from '../../src/types.js';
import { WordWrapper } from './word-wrap.js';

/** Terminals take any length; this only bounds one message's buffer. */
const CONSOLE_MAX_CHARS = 100_000;

const EXTENSION: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/webp': 'webp',
  'image/gif': 'gif',
};

interface Printed {
  id: number;
  text: string;
}

export interface ConsoleSurfaceOptions {
  out: NodeJS.WritableStream;
  /** Where images and audio files go. */
  outputDir: string;
  channel?: ChannelKey;
  /** Terminal width to wrap answers at, between words; undefined (a pipe) = no wrapping. */
  columns?: () => number | undefined;
}

export class ConsoleSurface implements Surface {
  readonly platform = 'console' as const;
  readonly channel: ChannelKey;
  readonly commandPrefix = '/';
  readonly limits: SurfaceLimits = { maxChars: CONSOLE_MAX_CHARS, canEdit: true, minEditIntervalMs: 0, audioFormat: 'mp3' };
  private nextId = 1;
  /** The message currently being streamed; only its suffix is printed on edit. */
  private open?: Printed;
  private readonly wrapper: WordWrapper;

  constructor(private readonly opts: ConsoleSurfaceOptions) {
    this.channel = opts.channel ?? 'console:local';
    this.wrapper = new WordWrapper(opts.columns ?? (() => undefined));
  }

  /** Answer text: wrapped at the terminal width between words. */
  private write(s: string) {
    const out = this.wrapper.write(s);
    if (out) this.opts.out.write(out);
  }

  /** Whole lines that must not be re-wrapped (file paths). */
  private writeRaw(s: string) {
    this.opts.out.write(s);
    this.wrapper.reset();
  }

  async send(text: string, opts: EditOptions = {}): Promise<MessageRef> {
    this.finishOpen();
    const msg: Printed = { id: this.nextId++, text };
    this.write(text);
    this.open = msg;
    if (opts.final) this.finishOpen();
    return msg.id;
  }

  async edit(ref: MessageRef, text: string, opts: EditOptions = {}): Promise<void> {
    const msg = this.open;
    if (!msg || msg.id !== ref) {
      // An edit of an older message: the terminal cannot rewrite it, so print it again whole.
      this.finishOpen();
      this.write(text);
      this.endLine();
      return;
    }
    if (text.startsWith(msg.text)) this.write(text.slice(msg.text.length));
    else this.write(`\n${text}`);
    msg.text = text;
    if (opts.final) this.finishOpen();
  }

  private finishOpen() {
    if (this.open) {
      this.endLine();
      this.open = undefined;
    }
  }

  private endLine() {
    this.writeRaw(`${this.wrapper.flush()}\n`);
  }

  async sendImage(image: ImageOutput, caption?: string): Promise<void> {
    this.finishOpen();
    if (image.bytes) {
      const path = await this.saveFile('image', EXTENSION[image.mime] ?? 'png', image.bytes);
      this.writeRaw(`[image saved: ${path}]\n`);
    } else if (image.url) {
      this.writeRaw(`[image: ${image.url}]\n`);
    }
    if (caption) {
      this.write(caption);
      this.endLine();
    }
  }

  async sendAudio(bytes: Uint8Array, format: AudioFormat): Promise<void> {
    this.finishOpen();
    const path = await this.saveFile('speech', format === 'opus' ? 'ogg' : format, bytes);
    this.writeRaw(`[audio saved: ${path}]\n`);
  }

  async typing(): Promise<void> {
    // The streamed text itself is the progress indicator in a terminal.
  }

  async close(): Promise<void> {
    this.finishOpen();
  }

  private async saveFile(kind: string, ext: string, bytes: Uint8Array): Promise<string> {
    const dir = resolve(this.opts.outputDir);
    await mkdir(dir, { recursive: true });
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const path = join(dir, `${kind}-${stamp}.${ext}`);
    await writeFile(path, bytes);
    return path;
  }
}
