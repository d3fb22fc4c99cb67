// The one observation hook of the service: the manager, the relay and the adapters emit typed
// events here; metrics and the status page subscribe. The core emits without knowing who listens,
// and a listener that throws never breaks a reply.
import type { ChannelKey, Platform } from '../types.js';

/** Lifecycle of a surface as readiness sees it. */
export type SurfaceState = 'starting' | 'up' | 'down';

export type ReplyOutcome = 'ok' | 'error' | 'stopped';

export type OpsEvent =
  | { type: 'reply.started'; id: number; platform: Platform; channel: ChannelKey; at: number }
  /** The first delta from the provider. */
  | { type: 'reply.first_token'; id: number; ms: number }
  /** The first text the user can see (first send to the platform). */
  | { type: 'reply.first_text'; id: number; ms: number }
  /** Deltas received so far (one delta ≈ one token), emitted as they arrive. */
  | { type: 'reply.progress'; id: number; tokens: number }
  | {
      type: 'reply.final';
      id: number;
      ms: number;
      outcome: ReplyOutcome;
      /** Provider error kind (src/llm/errors.ts) when the outcome is 'error'. */
      errorKind?: string;
      promptTokens?: number;
      completionTokens: number;
      /** The reply text; the status page shows it only with OPS_SHOW_CONTENT=on. */
      text: string;
    }
  | { type: 'surface.state'; platform: Platform; state: SurfaceState; detail?: string }
  /** The platform answered 429 (or its library reported a rate limit). */
  | { type: 'platform.rate_limited'; platform: Platform }
  /** A platform call was retried. */
  | { type: 'platform.retry'; platform: Platform }
  /** A queued message began its work after waiting `ms` behind others. */
  | { type: 'queue.wait'; platform: Platform; ms: number }
  | { type: 'mud.link'; up: boolean }
  | { type: 'mud.reconnect' }
  /** Shutdown began: readiness turns 503 at once. */
  | { type: 'shutdown' };

export type OpsListener = (event: OpsEvent) => void;

export class OpsEvents {
  private readonly listeners = new Set<OpsListener>();
  private nextReplyId = 1;

  /** Subscribes; returns the unsubscribe function. */
  on(listener: OpsListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: OpsEvent): void {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch {
        // Observation must never break the work it observes.
      }
    }
  }

  /** A new id for one reply's events. */
  replyId(): number {
    return this.nextReplyId++;
  }

  /**
   * Wraps a queued task so that, when it starts, its waiting time is reported.
   * The clock starts when the task is created, i.e. when the message reached the queue.
   */
  timeWaiting<A extends unknown[], R>(platform: Platform, task: (...args: A) => R): (...args: A) => R {
    const queuedAt = performance.now();
    return (...args: A) => {
      this.emit({ type: 'queue.wait', platform, ms: performance.now() - queuedAt });
      return task(...args);
    };
  }
}
