// Prometheus metrics fed by OpsEvents. Names and units follow Prometheus conventions: a
// `parley_` prefix, seconds, `_total` on counters; labels only with small fixed value sets
// (platform, outcome, error kind), never a channel or user.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Platform } from '../types.js';
import type { OpsEvent, OpsEvents } from './events.js';

/** From a fast first token to a long answer paced out line by line on a MUD. */
const LATENCY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64, 128];
const WAIT_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 120];

export interface MetricsSources {
  events: OpsEvents;
  /** Messages waiting behind a reply in flight (read at scrape time). */
  queueDepth: () => number;
  /** Surface up/down and MUD link, read at scrape time. */
  surfaces: () => ReadonlyArray<{ platform: Platform; up: boolean }>;
}

export interface Metrics {
  registry: Registry;
  /** The exposition text for /metrics. */
  render(): Promise<string>;
  contentType: string;
  stop(): void;
}

export function createMetrics(src: MetricsSources): Metrics {
  const registry = new Registry();
  // process_* and nodejs_* under their conventional names, so stock dashboards work.
  collectDefaultMetrics({ register: registry });
  // Gauges that prom-client names `_total`, which promtool rejects; the per-type series stay.
  for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) {
    registry.removeSingleMetric(name);
  }
  const instruments = eventInstruments(registry);
  sampledGauges(registry, src);
  const platformOf = new Map<number, Platform>();
  const unsubscribe = src.events.on((e) => record(instruments, platformOf, e));
  return {
    registry,
    contentType: registry.contentType,
    render: () => registry.metrics(),
    stop: unsubscribe,
  };
}

/** The counters, histograms and gauges events move. */
function eventInstruments(registry: Registry) {
  const replies = new Counter({
    name: 'parley_replies_total',
    help: 'Streamed replies by platform and outcome (ok, error, stopped).',
    labelNames: ['platform', 'outcome'] as const,
    registers: [registry],
  });
  const histogram = (name: string, help: string, buckets = LATENCY_BUCKETS) =>
    new Histogram({ name, help, labelNames: ['platform'] as const, buckets, registers: [registry] });
  const firstToken = histogram('parley_reply_first_token_seconds', 'From the reply starting to the first token from the provider.');
  const firstText = histogram('parley_reply_first_text_seconds', 'From the reply starting to the first text sent to the platform.');
  const finalText = histogram('parley_reply_final_text_seconds', 'From the reply starting to the final text on the platform.');
  const queueWait = histogram('parley_queue_wait_seconds', 'Time a message waited behind the reply in flight on its channel.', WAIT_BUCKETS);
  const providerErrors = new Counter({
    name: 'parley_provider_errors_total',
    help: 'Provider failures during a reply, by error kind.',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  const rateLimits = new Counter({
    name: 'parley_platform_rate_limits_total',
    help: 'HTTP 429 answers (rate limits) from a chat platform.',
    labelNames: ['platform'] as const,
    registers: [registry],
  });
  const retries = new Counter({
    name: 'parley_platform_retries_total',
    help: 'Platform calls retried after a rate limit or a transient failure.',
    labelNames: ['platform'] as const,
    registers: [registry],
  });
  const tokens = new Counter({
    name: 'parley_tokens_total',
    help: 'Tokens used by replies, by platform and type (prompt, completion).',
    labelNames: ['platform', 'type'] as const,
    registers: [registry],
  });
  const mudReconnects = new Counter({
    name: 'parley_mud_reconnects_total',
    help: 'Times the MUD character got back into the game after losing the link.',
    registers: [registry],
  });
  const inFlight = new Gauge({
    name: 'parley_replies_in_flight',
    help: 'Replies streaming right now.',
    labelNames: ['platform'] as const,
    registers: [registry],
  });
  return { replies, firstToken, firstText, finalText, queueWait, providerErrors, rateLimits, retries, tokens, mudReconnects, inFlight };
}

type Instruments = ReturnType<typeof eventInstruments>;

/** Gauges read from the process's state when scraped. */
function sampledGauges(registry: Registry, src: MetricsSources): void {
  new Gauge({
    name: 'parley_queue_depth',
    help: 'Messages waiting behind a reply in flight, over all channels.',
    registers: [registry],
    collect() {
      this.set(src.queueDepth());
    },
  });
  new Gauge({
    name: 'parley_surface_up',
    help: '1 when the surface is serving (gateway ready, polling, logged in), else 0.',
    labelNames: ['platform'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const s of src.surfaces()) this.set({ platform: s.platform }, s.up ? 1 : 0);
    },
  });
  new Gauge({
    name: 'parley_mud_link_up',
    help: '1 when the MUD character is logged in, else 0; absent without a MUD.',
    registers: [registry],
    collect() {
      this.reset();
      const mud = src.surfaces().find((s) => s.platform === 'mud');
      if (mud) this.set(mud.up ? 1 : 0);
    },
  });
}

/** `platformOf` remembers each reply's platform from its start, for the events that follow. */
function record(m: Instruments, platformOf: Map<number, Platform>, e: OpsEvent): void {
  switch (e.type) {
    case 'reply.started':
      platformOf.set(e.id, e.platform);
      m.inFlight.inc({ platform: e.platform });
      return;
    case 'reply.first_token':
    case 'reply.first_text': {
      const platform = platformOf.get(e.id);
      if (platform) (e.type === 'reply.first_token' ? m.firstToken : m.firstText).observe({ platform }, e.ms / 1000);
      return;
    }
    case 'reply.final': {
      const platform = platformOf.get(e.id);
      platformOf.delete(e.id);
      if (!platform) return;
      m.inFlight.dec({ platform });
      m.replies.inc({ platform, outcome: e.outcome });
      if (e.outcome === 'ok') m.finalText.observe({ platform }, e.ms / 1000);
      if (e.outcome === 'error' && e.errorKind && e.errorKind !== 'delivery') m.providerErrors.inc({ kind: e.errorKind });
      if (e.promptTokens) m.tokens.inc({ platform, type: 'prompt' }, e.promptTokens);
      if (e.completionTokens) m.tokens.inc({ platform, type: 'completion' }, e.completionTokens);
      return;
    }
    case 'platform.rate_limited':
      m.rateLimits.inc({ platform: e.platform });
      return;
    case 'platform.retry':
      m.retries.inc({ platform: e.platform });
      return;
    case 'queue.wait':
      m.queueWait.observe({ platform: e.platform }, e.ms / 1000);
      return;
    case 'mud.reconnect':
      m.mudReconnects.inc();
      return;
    // Gauges that sample state when scraped, or nothing to count.
    case 'reply.progress':
    case 'surface.state':
    case 'mud.link':
    case 'shutdown':
      return;
  }
}
