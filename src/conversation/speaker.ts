// How the core says its own lines on a surface: looked up in the locale, delivered through the
// relay (so they split and pace like answers).
import type { StreamRelay } from '../relay/index.js';
import type { Surface } from '../types.js';
import { errorLine } from './errors.js';
import { t, type Locale, type MessageId } from './messages.js';

export type LineParams = Record<string, string | number>;

export class Speaker {
  constructor(
    readonly relay: StreamRelay,
    readonly locale: Locale,
  ) {}

  line(id: MessageId, params?: LineParams): string {
    return t(this.locale, id, params);
  }

  /** A provider or network error as one short line. */
  describe(err: unknown): string {
    return errorLine(this.locale, err);
  }

  async say(surface: Surface, id: MessageId, params?: LineParams): Promise<void> {
    await this.sayText(surface, this.line(id, params));
  }

  async sayText(surface: Surface, text: string): Promise<void> {
    await this.relay.deliver(text, surface, { final: true });
  }
}
