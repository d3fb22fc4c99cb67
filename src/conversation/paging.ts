// `more`: the lines a line-mode surface held back past its cap, per channel, and the next page
// of them on request. The relay's line writer decides what is held back (RelayResult.pendingLines);
// this module owns keeping them, the hint, and sending the next page.
import { LRUCache } from 'lru-cache';
import type { RelayResult } from '../relay/index.js';
import type { ChannelKey, Surface } from '../types.js';
import type { Speaker } from './speaker.js';

/** Channels whose held-back lines are remembered; the oldest are forgotten first. */
const CHANNELS_REMEMBERED = 5_000;

export class Paging {
  private readonly pending = new LRUCache<ChannelKey, string[]>({ max: CHANNELS_REMEMBERED });

  constructor(private readonly speaker: Speaker) {}

  /** After an answer (or a page): keeps what was held back and says how to see it, or forgets. */
  async keep(channel: ChannelKey, result: Pick<RelayResult, 'pendingLines'>, surface: Surface): Promise<void> {
    if (result.pendingLines && result.pendingLines.length > 0) {
      this.pending.set(channel, result.pendingLines);
      await this.speaker.say(surface, 'more_hint');
    } else {
      this.pending.delete(channel);
    }
  }

  /** Sends the next page, or says there is nothing more. */
  async more(channel: ChannelKey, surface: Surface): Promise<void> {
    const lines = this.pending.get(channel);
    if (!lines || lines.length === 0) return this.speaker.say(surface, 'no_more');
    await this.keep(channel, await this.speaker.relay.deliverLines(lines, surface), surface);
  }

  forget(channel: ChannelKey): void {
    this.pending.delete(channel);
  }
}
