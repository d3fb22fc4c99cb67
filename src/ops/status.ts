// What the status page shows, kept from OpsEvents: replies in flight, the last replies with
// their latencies, errors by kind over the last hour, today's tokens. Message text is kept only
// when the operator asked for it (OPS_SHOW_CONTENT=on).
import type { ChannelKey, Platform } from '../types.js';
import type { OpsEvents, ReplyOutcome } from './events.js';
import type { SurfaceMonitor, SurfaceStatus } from './surfaces.js';

const RECENT_REPLIES = 20;
const ERROR_WINDOW_MS = 3600_000;
/** Shown text is cut here: the page is a glance, not a transcript. */
const TEXT_PREVIEW_CHARS = 200;

export interface ReplyInFlight {
  id: number;
  platform: Platform;
  channel: ChannelKey;
  startedAt: number;
  tokens: number;
}

export interface FinishedReply {
  platform: Platform;
  channel: ChannelKey;
  at: number;
  outcome: ReplyOutcome;
  errorKind?: string;
  firstTokenMs?: number;
  firstTextMs?: number;
  finalMs: number;
  tokens: number;
  /** Only with OPS_SHOW_CONTENT=on. */
  text?: string;
}

export interface StatusSnapshot {
  now: number;
  ready: boolean;
  shuttingDown: boolean;
  surfaces: SurfaceStatus[];
  inFlight: ReplyInFlight[];
  recent: FinishedReply[];
  /** Error kind -> count over the last hour. */
  errorsLastHour: Record<string, number>;
  tokensToday: number;
  /** Undefined without a MUD surface. */
  mudLink?: 'up' | 'down';
  showContent: boolean;
}

interface Timings {
  firstTokenMs?: number;
  firstTextMs?: number;
}

export class StatusBoard {
  private readonly inFlight = new Map<number, ReplyInFlight & Timings>();
  private readonly recent: FinishedReply[] = [];
  private errors: Array<{ at: number; kind: string }> = [];
  private tokens = { day: '', count: 0 };
  private readonly changeListeners = new Set<() => void>();
  private readonly unsubscribe: () => void;

  constructor(
    events: OpsEvents,
    private readonly surfaces: SurfaceMonitor,
    private readonly opts: { showContent: boolean; isReady: () => boolean },
  ) {
    this.unsubscribe = events.on((e) => {
      switch (e.type) {
        case 'reply.started':
          this.inFlight.set(e.id, { id: e.id, platform: e.platform, channel: e.channel, startedAt: e.at, tokens: 0 });
          break;
        case 'reply.first_token':
        case 'reply.first_text': {
          const r = this.inFlight.get(e.id);
          if (r && e.type === 'reply.first_token') r.firstTokenMs = e.ms;
          if (r && e.type === 'reply.first_text') r.firstTextMs = e.ms;
          break;
        }
        case 'reply.progress': {
          const r = this.inFlight.get(e.id);
          if (r) r.tokens = e.tokens;
          break;
        }
        case 'reply.final': {
          const r = this.inFlight.get(e.id);
          this.inFlight.delete(e.id);
          if (!r) break;
          const used = (e.promptTokens ?? 0) + e.completionTokens;
          this.addTokens(used);
          if (e.outcome === 'error') this.errors.push({ at: Date.now(), kind: e.errorKind ?? 'unknown' });
          this.recent.unshift({
            platform: r.platform,
            channel: r.channel,
            at: Date.now(),
            outcome: e.outcome,
            errorKind: e.errorKind,
            firstTokenMs: r.firstTokenMs,
            firstTextMs: r.firstTextMs,
            finalMs: e.ms,
            tokens: used,
            ...(this.opts.showContent ? { text: e.text.slice(0, TEXT_PREVIEW_CHARS) } : {}),
          });
          this.recent.length = Math.min(this.recent.length, RECENT_REPLIES);
          break;
        }
        case 'surface.state':
        case 'mud.link':
        case 'shutdown':
          break;
        case 'platform.rate_limited':
        case 'platform.retry':
        case 'queue.wait':
        case 'mud.reconnect':
          return; // counters only the metrics keep
      }
      for (const l of this.changeListeners) l();
    });
  }

  /** Called after every change the page shows. */
  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  get busy(): boolean {
    return this.inFlight.size > 0;
  }

  snapshot(now = Date.now()): StatusSnapshot {
    const surfaces = this.surfaces.sample();
    this.errors = this.errors.filter((e) => now - e.at < ERROR_WINDOW_MS);
    const errorsLastHour: Record<string, number> = {};
    for (const e of this.errors) errorsLastHour[e.kind] = (errorsLastHour[e.kind] ?? 0) + 1;
    const mud = surfaces.find((s) => s.platform === 'mud');
    return {
      now,
      ready: this.opts.isReady(),
      shuttingDown: this.surfaces.shuttingDown,
      surfaces,
      inFlight: [...this.inFlight.values()].map(({ id, platform, channel, startedAt, tokens }) => ({ id, platform, channel, startedAt, tokens })),
      recent: [...this.recent],
      errorsLastHour,
      tokensToday: this.tokens.day === utcDay(now) ? this.tokens.count : 0,
      mudLink: mud ? (mud.up ? 'up' : 'down') : undefined,
      showContent: this.opts.showContent,
    };
  }

  close(): void {
    this.unsubscribe();
    this.changeListeners.clear();
  }

  private addTokens(n: number): void {
    const day = utcDay(Date.now());
    if (this.tokens.day !== day) this.tokens = { day, count: 0 };
    this.tokens.count += n;
  }
}

/** Days start at midnight UTC, like the daily token budget. */
function utcDay(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}
