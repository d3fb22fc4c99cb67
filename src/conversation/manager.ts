// The brain every surface shares: one place that turns an Incoming message into history, a
// provider call and an answer on the Surface it came from.
import { randomBytes } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Config } from '../config/index.js';
import type { Logger } from '../log.js';
import type { ChatMessage, LlmClient } from '../llm/types.js';
import { OpsEvents } from '../ops/events.js';
import { StreamRelay } from '../relay/index.js';
import type { HistoryStore, StoredTurn } from '../store/types.js';
import type { Command, Incoming, Platform, Surface } from '../types.js';
import { isAdminCommand, isCostly, parseCommand } from './commands.js';
import { describeError } from './errors.js';
import { buildMessages, estimateMessageTokens, estimateTokens, sanitizeName, userContent } from './history.js';
import { t, type MessageId } from './messages.js';
import { ChannelQueues } from './queue.js';

/** Models named in a `model` answer; the rest are counted. */
const MODELS_LISTED = 40;
/** How long the provider's model list is trusted before asking again. */
const MODELS_CACHE_MS = 5 * 60_000;
/** Typing/upload indicators expire after ~5 s on Telegram; renew a little sooner. */
const TYPING_RENEW_MS = 4_000;
/** On shutdown, replies in flight get this long to finish before they are stopped. */
const SHUTDOWN_GRACE_MS = 10_000;
/** Channels whose held-back "more" lines are remembered. */
const PENDING_LINES_CHANNELS = 5_000;
const MINUTE_MS = 60_000;
/** OpenAI's speech endpoint takes at most 4,096 characters of input. */
const TTS_MAX_INPUT_CHARS = 4_096;
const DAY_MS = 24 * 3600_000;

export interface ManagerDeps {
  config: Config;
  llm: LlmClient;
  store: HistoryStore;
  logger: Logger;
  relay?: StreamRelay;
  /** Observation hook (queue waiting times); a private one when absent. */
  events?: OpsEvents;
  /** Grace period on shutdown (tests shorten it). */
  shutdownGraceMs?: number;
}

type Log = Logger;

export class ConversationManager {
  private readonly config: Config;
  private readonly llm: LlmClient;
  private readonly store: HistoryStore;
  private readonly logger: Logger;
  private readonly relay: StreamRelay;
  private readonly queues: ChannelQueues;
  private readonly events: OpsEvents;
  private readonly shutdownGraceMs: number;
  private readonly pendingLines = new LRUCache<string, string[]>({ max: PENDING_LINES_CHANNELS });
  private modelsCache?: { at: number; ids: string[] };
  private closing = false;

  constructor(deps: ManagerDeps) {
    this.config = deps.config;
    this.llm = deps.llm;
    this.store = deps.store;
    this.logger = deps.logger;
    this.relay = deps.relay ?? new StreamRelay({ logger: deps.logger });
    this.queues = new ChannelQueues(deps.config.conversation.queueMaxPerChannel);
    this.events = deps.events ?? new OpsEvents();
    this.shutdownGraceMs = deps.shutdownGraceMs ?? SHUTDOWN_GRACE_MS;
  }

  private get locale() {
    return this.config.conversation.locale;
  }

  private line(id: MessageId, params?: Record<string, string | number>): string {
    return t(this.locale, id, params);
  }

