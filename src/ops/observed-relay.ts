// A StreamRelay that reports each streamed reply to OpsEvents: start, first token, first visible
// text, progress and the outcome. The manager keeps calling relay.pipe() as before; createCore
// hands it this relay, so the manager needs no observation code of its own.
import type { Usage } from '../llm/types.js';
import { StreamRelay, type RelayOptions, type RelayResult, type StreamRelayDeps } from '../relay/relay.js';
import type { MessageRef, Surface } from '../types.js';
import type { OpsEvents } from './events.js';

interface ActiveReply {
  id: number;
  startedAt: number;
  textShown: boolean;
}

export class ObservedRelay extends StreamRelay {
  /** The reply streaming on each surface; one at a time per channel (the queue's rule). */
  private readonly active = new WeakMap<Surface, ActiveReply>();
  /** One stable wrapper per surface, so per-surface state in the relay (line pacers) still holds. */
  private readonly wrapped = new WeakMap<Surface, Surface>();

  constructor(
    private readonly events: OpsEvents,
    deps: StreamRelayDeps = {},
  ) {
    super(deps);
  }

  override async pipe(deltas: AsyncIterable<string>, surface: Surface, opts: RelayOptions = {}): Promise<RelayResult> {
    const reply: ActiveReply = { id: this.events.replyId(), startedAt: performance.now(), textShown: false };
    this.events.emit({ type: 'reply.started', id: reply.id, platform: surface.platform, channel: surface.channel, at: Date.now() });
    this.active.set(surface, reply);
    let tokens = 0;
    const counted = countDeltas(deltas, () => {
      tokens += 1;
      if (tokens === 1) this.events.emit({ type: 'reply.first_token', id: reply.id, ms: performance.now() - reply.startedAt });
      this.events.emit({ type: 'reply.progress', id: reply.id, tokens });
    });
    let result: RelayResult | undefined;
    try {
      result = await super.pipe(counted, this.observe(surface), opts);
      return result;
    } finally {
      if (this.active.get(surface) === reply) this.active.delete(surface);
      const usage = (deltas as { usage?: Usage }).usage;
      const error = result?.error ?? result?.deliveryError;
      this.events.emit({
        type: 'reply.final',
        id: reply.id,
        ms: performance.now() - reply.startedAt,
        outcome: !result ? 'error' : result.aborted ? 'stopped' : error !== undefined ? 'error' : 'ok',
        errorKind: result?.error !== undefined ? errorKind(result.error) : result?.deliveryError !== undefined ? 'delivery' : undefined,
        promptTokens: usage?.promptTokens,
        completionTokens: usage?.completionTokens ?? tokens,
        text: result?.text ?? '',
      });
    }
  }

  /** The surface with send/edit reporting the first visible text of the reply in progress. */
  private observe(surface: Surface): Surface {
    let proxy = this.wrapped.get(surface);
    if (proxy) return proxy;
    const shown = () => {
      const reply = this.active.get(surface);
      if (!reply || reply.textShown) return;
      reply.textShown = true;
      this.events.emit({ type: 'reply.first_text', id: reply.id, ms: performance.now() - reply.startedAt });
    };
    proxy = new Proxy(surface, {
      get(target, prop) {
        if (prop === 'send') {
          return async (...args: Parameters<Surface['send']>): Promise<MessageRef> => {
            const ref = await target.send(...args);
            shown();
            return ref;
          };
        }
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    this.wrapped.set(surface, proxy);
    return proxy;
  }
}

/** The provider's error kind (src/llm/errors.ts), or 'unknown'. */
export function errorKind(err: unknown): string {
  const kind = typeof err === 'object' && err !== null ? (err as { kind?: unknown }).kind : undefined;
  return typeof kind === 'string' ? kind : 'unknown';
}

/**
 * Calls `onDelta` per delta. A plain iterator rather than an async generator, so that a stop's
 * return() reaches the provider stream at once instead of queueing behind a pending next().
 */
function countDeltas(deltas: AsyncIterable<string>, onDelta: () => void): AsyncIterable<string> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<string> {
      const inner = deltas[Symbol.asyncIterator]();
      return {
        async next() {
          const r = await inner.next();
          if (!r.done) onDelta();
          return r;
        },
        async return(value?: unknown) {
          return (await inner.return?.(value)) ?? { done: true, value: undefined };
        },
      };
    },
  };
}
