// Flood control per chat. Telegram answers 429 with retry_after when a chat gets too many
// sends/edits; until then every write to that chat fails again, so the whole chat waits, not
// just the call that got the 429. One pacer per chat, shared by every reply in it.
import { LRUCache } from 'lru-cache';

/** Chats whose flood state is remembered; old quiet chats fall out. */
const MAX_TRACKED_CHATS = 10_000;

export class ChatPacer {
  /** Epoch ms before which writes to this chat are refused by Telegram. */
  private blockedUntil = 0;

  constructor(private readonly unitMs: number) {}

  /** Records a 429: nothing goes to this chat for `retryAfterSec` Telegram seconds. */
  block(retryAfterSec: number): void {
    this.blockedUntil = Math.max(this.blockedUntil, Date.now() + retryAfterSec * this.unitMs);
  }

  get blocked(): boolean {
    return Date.now() < this.blockedUntil;
  }

  /** Resolves once the chat may be written to again (at once when it is not blocked). */
  async ready(): Promise<void> {
    while (this.blocked) {
      await new Promise((r) => setTimeout(r, this.blockedUntil - Date.now()));
    }
  }
}

export class ChatPacers {
  private readonly pacers = new LRUCache<string, ChatPacer>({ max: MAX_TRACKED_CHATS });

  /** @param unitMs length of one retry_after "second" (1000; tests shrink it). */
  constructor(private readonly unitMs = 1_000) {}

  for(chatId: number | string): ChatPacer {
    const key = String(chatId);
    let pacer = this.pacers.get(key);
    if (!pacer) {
      pacer = new ChatPacer(this.unitMs);
      this.pacers.set(key, pacer);
    }
    return pacer;
  }
}