  /**
   * Handles one inbound message. Never throws: every failure ends as one short line on the
   * surface and the detail in the log. Resolves when this message's work is done.
   */
  async handle(msg: Incoming, surface: Surface): Promise<void> {
    const requestId = randomBytes(6).toString('hex');
    const log = this.logger.child({ platform: msg.platform, channel: msg.channel, requestId });
    if (this.closing) {
      log.debug('message during shutdown ignored');
      return;
    }
    try {
      const cmd = msg.command ?? parseCommand(msg.text, { prefix: surface.commandPrefix });
      log.debug({ command: cmd.kind, user: msg.user.id, messageId: msg.messageId }, 'incoming');

      if (isAdminCommand(cmd) && !this.mayAdminister(msg)) return await this.say(surface, 'not_admin');
      if (isCostly(cmd) && !this.isAdmin(msg.platform, msg.user.id)) {
        const refusal = await this.checkLimits(msg);
        if (refusal) return await this.say(surface, refusal.id, refusal.params);
      }

      // Cheap commands answer at once, even while a reply streams.
      switch (cmd.kind) {
        case 'stop':
          if (!this.queues.abort(msg.channel)) await this.say(surface, 'nothing_to_stop');
          return;
        case 'help':
          return await this.say(surface, 'help', { p: surface.commandPrefix });
        case 'usage':
          return await this.usage(msg, surface);
        case 'model':
          return await this.model(msg, surface, cmd.name);
        case 'system':
          return await this.system(msg, surface, cmd.prompt);
        case 'voice':
          return await this.voice(msg, surface, cmd.on);
        default:
          break;
      }

      const queued = this.queues.tryEnqueue(msg.channel, this.events.timeWaiting(msg.platform, (signal: AbortSignal) => this.run(cmd, msg, surface, signal, log, requestId)));
      if (!queued) return await this.say(surface, 'busy');
      await queued;
    } catch (err) {
      log.error({ err }, 'handling failed');
      await this.say(surface, 'error.unknown').catch(() => undefined);
    }
  }

  /** Runs a queued command; errors become one line. */
  private async run(cmd: Command, msg: Incoming, surface: Surface, signal: AbortSignal, log: Log, requestId: string) {
    try {
      switch (cmd.kind) {
        case 'chat':
          return await this.chat(msg, surface, cmd.text, signal, log, requestId);
        case 'retry':
          return await this.retry(msg, surface, signal, log, requestId);
        case 'image':
          return await this.image(surface, cmd.prompt, signal, requestId);
        case 'tts':
          return await this.tts(surface, cmd.text, signal, requestId);
        case 'reset':
          await this.store.reset(msg.channel);
          this.pendingLines.delete(msg.channel);
          return await this.say(surface, 'reset_done');
        case 'more':
          return await this.more(msg, surface);
        default:
          return;
      }
    } catch (err) {
      const d = describeError(err);
      if (d.aborted) {
        log.info('stopped by user');
        await this.sayText(surface, this.line('stopped')).catch(() => undefined);
        return;
      }
      log.warn({ err: d.logFields }, 'request failed');
      await this.sayText(surface, `⚠️ ${this.line(d.messageId, d.params)}`).catch((e) => log.error({ err: e }, 'could not send error line'));
    } finally {
      await surface.close?.().catch((e) => log.debug({ err: e }, 'surface close failed'));
    }
  }

  private async chat(msg: Incoming, surface: Surface, text: string, signal: AbortSignal, log: Log, requestId: string) {
    let userText = text;
    if (msg.audio) {
      const transcript = await this.withTyping(surface, 'typing', () =>
        this.llm.transcribe({
          bytes: msg.audio!.bytes,
          filename: msg.audio!.filename,
          mime: msg.audio!.mime,
          model: this.config.llm.transcribeModel,
          signal,
          requestId,
        }),
      );
      const heard = transcript.text.trim();
      if (!heard) return this.say(surface, 'empty_transcript');
      await this.say(surface, 'transcribed', { text: heard });
      userText = userText ? `${userText}\n${heard}` : heard;
    }

    const images = msg.images ?? [];
    const imageUrls = this.config.llm.vision ? images.map(imageToUrl).filter((u): u is string => !!u) : [];
    if (images.length > 0 && !this.config.llm.vision) {
      if (!userText) return this.say(surface, 'vision_off');
    }
    if (!userText && imageUrls.length === 0) return this.say(surface, 'empty_message');

    const maxInputTokens = Math.floor(this.config.conversation.historyMaxTokens * 0.9);
    if (estimateTokens(userText) > maxInputTokens) {
      // Roughly what fits, in the same units the user sees.
      const maxChars = Math.floor((userText.length * maxInputTokens) / estimateTokens(userText));
      return this.say(surface, 'input_too_long', { chars: userText.length, max: maxChars });
    }

    const name = msg.isGroup ? sanitizeName(msg.user.name) : undefined;
    const next: ChatMessage = { role: 'user', content: userContent(userText, imageUrls), ...(name ? { name } : {}) };
    const history = await this.store.load(msg.channel);
    // The question is stored before the answer starts, so a crash loses at most the answer,
    // and `retry` can regenerate a failed one.
    const stored: StoredTurn = {
      role: 'user',
      content: imageUrls.length > 0 ? `${userText} [image]`.trim() : userText,
      at: Date.now(),
      ...(name ? { name } : {}),
    };
    await this.store.append(msg.channel, [stored], this.config.conversation.historyMaxMessages);
    await this.reply(msg, surface, history, next, signal, log, requestId);
  }

