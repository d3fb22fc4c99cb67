// The brain every surface shares: one place that turns an Incoming message into history, a
// provider call and an answer on the Surface it came from.
import { LRUCache } from 'lru-cache';
import type { Config } from '../config/index.js';
import type { Logger } from '../log.js';
import type { ChatMessage, ChatRequest, LlmClient } from '../llm/types.js';
import { OpsEvents } from '../ops/events.js';
import { StreamRelay } from '../relay/index.js';
import { ReasoningDisplay } from '../relay/reasoning.js';
import type { HistoryStore, StoredTurn } from '../store/types.js';
import type { ChannelKey, Command, Incoming, Platform, Surface, TextFile } from '../types.js';
import { withTextFiles } from './attachments.js';
import { isAdminCommand, isCostly, parseCommand } from './commands.js';
import { describeError, errorLine } from './errors.js';
import { budgetKey, chargedTokens } from './budget.js';
import { helpText } from './help.js';
import { buildMessages, cleanForContext, estimateTokens, sanitizeName, userContent } from './history.js';
import { t, type MessageId } from './messages.js';
import { ModelCatalog, nonChatRefusal } from './models.js';
import { LocalDispatcher, type Plan, type Prepare } from './dispatcher.js';
import { NoticePolicy } from './policy/notices.js';
import { personaCommand } from './persona-command.js';
import type { PersonaBook } from './personas.js';
import { ToolLoopStream, type ToolRunner } from './tool-loop.js';

/** Typing/upload indicators expire after ~5 s on Telegram; renew a little sooner. */
const TYPING_RENEW_MS = 4_000;
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
  /** Grace period on shutdown; default config.conversation.shutdownGraceMs. */
  shutdownGraceMs?: number;
  /** Clock for the once-per-window notices (tests). */
  now?: () => number;
  /** Personas a channel may choose (PERSONAS). */
  personas?: PersonaBook;
  /** MCP tools (connected by the caller); absent = no tools. */
  tools?: ToolRunner;
}

export type { Prepare } from './dispatcher.js';

type Log = Logger;

export class ConversationManager {
  private readonly config: Config;
  private readonly llm: LlmClient;
  private readonly store: HistoryStore;
  private readonly logger: Logger;
  private readonly relay: StreamRelay;
  /** Order, provider slots and shutdown; this class decides what each message is. */
  private readonly dispatcher: LocalDispatcher;
  private readonly notices: NoticePolicy;
  private readonly events: OpsEvents;
  private readonly pendingLines = new LRUCache<string, string[]>({ max: PENDING_LINES_CHANNELS });
  private readonly models: ModelCatalog;
  private readonly personas?: PersonaBook;
  private readonly tools?: ToolRunner;

  constructor(deps: ManagerDeps) {
    this.tools = deps.tools;
    this.config = deps.config;
    this.personas = deps.personas;
    this.llm = deps.llm;
    this.store = deps.store;
    this.logger = deps.logger;
    this.relay = deps.relay ?? new StreamRelay({ logger: deps.logger });
    this.models = new ModelCatalog(deps.llm, deps.logger);
    this.notices = new NoticePolicy({ now: deps.now });
    this.dispatcher = new LocalDispatcher({
      planner: {
        plan: (msg, surface, log, requestId) => this.plan(msg, surface, log, requestId),
        say: (surface, id) => this.say(surface, id),
        notice: (surface, who, id) => this.notice(surface, who, id),
      },
      logger: deps.logger,
      maxWaitingPerChannel: deps.config.conversation.queueMaxPerChannel,
      providerConcurrency: deps.config.conversation.providerConcurrency,
      shutdownGraceMs: deps.shutdownGraceMs ?? deps.config.conversation.shutdownGraceMs,
    });
    this.events = deps.events ?? new OpsEvents();
  }

  private get locale() {
    return this.config.conversation.locale;
  }

  private line(id: MessageId, params?: Record<string, string | number>): string {
    return t(this.locale, id, params);
  }

  /**
   * Takes one inbound message whose preparation (attachment downloads, anything slow) is
   * `prepare`: its place in the channel's order is taken now, so it is answered after every
   * earlier message of the channel even when a later one is ready first (see Dispatcher.submit).
   * Never throws: every failure ends as one short line on the surface and the detail in the log.
   */
  submit(channel: ChannelKey, prepare: Prepare, surface: Surface): Promise<void> {
    return this.dispatcher.submit(channel, prepare, surface);
  }

