// The provider's model catalog as the `model` command shows it: chat models first, then image,
// speech, transcription, embedding and moderation models apart, since relays list them all
// under one /models. A model that is clearly not for chat is only set after a confirmation.
import { LRUCache } from 'lru-cache';
import type { Logger } from '../log.js';
import type { LlmClient } from '../llm/types.js';
import type { ChannelKey } from '../types.js';
import type { MessageId } from './messages.js';

export type ModelKind = 'chat' | 'image' | 'speech' | 'transcription' | 'embedding' | 'moderation' | 'other';

/** Display order: chat first. */
export const MODEL_KINDS: readonly ModelKind[] = ['chat', 'image', 'speech', 'transcription', 'embedding', 'moderation', 'other'];

/** `x` as a whole part of a model id: between start/end and `-`, `_`, `.`, `/`, `:`. */
const part = (x: string) => new RegExp(`(?:^|[-_./:])(?:${x})(?:$|[-_./:])`);

/**
 * Id patterns, checked in order (text-embedding-ada-002 is an embedding model before it is an
 * old completion model; gpt-4o-mini-transcribe is transcription, not chat). Anything else is chat:
 * relays invent chat model names daily, other kinds follow these few conventions.
 */
const KIND_PATTERNS: Array<[ModelKind, RegExp]> = [
  ['embedding', /embed|text-similarity|text-search/],
  ['embedding', part('bge|m3e|gte|e5')],
  ['moderation', /moderation/],
  ['transcription', /whisper|transcri/],
  ['transcription', part('stt|asr')],
  ['speech', /text-to-speech/],
  ['speech', part('tts|speech')],
  ['image', /dall-e|gpt-image|stable-diffusion|midjourney|imagen|image-generation|cogview|kolors|seedream/],
  ['image', part('sd|sdxl|sd3|mj|flux')],
  // Realtime and legacy completion models do not take chat/completions; rerankers and video neither.
  ['other', /realtime|rerank|instruct$|sora|veo/],
  ['other', /^(?:babbage|davinci|curie|ada)(?:-\d+)?$/],
];

export function classifyModel(id: string): ModelKind {
  const s = id.toLowerCase();
  for (const [kind, re] of KIND_PATTERNS) if (re.test(s)) return kind;
  return 'chat';
}

/** Ids grouped by kind, in MODEL_KINDS order, empty groups left out; ids keep their order. */
export function groupModels(ids: readonly string[]): Array<{ kind: ModelKind; ids: string[] }> {
  const groups = new Map<ModelKind, string[]>();
  for (const id of ids) {
    const kind = classifyModel(id);
    groups.set(kind, [...(groups.get(kind) ?? []), id]);
  }
  return MODEL_KINDS.filter((k) => groups.has(k)).map((kind) => ({ kind, ids: groups.get(kind)! }));
}

/** Chat models named in a `model` answer (relays list hundreds); the rest are counted. */
export const CHAT_MODELS_LISTED = 40;
/** Other kinds matter less here: a few names each. */
export const OTHER_MODELS_LISTED = 10;
/** How long the provider's model list is trusted before asking again. */
const MODELS_CACHE_MS = 5 * 60_000;
/** How long "send it again to confirm" holds for a non-chat model. */
export const MODEL_CONFIRM_MS = 2 * 60_000;
const PENDING_CONFIRMATIONS = 5_000;

/** "a, b, c (+N)". */
export function nameSome(ids: readonly string[], max: number): string {
  const shown = ids.slice(0, max);
  return shown.join(', ') + (ids.length > shown.length ? ` (+${ids.length - shown.length})` : '');
}

export type Say = (id: MessageId, params?: Record<string, string | number>) => string;

export class ModelCatalog {
  private cache?: { at: number; ids: string[] };
  /** Per channel: the non-chat model a user was asked to confirm. */
  private readonly pending = new LRUCache<ChannelKey, string>({ max: PENDING_CONFIRMATIONS, ttl: MODEL_CONFIRM_MS });

  constructor(
    private readonly llm: LlmClient,
    private readonly logger: Logger,
  ) {}

  /** The provider's model ids, chat models first, cached; [] when the provider cannot list them. */
  async list(): Promise<string[]> {
    if (this.cache && Date.now() - this.cache.at < MODELS_CACHE_MS) return this.cache.ids;
    try {
      const models = await this.llm.listModels();
      const sorted = models.map((m) => m.id).sort();
      const ids = groupModels(sorted).flatMap((g) => g.ids);
      this.cache = { at: Date.now(), ids };
      return ids;
    } catch (err) {
      this.logger.warn({ err }, 'could not list models');
      return [];
    }
  }

  /** The `model` answer: the current model, then one line per kind, chat first. */
  async describe(current: string, say: Say): Promise<string> {
    const lines = [say('model_current', { model: current })];
    for (const { kind, ids } of groupModels(await this.list())) {
      const max = kind === 'chat' ? CHAT_MODELS_LISTED : OTHER_MODELS_LISTED;
      lines.push(say('model_list_kind', { kind: say(`model_kind.${kind}`), models: nameSome(ids, max) }));
    }
    return lines.join('\n');
  }

  /**
   * Whether `name` may be set on `channel` now. A chat model may; another kind only when the same
   * name was asked for just before (the user saw the warning and insists).
   */
  confirmNonChat(channel: ChannelKey, name: string): { ok: true } | { ok: false; kind: Exclude<ModelKind, 'chat'> } {
    const kind = classifyModel(name);
    if (kind === 'chat') return { ok: true };
    if (this.pending.get(channel) === name) {
      this.pending.delete(channel);
      return { ok: true };
    }
    this.pending.set(channel, name);
    return { ok: false, kind };
  }

}

/** The warning for a non-chat model: what it is for, what to use instead, how to insist. */
export function nonChatRefusal(name: string, kind: Exclude<ModelKind, 'chat'>, prefix: string, say: Say): string {
  const hint = kind === 'image' || kind === 'speech' || kind === 'transcription' ? say(`model_hint.${kind}`, { p: prefix }) : '';
  return say('model_not_chat', { model: name, use: say(`model_use.${kind}`), hint, p: prefix });
}