  private async retry(msg: Incoming, surface: Surface, signal: AbortSignal, log: Log, requestId: string) {
    const history = await this.store.load(msg.channel);
    if (history.at(-1)?.role === 'assistant') {
      history.pop();
      await this.store.dropLast(msg.channel, 1);
    }
    const question = history.pop();
    if (!question || question.role !== 'user') return this.say(surface, 'nothing_to_retry');
    const next: ChatMessage = question.name
      ? { role: 'user', content: question.content, name: question.name }
      : { role: 'user', content: question.content };
    await this.reply(msg, surface, history, next, signal, log, requestId);
  }

  /** Streams an answer to `next` given `history`, stores it, speaks it in voice mode. */
  private async reply(
    msg: Incoming,
    surface: Surface,
    history: StoredTurn[],
    next: ChatMessage,
    signal: AbortSignal,
    log: Log,
    requestId: string,
  ) {
    const settings = await this.store.getSettings(msg.channel);
    const model = settings.model ?? this.config.llm.chatModel;
    const messages = buildMessages(history, next, {
      systemPrompt: settings.systemPrompt ?? this.config.conversation.systemPrompt,
      maxMessages: this.config.conversation.historyMaxMessages,
      maxTokens: this.config.conversation.historyMaxTokens,
    });
    const started = Date.now();
    const stream = this.llm.streamChat({
      model,
      messages,
      temperature: this.config.llm.temperature,
      maxTokens: this.config.llm.maxTokens,
      signal,
      requestId,
    });
    const result = await this.relay.pipe(stream, surface, {
      signal,
      errorNotice: (err) => `⚠️ ${this.describe(err)}`,
      stoppedNotice: this.line('stopped'),
    });

    if (result.text) {
      await this.store.append(
        msg.channel,
        [{ role: 'assistant', content: result.text, at: Date.now() }],
        this.config.conversation.historyMaxMessages,
      );
    }
    if (result.pendingLines && result.pendingLines.length > 0) {
      this.pendingLines.set(msg.channel, result.pendingLines);
      await this.sayText(surface, this.line('more_hint'));
    } else {
      this.pendingLines.delete(msg.channel);
    }

    const usedTokens =
      stream.usage?.totalTokens ??
      messages.reduce((n, m) => n + estimateMessageTokens(m), 0) + estimateTokens(result.text);
    await this.store.increment(budgetKey(msg), usedTokens, DAY_MS);

    const fields = {
      model,
      ms: Date.now() - started,
      chars: result.text.length,
      messages: result.sentMessages,
      edits: result.edits,
      finishReason: stream.finishReason,
      tokens: usedTokens,
    };
    if (result.error && !result.aborted) log.warn({ ...fields, err: describeError(result.error).logFields }, 'reply interrupted');
    else log.info({ ...fields, aborted: result.aborted }, 'reply done');

    if (settings.voice && result.text && !result.error && !result.aborted && surface.limits.audio !== false) {
      await this.tts(surface, result.text, signal, requestId);
    }
  }

  private async image(surface: Surface, prompt: string, signal: AbortSignal, requestId: string) {
    const img = await this.withTyping(surface, 'upload_photo', () =>
      this.llm.generateImage({
        prompt,
        model: this.config.llm.imageModel,
        size: this.config.llm.imageSize,
        signal,
        requestId,
      }),
    );
    await surface.sendImage({ bytes: img.bytes, url: img.url, mime: img.mime }, img.revisedPrompt ?? prompt);
  }

