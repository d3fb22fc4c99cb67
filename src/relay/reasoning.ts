// What a surface shows while a reasoning model thinks (REASONING=hide|status|show). The thinking
// itself never becomes answer text: it arrives through ChatRequest.onReasoning, not the deltas.
//
// On surfaces that edit (Discord, Telegram) a short "thinking…" status is sent at the first
// reasoning delta, and the answer's first message takes its place (an edit of that message, or
// of the Telegram draft). With `show`, the status becomes a short marked excerpt instead and the
// answer starts a message below it. Line surfaces (MUD) and surfaces without edits get one short
// line at most. This works by wrapping the Surface, so the relay's writers need not know.
import type { Logger } from '../log.js';
import type { EditOptions, MessageRef, Surface } from '../types.js';

export type ReasoningMode = 'hide' | 'status' | 'show';

export interface ReasoningLines {
  /** The status on edit-capable surfaces, e.g. "💭 Thinking…". */
  thinking: string;
  /** The one line on line-mode surfaces, e.g. "(thinking…)". */
  thinkingLine: string;
  /** Title of the excerpt in `show` mode. */
  label: string;
  /** Replaces the status when the model thought but answered nothing. */
  noAnswer: string;
}

/** Longest excerpt shown above the answer, in code points. */
export const REASONING_EXCERPT_CHARS = 300;

export interface ReasoningDisplayOptions {
  mode: ReasoningMode;
  lines: ReasoningLines;
  /** Sends one complete line the way the relay paces lines (used on line-mode surfaces). */
  deliverLine: (text: string) => Promise<unknown>;
  logger?: Logger;
  /** Tools may run in this reply: their status needs the status-replacing surface even when thinking is hidden. */
  toolStatus?: boolean;
}

export class ReasoningDisplay {
  /** The surface to pipe the answer into. */
  readonly surface: Surface;
  private reasoning = '';
  private started = false;
  /** The status message (edit-capable surfaces), or the status line's delivery. */
  private status: Promise<MessageRef | undefined> | undefined;
  /** True once the answer (or a notice) took over the status message. */
  private replaced = false;

  constructor(
    private readonly target: Surface,
    private readonly opts: ReasoningDisplayOptions,
  ) {
    this.surface = (opts.mode !== 'hide' || opts.toolStatus) && this.replacesStatus ? new StatusReplacingSurface(target, this) : target;
  }

  /** Pass as ChatRequest.onReasoning. */
  readonly onReasoning = (delta: string): void => {
    this.reasoning += delta;
    // Reasoning that comes after the answer began does not bring a status back.
    if (this.started || this.replaced || this.opts.mode === 'hide') return;
    this.started = true;
    const failed = (err: unknown) => {
      this.opts.logger?.debug({ err, channel: this.target.channel }, 'reasoning: status not shown');
      return undefined;
    };
    if (this.replacesStatus) this.status = this.target.send(this.opts.lines.thinking).catch(failed);
    else this.status = this.opts.deliverLine(this.opts.lines.thinkingLine).then(() => undefined, failed);
  };

  /**
   * A status of our own (e.g. "🔧 Using add…"): sent, or put in place of the thinking status, and
   * replaced by the answer like it. Once the answer has begun, only line surfaces get the line.
   */
  showStatus(text: string, line: string): void {
    const failed = (err: unknown) => {
      this.opts.logger?.debug({ err, channel: this.target.channel }, 'status not shown');
      return undefined;
    };
    if (!this.replacesStatus) {
      const before = this.status ?? Promise.resolve(undefined);
      this.status = before.then(() => this.opts.deliverLine(line)).then(() => undefined, failed);
      return;
    }
    if (this.replaced) return;
    this.started = true;
    const previous = this.status;
    this.status = (async () => {
      const ref = await previous;
      if (ref === undefined) return this.target.send(text).catch(failed);
      await this.target.edit(ref, text).catch(failed);
      return ref;
    })();
  }

