// One MUD conversation scope (a tell with alice, the room, a channel) as a line-mode Transport.
// Each line becomes one command from the trigger's reply template ("tell {speaker} {line}"),
// sanitized so model text stays data, wrapped so template + text fits `maxCommandBytes` after
// encoding (the relay wraps already; wrapping again here also covers notices and image URLs),
// and handed to the connection's shared paced writer. MudSurface is the reply session over it.
import { t, type Locale } from '../../src/conversation/messages.js';
import type { Logger } from '../../src/log.js';
import { ReplySession } from '../../src/relay/reply-session.js';
import { SurfaceError, type ChannelKey, type SurfaceLimits, type Transport, type Upload } from '../../src/types.js';
import type { Profile } from './profile.js';
import { expandTemplate } from './profile.js';
import { encodedLength, sanitizeLine } from './sanitize.js';
import { wrapLine } from '../../src/relay/index.js';

/** Line mode has no edits; maxChars only bounds what one post may carry. */
const LINE_MODE_MAX_CHARS = 4_000;

export interface MudSurfaceOptions {
  channel: ChannelKey;
  profile: Profile;
  /** Reply template for this scope, e.g. 'tell {speaker} {line}'. */
  replyTemplate: string;
  speaker: string;
  /** LOCALE: the surface's own notices (image, sound) are in the user's language too. */
  locale: Locale;
  /** The connection's paced writer: resolves once the command is on the wire. */
  write: (command: string) => Promise<void>;
  /** Called with every text line we send, so the bridge can recognise its own echoes. */
  onSent?: (line: string) => void;
  logger: Logger;
}

export class MudTransport implements Transport<number> {
  readonly platform = 'mud' as const;
  readonly channel: ChannelKey;
  readonly commandPrefix = '';
  readonly limits: SurfaceLimits;
  private nextRef = 1;

  constructor(private readonly opts: MudSurfaceOptions) {
    this.channel = opts.channel;
    const { profile } = opts;
    this.limits = {
      maxChars: LINE_MODE_MAX_CHARS,
      canEdit: false,
      minEditIntervalMs: 0,
      audio: false,
      lineMode: {
        width: profile.wrap,
        pacingMs: profile.pacingMs,
        maxLines: profile.maxLines,
        fits: (line) => this.fits(this.clean(line)),
      },
    };
  }

  /** Does this (already clean) line fit one command once templated and encoded? */
  fits(line: string): boolean {
    return encodedLength(this.command(line), this.opts.profile.encoding) <= this.opts.profile.maxCommandBytes;
  }

  /** The command that carries one line. */
  command(line: string): string {
    return expandTemplate(this.opts.replyTemplate, { speaker: this.opts.speaker, line, name: this.opts.profile.name });
  }

  async post(text: string): Promise<number> {
    const writes: Promise<void>[] = [];
    for (const raw of text.split(/\r\n|\r|\n/)) {
      const clean = this.clean(raw);
      if (!clean) continue;
      for (const line of wrapLine(clean, this.opts.profile.wrap, (l) => this.fits(l))) {
        this.opts.onSent?.(line);
        writes.push(this.opts.write(this.command(line)));
      }
    }
    try {
      await Promise.all(writes);
    } catch (err) {
      // The connection is closed or closing: trying again in this reply would fail the same way.
      throw new SurfaceError('refused', err instanceof Error ? err.message : String(err), { cause: err });
    }
    return this.nextRef++;
  }

  async patch(): Promise<void> {
    // canEdit is false: the relay sends whole lines instead. Nothing to rewrite in a MUD.
  }

  /** No files in a MUD: an image becomes its URL line, sound a notice. No typing either (an emote per reply would spam the room). */
  async upload(item: Upload): Promise<void> {
    const { locale } = this.opts;
    if (item.kind === 'audio') return void (await this.post(t(locale, 'voice_unavailable')));
    const { image, caption } = item;
    const lines = [image.url ? t(locale, 'image_url_only', { url: image.url }) : t(locale, 'image_no_url')];
    if (caption) lines.push(caption);
    await this.post(lines.join('\n'));
  }

  private clean(text: string): string {
    const { encoding, commandSeparators } = this.opts.profile;
    return sanitizeLine(text, { encoding, commandSeparators });
  }
}

/** One reply in one MUD scope. */
export class MudSurface extends ReplySession<number> {
  constructor(opts: MudSurfaceOptions) {
    super(new MudTransport(opts), { logger: opts.logger });
  }
}
