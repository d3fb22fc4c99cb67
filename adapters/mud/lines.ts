// Telnet data bytes -> text lines. Decoding is stateful (iconv keeps a split GBK/Big5/UTF-8
// character until its last byte arrives), lines end at LF (CR and NUL are dropped: Diku sends
// "\n\r", telnet sends "\r\0"), and a prompt that never gets a newline is delivered as a
// `prompt` when the server marks it (GA/EOR) or when the output goes quiet for `promptFlushMs`.
// ANSI colour and other control characters are stripped from what comes out.
import { stripVTControlCharacters } from 'node:util';
import iconv from 'iconv-lite';

export type LineKind = 'line' | 'prompt';
export type LineListener = (text: string, kind: LineKind) => void;

/** A server that never sends a newline must not make us buffer forever. */
const MAX_PENDING_CHARS = 16 * 1024;

/** C0/C1 controls left after ANSI stripping (BEL, BS, stray ESC...), except TAB. */
const LEFTOVER_CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

export function cleanLine(raw: string): string {
  return stripVTControlCharacters(raw).replace(/\t/g, ' ').replace(LEFTOVER_CONTROLS, '');
}

export interface LineDecoderOptions {
  encoding: string;
  /** Quiet time after which unterminated text counts as a prompt; 0 disables. */
  promptFlushMs: number;
  onLine: LineListener;
}

export class LineDecoder {
  private decoder: ReturnType<typeof iconv.getDecoder>;
  private pending = '';
  private timer?: NodeJS.Timeout;

  constructor(private readonly opts: LineDecoderOptions) {
    this.decoder = iconv.getDecoder(opts.encoding);
  }

  /** Feeds data bytes (telnet sequences already removed). */
  push(bytes: Uint8Array): void {
    const text = this.decoder.write(Buffer.from(bytes));
    if (!text) return;
    this.pending += text;
    let nl = this.pending.indexOf('\n');
    while (nl >= 0) {
      const raw = this.pending.slice(0, nl);
      this.pending = this.pending.slice(nl + 1);
      this.opts.onLine(cleanLine(raw.replace(/[\r\0]/g, '')), 'line');
      nl = this.pending.indexOf('\n');
    }
    if (this.pending.length > MAX_PENDING_CHARS) this.flushPrompt();
    this.armIdleFlush();
  }

  /** The server marked a prompt end (GA or EOR): whatever is pending is the prompt. */
  markPromptEnd(): void {
    this.flushPrompt();
  }

  /** Forget partial state (new connection). */
  reset(): void {
    this.clearTimer();
    this.pending = '';
    this.decoder = iconv.getDecoder(this.opts.encoding);
  }

  dispose(): void {
    this.clearTimer();
  }

  private flushPrompt() {
    this.clearTimer();
    const text = cleanLine(this.pending.replace(/[\r\0]/g, ''));
    this.pending = '';
    if (text.trim()) this.opts.onLine(text, 'prompt');
  }

  private armIdleFlush() {
    this.clearTimer();
    if (!this.pending || this.opts.promptFlushMs <= 0) return;
    this.timer = setTimeout(() => this.flushPrompt(), this.opts.promptFlushMs);
    this.timer.unref?.();
  }

  private clearTimer() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