  /** After the reply: a status nothing replaced (no answer, no notice) is not left saying "thinking". */
  async end(): Promise<void> {
    const ref = await this.status;
    if (ref === undefined || this.replaced) return;
    this.replaced = true;
    const text = this.opts.mode === 'show' && this.reasoning.trim() ? this.excerpt() : this.opts.lines.noAnswer;
    await this.target.edit(ref, text, { final: true }).catch((err: unknown) => this.opts.logger?.debug({ err }, 'reasoning: status not cleared'));
  }

  /**
   * The first message of the answer: it replaces the status (status mode), or the status turns
   * into the excerpt and the answer goes below it (show mode).
   */
  async sendFirst(text: string, opts: EditOptions | undefined): Promise<MessageRef> {
    const ref = this.replaced ? undefined : await this.status;
    this.replaced = true;
    if (ref === undefined) return this.target.send(text, opts);
    if (this.opts.mode === 'show' && this.reasoning.trim()) {
      await this.target.edit(ref, this.excerpt(), { final: true }).catch((err: unknown) => this.opts.logger?.debug({ err }, 'reasoning: excerpt not shown'));
      return this.target.send(text, opts);
    }
    try {
      await this.target.edit(ref, text, opts);
      return ref;
    } catch (err) {
      this.opts.logger?.debug({ err, channel: this.target.channel }, 'reasoning: status not replaced, answer sent anew');
      return this.target.send(text, opts);
    }
  }

  /** A short, clearly marked excerpt in the platform's collapsed form. */
  excerpt(): string {
    return formatExcerpt(this.target.platform, this.opts.lines.label, this.reasoning);
  }

  private get replacesStatus(): boolean {
    return this.target.limits.canEdit && !this.target.limits.lineMode;
  }
}

/**
 * Telegram: an expandable blockquote in Telegram's own markdown spelling (`**>` … `||`), which
 * the HTML renderer turns into `<blockquote expandable>`. Discord: a subtext title over a spoiler.
 */
export function formatExcerpt(platform: Surface['platform'], label: string, reasoning: string): string {
  const flat = reasoning.replace(/\s+/g, ' ').trim();
  const points = [...flat];
  const short = points.length > REASONING_EXCERPT_CHARS ? points.slice(0, REASONING_EXCERPT_CHARS).join('').trimEnd() + '…' : flat;
  switch (platform) {
    case 'telegram':
      return `**>💭 ${label}\n>${short.replace(/\|\|/g, '|')}||`;
    case 'discord':
      // A `|` or backtick inside would end the spoiler or open code.
      return `-# 💭 ${label}\n||${short.replace(/\|/g, '¦').replace(/`/g, "'")}||`;
    case 'mud':
    case 'console':
      return `💭 ${label}: ${short}`;
  }
}

/** The surface the relay writes the answer to: everything passes through but the first send. */
class StatusReplacingSurface implements Surface {
  private first = true;

  constructor(
    private readonly target: Surface,
    private readonly display: ReasoningDisplay,
  ) {}

  get platform() {
    return this.target.platform;
  }
  get channel() {
    return this.target.channel;
  }
  get limits() {
    return this.target.limits;
  }
  get commandPrefix() {
    return this.target.commandPrefix;
  }

  send(text: string, opts?: EditOptions): Promise<MessageRef> {
    if (!this.first) return this.target.send(text, opts);
    this.first = false;
    return this.display.sendFirst(text, opts);
  }
  edit(ref: MessageRef, text: string, opts?: EditOptions): Promise<void> {
    return this.target.edit(ref, text, opts);
  }
  sendImage(...args: Parameters<Surface['sendImage']>): Promise<void> {
    return this.target.sendImage(...args);
  }
  sendAudio(...args: Parameters<Surface['sendAudio']>): Promise<void> {
    return this.target.sendAudio(...args);
  }
  typing(...args: Parameters<Surface['typing']>): Promise<void> {
    return this.target.typing(...args);
  }
}