  /** `submit` for a message that needs no preparation. */
  handle(msg: Incoming, surface: Surface): Promise<void> {
    return this.submit(msg.channel, async () => msg, surface);
  }

  /** Provider slots in use and replies waiting for one (metrics, tests). */
  get providerSlots(): { inUse: number; waiting: number } {
    return this.dispatcher.providerSlots;
  }

  /** What a prepared message is: a cheap command or refusal answered now, or a queued reply. */
  private async plan(msg: Incoming, surface: Surface, log: Log, requestId: string): Promise<Plan> {
    const cmd = msg.command ?? parseCommand(msg.text, { prefix: surface.commandPrefix });
    log.debug({ command: cmd.kind, user: msg.user.id, messageId: msg.messageId }, 'incoming');
    const now = (answer: () => Promise<void>): Plan => ({ kind: 'now', answer });
    const who = `${msg.platform}:${msg.user.id}`;

    if (isAdminCommand(cmd) && !this.mayAdminister(msg)) return now(() => this.say(surface, 'not_admin'));
    if (isCostly(cmd) && !this.isAdmin(msg.platform, msg.user.id)) {
      const refusal = await this.checkLimits(msg);
      if (refusal) return now(() => this.notice(surface, who, refusal.id, refusal.params));
    }
    switch (cmd.kind) {
      case 'stop':
        return now(async () => {
          if (!this.dispatcher.stop(msg.channel)) await this.say(surface, 'nothing_to_stop');
        });
      case 'help':
        return now(() => this.sayText(surface, helpText(this.locale, surface)));
      case 'usage':
        return now(() => this.usage(msg, surface));
      case 'model':
        return now(() => this.model(msg, surface, cmd.name));
      case 'system':
        return now(() => this.system(msg, surface, cmd.prompt));
      case 'voice':
        return now(() => this.voice(msg, surface, cmd.on));
      case 'persona':
        return now(() => this.persona(msg, surface, cmd.name));
      case 'tools':
        return now(() => this.toolsCommand(msg, surface, cmd.on));
      default:
        return {
          kind: 'queued',
          costly: isCostly(cmd),
          run: this.events.timeWaiting(msg.platform, (signal: AbortSignal) => this.run(cmd, msg, surface, signal, log, requestId)),
        };
    }
  }