  private async tts(surface: Surface, text: string, signal: AbortSignal, requestId: string) {
    if (surface.limits.audio === false) return this.say(surface, 'voice_unavailable');
    const format = surface.limits.audioFormat ?? 'mp3';
    const speech = await this.withTyping(surface, 'record_voice', () =>
      this.llm.speech({
        text: clipForSpeech(text),
        model: this.config.llm.ttsModel,
        voice: this.config.llm.ttsVoice,
        format,
        signal,
        requestId,
      }),
    );
    await surface.sendAudio(speech.bytes, speech.format);
  }

  private async more(msg: Incoming, surface: Surface) {
    const lines = this.pendingLines.get(msg.channel);
    if (!lines || lines.length === 0) return this.say(surface, 'no_more');
    const result = await this.relay.deliverLines(lines, surface);
    if (result.pendingLines && result.pendingLines.length > 0) {
      this.pendingLines.set(msg.channel, result.pendingLines);
      await this.sayText(surface, this.line('more_hint'));
    } else {
      this.pendingLines.delete(msg.channel);
    }
  }

  private async usage(msg: Incoming, surface: Surface) {
    const used = await this.store.counter(budgetKey(msg));
    const budget = this.config.conversation.dailyTokenBudget;
    const history = await this.store.load(msg.channel);
    const settings = await this.store.getSettings(msg.channel);
    await this.say(surface, 'usage', {
      tokens: used,
      budget: budget > 0 ? this.line('usage_budget', { budget }) : '',
      messages: history.length,
      model: settings.model ?? this.config.llm.chatModel,
    });
  }

  private async model(msg: Incoming, surface: Surface, name: string | undefined) {
    const current = (await this.store.getSettings(msg.channel)).model ?? this.config.llm.chatModel;
    if (name === undefined) {
      const ids = await this.listModels();
      const lines = [this.line('model_current', { model: current })];
      if (ids.length > 0) {
        // Relays list hundreds of models; a chat line shows the first ones and a count.
        const shown = ids.slice(0, MODELS_LISTED);
        const more = ids.length > shown.length ? ` (+${ids.length - shown.length})` : '';
        lines.push(this.line('model_list', { models: shown.join(', ') + more }));
      }
      return this.sayText(surface, lines.join('\n'));
    }
    if (['default', 'reset'].includes(name.toLowerCase())) {
      await this.store.setSettings(msg.channel, { model: undefined });
      return this.say(surface, 'model_reset', { model: this.config.llm.chatModel });
    }
    await this.store.setSettings(msg.channel, { model: name });
    const ids = await this.listModels();
    return this.say(surface, ids.length > 0 && !ids.includes(name) ? 'model_set_unlisted' : 'model_set', { model: name });
  }

  private async system(msg: Incoming, surface: Surface, prompt: string | undefined) {
    if (prompt === undefined) {
      const current = (await this.store.getSettings(msg.channel)).systemPrompt ?? this.config.conversation.systemPrompt;
      return this.say(surface, 'system_current', { prompt: current });
    }
    if (['default', 'reset'].includes(prompt.toLowerCase())) {
      await this.store.setSettings(msg.channel, { systemPrompt: undefined });
      return this.say(surface, 'system_reset');
    }
    await this.store.setSettings(msg.channel, { systemPrompt: prompt });
    return this.say(surface, 'system_set');
  }

  private async voice(msg: Incoming, surface: Surface, on: boolean | undefined) {
    if (surface.limits.audio === false) return this.say(surface, 'voice_unavailable');
    const next = on ?? !(await this.store.getSettings(msg.channel)).voice;
    await this.store.setSettings(msg.channel, { voice: next || undefined });
    return this.say(surface, next ? 'voice_on' : 'voice_off');
  }

