// Flood control per platform chat. When a platform answers "too many requests, retry after N",
// every write to that chat fails again until then, so the whole chat waits, not just the call
// that was refused. One gate per chat, shared by every reply in it (a reply session asks it
// before each write; see reply-session.ts).
import { LRUCache } from 'lru-cache';

/** Chats whose flood state is remembered; old quiet chats fall out. */
const MAX_TRACKED_CHATS = 10_000;

export class FloodGate {
  /** Epoch ms before which writes to this chat are refused by the platform. */
  private blockedUntil = 0;

  /** Records a refusal: nothing goes to this chat for `retryAfterMs`. */
  block(retryAfterMs: number): void {
    this.blockedUntil = Math.max(this.blockedUntil, Date.now() + retryAfterMs);
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

/** The gates of one adapter, by chat. */
export class FloodGates {
  private readonly gates = new LRUCache<string, FloodGate>({ max: MAX_TRACKED_CHATS });

  for(chat: number | string): FloodGate {
    const key = String(chat);
    let gate = this.gates.get(key);
    if (!gate) {
      gate = new FloodGate();
      this.gates.set(key, gate);
    }
    return gate;
  }
}