  /** A notice said once per `who` per window; repeats within it stay silent (and logged). */
  private async notice(surface: Surface, who: string, id: MessageId, params?: Record<string, string | number>): Promise<void> {
    if (this.notices.shouldSay(id, who)) return await this.say(surface, id, params);
    this.logger.debug({ channel: surface.channel, user: who, notice: id }, 'notice already said within its window');
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
          // A plain reset keeps the channel's persona; `reset all` clears it too.
          if (cmd.all) await this.store.setSettings(msg.channel, { persona: undefined });
          return await this.say(surface, cmd.all ? 'reset_all_done' : 'reset_done');
        case 'more':
          return await this.more(msg, surface);
        default:
          return;
      }
    } catch (err) {
      const d = describeError(err);
      if (d.slotLost) return log.warn({ err }, 'slot taken over mid-reply; the new owner answers');
      if (d.aborted) {
        log.info('stopped by user');
        await this.sayText(surface, this.line('stopped')).catch(() => undefined);
        return;
      }
      log.warn({ err }, 'request failed');
      await this.sayText(surface, `⚠️ ${this.describe(err)}`).catch((e) => log.error({ err: e }, 'could not send error line'));
    } finally {
      await surface.close?.().catch((e) => log.debug({ err: e }, 'surface close failed'));
    }
  }

  private async chat(msg: Incoming, surface: Surface, text: string, signal: AbortSignal, log: Log, requestId: string) {
    const withFiles = withTextFiles(text, msg.files);
    let userText = withFiles.text;
    await this.sayUnreadFiles(surface, withFiles.skipped);
    if (withFiles.skipped.length > 0 && !userText && !msg.audio && !msg.images?.length) return;
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
    // A reply chain (Discord, DISCORD_CONTEXT=chain) brings its own context.
    const history = msg.context ?? (await this.store.load(msg.channel));
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
    // The last reply: its answer and any tool turns before it.
    let dropped = 0;
    while (history.length > 0 && history.at(-1)!.role !== 'user') {
      history.pop();
      dropped++;
    }
    if (dropped > 0) await this.store.dropLast(msg.channel, dropped);
    const question = history.pop();
    if (!question || question.role !== 'user') return this.say(surface, 'nothing_to_retry');
    const next: ChatMessage = question.name
      ? { role: 'user', content: question.content, name: question.name }
      : { role: 'user', content: question.content };
    await this.reply(msg, surface, history, next, signal, log, requestId);
  }

  /** Files not read (too large, not text) are named in one short note each kind, not dropped silently. */
  private async sayUnreadFiles(surface: Surface, skipped: TextFile[]) {
    const names = (reason: TextFile['skipped']) => skipped.filter((f) => f.skipped === reason).map((f) => f.name).join(', ');
    if (names('too_large')) await this.say(surface, 'file_too_large', { kb: Math.floor(this.config.conversation.textAttachmentMaxBytes / 1024), names: names('too_large') });
    if (names('binary')) await this.say(surface, 'file_not_text', { names: names('binary') });
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
    // The channel's own /model and /system win over its persona's, which win over the defaults.
    const persona = this.personas?.get(settings.persona);
    const model = settings.model ?? persona?.model ?? this.config.llm.chatModel;
    const messages = buildMessages(history, next, {
      systemPrompt: settings.systemPrompt ?? persona?.systemPrompt ?? this.config.conversation.systemPrompt,
      maxMessages: this.config.conversation.historyMaxMessages,
      maxTokens: this.config.conversation.historyMaxTokens,
    });
    const started = Date.now();
    // A reply cap ends the request too, not only the user's stop.
    const capStop = new AbortController();
    const tools = settings.tools === false || !this.tools?.specs().length ? undefined : this.tools;
    const thinking = this.reasoningDisplay(surface, log, tools !== undefined);
    const request = {
      model,
      messages,
      temperature: persona?.temperature ?? this.config.llm.temperature,
      maxTokens: this.config.llm.maxTokens,
      signal: AbortSignal.any([signal, capStop.signal]),
      requestId,
      onReasoning: thinking.onReasoning,
    };
    const loop = tools && this.toolLoop(request, tools, thinking, surface, log);
    const stream = loop || this.llm.streamChat(request);
    const result = await this.relay.pipe(stream, thinking.surface, {
      signal,
      errorNotice: (err) => `⚠️ ${this.describe(err)}`,
      stoppedNotice: this.line('stopped'),
      caps: this.config.reply,
      capNotice: (cap) => this.line(cap === 'deadline' ? 'reply_cap.deadline' : 'reply_cap.length'),
      onCap: () => capStop.abort(),
    });
    await thinking.end();

    // The relay's text never holds our notices; an answer cut short is stored as such.
    // After tools ran, the answer is the last round's text; the rounds before go in as tool turns.
    const answer = cleanForContext(result.text.slice(loop ? loop.finalTextStart : 0));
    const interrupted = result.error !== undefined || result.aborted || result.capped !== undefined;
    const turns: StoredTurn[] = [...(loop ? loop.turns : [])];
    if (answer.trim()) turns.push({ role: 'assistant', content: answer, at: Date.now(), ...(interrupted ? { interrupted } : {}) });
    if (turns.length > 0) await this.store.append(msg.channel, turns, this.config.conversation.historyMaxMessages);
    if (result.pendingLines && result.pendingLines.length > 0) {
      this.pendingLines.set(msg.channel, result.pendingLines);
      await this.sayText(surface, this.line('more_hint'));
    } else {
      this.pendingLines.delete(msg.channel);
    }

    const usedTokens = chargedTokens(stream.usage?.totalTokens, messages, result.text);
    if (usedTokens > 0) await this.store.increment(budgetKey(msg), usedTokens, DAY_MS);

    const fields = {
      model,
      ms: Date.now() - started,
      chars: result.text.length,
      messages: result.sentMessages,
      edits: result.edits,
      finishReason: stream.finishReason,
      tokens: usedTokens,
      ...(result.capped ? { capped: result.capped } : {}),
      ...(loop ? { toolCalls: loop.turns.filter((t) => t.role === 'tool').length } : {}),
      // Time to first text counts from the request to the first answer token, thinking included;
      // thinkingMs says how much of it the model spent reasoning.
      firstTextMs: stream.firstTextAt === undefined ? undefined : stream.firstTextAt - started,
      thinkingMs: stream.thinkingMs,
    };
    if (result.error && !result.aborted) log.warn({ ...fields, err: result.error }, 'reply interrupted');
    else log.info({ ...fields, aborted: result.aborted }, 'reply done');

    if (settings.voice && result.text && !interrupted && surface.limits.audio !== false) {
      await this.tts(surface, result.text, signal, requestId);
    }
  }

  /** The reply as a tool loop: tool rounds show "using <tool>…" the way thinking shows its status. */
  private toolLoop(request: ChatRequest, tools: ToolRunner, thinking: ReasoningDisplay, surface: Surface, log: Log): ToolLoopStream {
    return new ToolLoopStream({
      llm: this.llm,
      request,
      tools,
      maxSteps: this.config.tools?.maxSteps ?? 5,
      onToolsStart: (names) => {
        const tool = names.join(', ');
        thinking.showStatus(this.line('tool_status', { tool }), this.line('tool_status_line', { tool }));
        void surface.typing().catch(() => undefined);
      },
      channel: surface.channel,
      logger: log,
    });
  }

  /** `tools`: lists the tools and whether they are on here; `tools on|off` (admins) switches them. */
  private async toolsCommand(msg: Incoming, surface: Surface, on: boolean | undefined): Promise<void> {
    const specs = this.tools?.specs() ?? [];
    if (specs.length === 0) return this.say(surface, 'tools_none');
    if (on !== undefined) await this.store.setSettings(msg.channel, { tools: on ? undefined : false });
    const enabled = on ?? (await this.store.getSettings(msg.channel)).tools !== false;
    if (!enabled) return this.say(surface, 'tools_off', { p: surface.commandPrefix });
    await this.say(surface, 'tools_on', { tools: specs.map((s) => this.tools!.displayName(s.name)).join(', ') });
  }

  /** How this reply shows a reasoning model's thinking (REASONING); the thinking never goes into history. */
  private reasoningDisplay(surface: Surface, log: Log, toolStatus = false): ReasoningDisplay {
    return new ReasoningDisplay(surface, {
      toolStatus,
      mode: this.config.conversation.reasoning,
      lines: {
        thinking: this.line('thinking'),
        thinkingLine: this.line('thinking_line'),
        label: this.line('reasoning_label'),
        noAnswer: this.line('no_answer'),
      },
      deliverLine: (text) => this.relay.deliver(text, surface),
      logger: log,
    });
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
      model: settings.model ?? this.personas?.get(settings.persona)?.model ?? this.config.llm.chatModel,
    });
  }

  private async model(msg: Incoming, surface: Surface, name: string | undefined) {
    const current = await this.currentModel(msg.channel);
    const say = (id: MessageId, params?: Record<string, string | number>) => this.line(id, params);
    if (name === undefined) return this.sayText(surface, await this.models.describe(current, say));
    if (['default', 'reset'].includes(name.toLowerCase())) {
      await this.store.setSettings(msg.channel, { model: undefined });
      return this.say(surface, 'model_reset', { model: this.config.llm.chatModel });
    }
    const check = this.models.confirmNonChat(msg.channel, name);
    if (!check.ok) return this.sayText(surface, nonChatRefusal(name, check.kind, surface.commandPrefix, say));
    await this.store.setSettings(msg.channel, { model: name });
    const ids = await this.models.list();
    return this.say(surface, ids.length > 0 && !ids.includes(name) ? 'model_set_unlisted' : 'model_set', { model: name });
  }

  private async persona(msg: Incoming, surface: Surface, name: string | undefined) {
    const say = (id: MessageId, params?: Record<string, string | number>) => this.line(id, params);
    const answers = await personaCommand({ store: this.store, book: this.personas, say }, msg.channel, name);
    for (const text of answers) await this.sayText(surface, text);
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

  /** The model a channel's next reply uses: its own choice, its persona's, or the default. */
  async currentModel(channel: ChannelKey): Promise<string> {
    const settings = await this.store.getSettings(channel);
    return settings.model ?? this.personas?.get(settings.persona)?.model ?? this.config.llm.chatModel;
  }

  /** The provider's model ids, chat models first, cached; [] when the provider cannot list them. */
  listModels(): Promise<string[]> {
    return this.models.list();
  }

  /** Messages waiting behind a reply in flight, over all channels (the ops queue-depth gauge). */
  get queueDepth(): number {
    return this.dispatcher.queueDepth;
  }

  /**
   * Stops taking messages and drops every one not yet running (each waiting user told once);
   * replies already running get the grace period, then are stopped with a notice. Resolves
   * within the grace plus SHUTDOWN_ABORT_TAIL_MS. Calling it again returns the same promise.
   */
  shutdown(): Promise<void> {
    return this.dispatcher.shutdown();
  }

  private describe(err: unknown): string {
    return errorLine(this.locale, err);
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