  /** Rate limit per user per minute, then the daily token budget. */
  private async checkLimits(msg: Incoming): Promise<{ id: MessageId; params?: Record<string, number> } | undefined> {
    const { rateLimitPerMinute, dailyTokenBudget } = this.config.conversation;
    if (rateLimitPerMinute > 0) {
      const minute = Math.floor(Date.now() / MINUTE_MS);
      const n = await this.store.increment(`rate:${msg.platform}:${msg.user.id}:${minute}`, 1, MINUTE_MS);
      if (n > rateLimitPerMinute) return { id: 'rate_limited' };
    }
    if (dailyTokenBudget > 0 && (await this.store.counter(budgetKey(msg))) >= dailyTokenBudget) {
      return { id: 'budget_exhausted', params: { budget: dailyTokenBudget } };
    }
    return undefined;
  }

  isAdmin(platform: Platform, userId: string): boolean {
    const admins = this.config.conversation.admins;
    return admins.includes(`${platform}:${userId}`) || admins.includes(userId);
  }

  /**
   * Admin commands: listed admins anywhere. With no ADMINS configured, anyone in a direct chat
   * (or the console) may, since that person is the only one affected; shared channels refuse.
   */
  private mayAdminister(msg: Incoming): boolean {
    if (this.config.conversation.admins.length === 0) return msg.isDirect || msg.platform === 'console';
    return this.isAdmin(msg.platform, msg.user.id);
  }

  /** The provider's model ids, cached; [] when the provider cannot list them. */
  async listModels(): Promise<string[]> {
    if (this.modelsCache && Date.now() - this.modelsCache.at < MODELS_CACHE_MS) return this.modelsCache.ids;
    try {
      const models = await this.llm.listModels();
      const ids = models.map((m) => m.id).sort();
      this.modelsCache = { at: Date.now(), ids };
      return ids;
    } catch (err) {
      this.logger.warn({ err: describeError(err).logFields }, 'could not list models');
      return [];
    }
  }

  /** Messages waiting behind a reply in flight, over all channels (the ops queue-depth gauge). */
  get queueDepth(): number {
    return this.queues.waiting;
  }

  /** Lets replies in flight finish (up to a grace period), then stops the rest with a notice. */
  async shutdown(): Promise<void> {
    this.closing = true;
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.shutdownGraceMs);
    });
    await Promise.race([this.queues.drain(), grace]);
    clearTimeout(timer);
    this.queues.abortAll();
    await this.queues.drain();
  }

  private describe(err: unknown): string {
    const d = describeError(err);
    return this.line(d.messageId, d.params);
  }

  private async say(surface: Surface, id: MessageId, params?: Record<string, string | number>): Promise<void> {
    await this.sayText(surface, this.line(id, params));
  }

  private async sayText(surface: Surface, text: string): Promise<void> {
    await this.relay.deliver(text, surface, { final: true });
  }

  /** Keeps a chat action alive while slow work runs. */
  private async withTyping<T>(surface: Surface, action: 'typing' | 'upload_photo' | 'record_voice', work: () => Promise<T>): Promise<T> {
    const ping = () => void surface.typing(action).catch(() => undefined);
    ping();
    const timer = setInterval(ping, TYPING_RENEW_MS);
    try {
      return await work();
    } finally {
      clearInterval(timer);
    }
  }
}

function budgetKey(msg: Incoming): string {
  const day = new Date().toISOString().slice(0, 10);
  return `tokens:${msg.platform}:${msg.user.id}:${day}`;
}

/** Vision input: provider-fetchable URL, or the bytes inlined as a data: URL. */
function imageToUrl(img: { url?: string; bytes?: Uint8Array; mime?: string }): string | undefined {
  if (img.bytes && img.bytes.length > 0) {
    return `data:${img.mime ?? 'image/png'};base64,${Buffer.from(img.bytes).toString('base64')}`;
  }
  return img.url;
}

/** Long answers are spoken up to the last sentence end that fits the speech endpoint's limit. */
export function clipForSpeech(text: string, max = TTS_MAX_INPUT_CHARS): string {
  if (text.length <= max) return text;
  const head = text.slice(0, max);
  const lastEnd = Math.max(head.lastIndexOf('. '), head.lastIndexOf('。'), head.lastIndexOf('! '), head.lastIndexOf('? '), head.lastIndexOf('\n'));
  return lastEnd > max / 2 ? head.slice(0, lastEnd + 1) : head;
}
