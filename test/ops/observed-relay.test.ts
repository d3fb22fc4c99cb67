// ObservedRelay: what each streamed reply reports to OpsEvents (and so to the metrics), and
// that observing a stream does not delay a stop reaching the provider.
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { OpsEvents, type OpsEvent } from '../../src/ops/events.js';
import { createMetrics } from '../../src/ops/metrics.js';
import { ObservedRelay } from '../../src/ops/observed-relay.js';
import type { MessageRef, Surface } from '../../src/types.js';
import { promtoolCheck } from './helpers.js';

function recordingSurface(): Surface & { sent: string[] } {
  const sent: string[] = [];
  return {
    platform: 'telegram',
    channel: 'telegram:1',
    limits: { maxChars: 4096, canEdit: true, minEditIntervalMs: 0 },
    commandPrefix: '/',
    sent,
    async send(text: string): Promise<MessageRef> {
      sent.push(text);
      return sent.length;
    },
    async edit(_ref: MessageRef, text: string) {
      sent.push(text);
    },
    async sendImage() {},
    async sendAudio() {},
    async typing() {},
  };
}

async function* deltas(parts: string[], fail?: Error) {
  for (const p of parts) yield p;
  if (fail) throw fail;
}

function setup() {
  const events = new OpsEvents();
  const seen: OpsEvent[] = [];
  events.on((e) => seen.push(e));
  const relay = new ObservedRelay(events, { logger: createLogger('silent') });
  return { events, seen, relay };
}

describe('ObservedRelay', () => {
  it('reports start, first token, first text, progress and an ok final with the text', async () => {
    const { seen, relay } = setup();
    const surface = recordingSurface();
    const result = await relay.pipe(deltas(['one ', 'two ', 'three']), surface);
    expect(result.text).toBe('one two three');
    const types = seen.map((e) => e.type);
    expect(types[0]).toBe('reply.started');
    expect(types.filter((t) => t === 'reply.first_token')).toHaveLength(1);
    expect(types.filter((t) => t === 'reply.first_text')).toHaveLength(1);
    expect(types.indexOf('reply.first_token')).toBeLessThan(types.indexOf('reply.first_text'));
    expect(seen.filter((e) => e.type === 'reply.progress').map((e) => (e as { tokens: number }).tokens)).toEqual([1, 2, 3]);
    expect(seen.at(-1)).toMatchObject({ type: 'reply.final', outcome: 'ok', completionTokens: 3, text: 'one two three' });
    expect(surface.sent.at(-1)).toBe('one two three');
  });

  it('reports a provider failure by its kind, and the metrics count it (promtool-clean)', async () => {
    const { events, seen, relay } = setup();
    const metrics = createMetrics({ events, queueDepth: () => 2, surfaces: () => [{ platform: 'mud', up: false }] });
    const err = Object.assign(new Error('slow down'), { kind: 'rate_limit' });
    await relay.pipe(deltas(['partial'], err), recordingSurface());
    expect(seen.at(-1)).toMatchObject({ type: 'reply.final', outcome: 'error', errorKind: 'rate_limit' });
    const text = await metrics.render();
    expect(text).toContain('parley_provider_errors_total{kind="rate_limit"} 1');
    expect(text).toContain('parley_replies_total{platform="telegram",outcome="error"} 1');
    expect(text).toContain('parley_replies_in_flight{platform="telegram"} 0');
    expect(text).toContain('parley_queue_depth 2');
    expect(text).toContain('parley_mud_link_up 0');
    expect(await promtoolCheck(text)).toEqual({ code: 0, output: '' });
    metrics.stop();
  });

  it('passes a stop straight to the provider stream while a delta is pending', async () => {
    const { seen, relay } = setup();
    let returned = false;
    let pending!: () => void;
    const secondNextCalled = new Promise<void>((resolve) => (pending = resolve));
    const stalled: AsyncIterable<string> = {
      [Symbol.asyncIterator]() {
        let calls = 0;
        return {
          next: () => {
            calls += 1;
            if (calls === 1) return Promise.resolve({ done: false, value: 'hi' });
            pending();
            return new Promise<IteratorResult<string>>(() => {}); // the provider goes quiet
          },
          return: async () => {
            returned = true;
            return { done: true, value: undefined };
          },
        };
      },
    };
    const stop = new AbortController();
    const piping = relay.pipe(stalled, recordingSurface(), { signal: stop.signal });
    await secondNextCalled;
    stop.abort();
    const result = await piping;
    expect(result.aborted).toBe(true);
    expect(returned).toBe(true);
    expect(seen.at(-1)).toMatchObject({ type: 'reply.final', outcome: 'stopped' });
  });
});
