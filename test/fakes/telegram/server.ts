// A fake Telegram Bot API server on 127.0.0.1 that the real telegraf talks to over HTTP.
// It implements what the parley adapter calls (getMe, getUpdates long polling with offset
// semantics, deleteWebhook/setWebhook, setMyCommands, sendMessage, editMessageText,
// sendMessageDraft, sendPhoto/sendVoice as multipart, getFile + file download, sendChatAction)
// and enforces what real Telegram enforces and bots trip over: 4,096 UTF-16 units per message,
// 1,024 per caption, "message is not modified", malformed HTML entities, and a per-chat rate
// limit answering 429 with retry_after. Inline keyboards: reply_markup is kept on each message
// (editMessageText without one removes it, as Telegram does), sendCallbackQuery injects a button
// press, answerCallbackQuery records the answer and refuses a second or unknown one. Faults on demand: failNext (an error answer), dropNext
// (a reset connection). Wire facts: docs/fakes.md. Several clients are told apart by an apiRoot
// with a path (`http://127.0.0.1:P/i1/`, recorded as `via`); webhook delivery: balancer.ts.
//
//   const tg = await startFakeTelegram();
//   new Telegraf(tg.token, { telegram: { apiRoot: tg.apiRoot, webhookReply: false } })
//   tg.sendUserMessage({ chatId: 42, text: 'hi' });      // queued for getUpdates
//   await tg.waitFor(() => tg.messagesIn(42).length > 0);
//   await tg.close();
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseTelegramHtml, type ParsedEntity } from './html-entities.js';

export const MAX_MESSAGE_UNITS = 4096;
export const MAX_CAPTION_UNITS = 1024;
/** Rate-limited methods: what Telegram counts against a chat's flood limit. Drafts are exempt. */
const WRITE_METHODS = new Set(['sendMessage', 'editMessageText', 'editMessageReplyMarkup', 'sendPhoto', 'sendVoice']);
const DEFAULT_POLL_HOLD_MS = 1_000;
const WAIT_FOR_POLL_MS = 10;

export const NOT_MODIFIED =
  'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a specified content and reply markup of the message';

export interface TgUser {
  id: number;
  is_bot: boolean;
  first_name: string;
  last_name?: string;
  username?: string;
}

export interface ApiError {
  error_code: number;
  description: string;
  parameters?: { retry_after?: number };
}

export interface ApiCall {
  method: string;
  payload: Record<string, unknown>;
  at: number;
  error?: ApiError;
  /** The connection was reset instead of answered (dropNext). */
  dropped?: boolean;
  /** The first path segment when the apiRoot has one (`http://host/<via>/`): tells several clients apart. */
  via?: string;
}

export interface UploadedFile {
  bytes: Uint8Array;
  filename: string;
  mime: string;
}

/** A message the bot sent, in its current state (after edits). */
export interface BotMessage {
  message_id: number;
  chatId: number;
  threadId?: number;
  kind: 'text' | 'photo' | 'voice';
  /** Visible text (entities parsed out); the caption for photo/voice. */
  text: string;
  /** The raw text as sent when parse_mode was HTML. */
  html?: string;
  parseMode?: string;
  entities: ParsedEntity[];
  file?: UploadedFile;
  replyTo?: number;
  edits: number;
  /** The inline keyboard under the message, if any. */
  replyMarkup?: InlineKeyboard;
}

export interface InlineButton {
  text: string;
  callback_data?: string;
}

export interface InlineKeyboard {
  inline_keyboard: InlineButton[][];
}

/** A button press the fake sent and how the bot answered it. */
export interface CallbackQueryRecord {
  id: string;
  chatId: number;
  messageId: number;
  fromId: number;
  data: string;
  at: number;
  answer?: { text?: string; showAlert?: boolean; at: number };
}

export interface CallbackQueryInput {
  chatId: number;
  /** The bot message whose button was pressed. */
  messageId: number;
  data: string;
  from?: Partial<TgUser> & { id: number };
}

export interface DraftCall {
  chatId: number;
  threadId?: number;
  draftId: number;
  text: string;
  at: number;
}

export type DraftSupport = 'ok' | 'not-found' | 'method-not-found';

export interface RateLimit {
  /** Writes allowed per chat within `windowMs`. */
  maxCalls: number;
  windowMs: number;
  /** The least a 429 asks to wait, in Telegram seconds (scaled by `secondMs`); more if the window needs it. */
  retryAfterSec: number;
}

export interface FakeTelegramOptions {
  token?: string;
  bot?: { id: number; username: string; first_name?: string };
  /** How long an empty getUpdates is held open (capped by its own timeout). */
  pollHoldMs?: number;
  rateLimit?: RateLimit;
  /** Milliseconds per Telegram "second" in retry_after, so tests can run fast. */
  secondMs?: number;
  drafts?: DraftSupport;
}

export interface UserMessageInput {
  chatId: number;
  chatType?: 'private' | 'group' | 'supergroup';
  from?: Partial<TgUser> & { id: number };
  text?: string;
  caption?: string;
  replyToMessageId?: number;
  /** Forum topic id: sets message_thread_id and is_topic_message. */
  threadId?: number;
  photo?: { bytes: Uint8Array; width?: number; height?: number };
  voice?: { bytes: Uint8Array; duration?: number; mime?: string };
  /** A file sent as a document; `mime` omitted as Telegram omits it for unknown types. */
  document?: { bytes: Uint8Array; fileName: string; mime?: string };
}

export interface FakeTelegram {
  readonly apiRoot: string;
  readonly token: string;
  readonly bot: TgUser;
  readonly calls: ApiCall[];
  readonly messages: BotMessage[];
  readonly drafts: DraftCall[];
  readonly chatActions: { chatId: number; action: string; at: number }[];
  readonly commands: { command: string; description: string }[];
  readonly callbackQueries: CallbackQueryRecord[];
  /** Webhook URL and secret last set with setWebhook (empty after deleteWebhook). */
  readonly webhook: { url: string; secretToken?: string };
  draftSupport: DraftSupport;
  rateLimit: RateLimit | undefined;
  messagesIn(chatId: number, threadId?: number): BotMessage[];
  /** Drafts still showing: not yet replaced by a sendMessage in the same chat/thread. */
  openDrafts(chatId: number): DraftCall[];
  callsOf(method: string): ApiCall[];
  /** The next `times` calls of `method` fail with `error`. */
  failNext(method: string, error: ApiError, times?: number): void;
  /** The next `times` calls of `method` get their connection reset, with no answer. */
  dropNext(method: string, times?: number): void;
  addFile(bytes: Uint8Array, filePath: string): { file_id: string; file_unique_id: string; file_size: number };
  /** Queues an update built from a user message; returns the message object. */
  sendUserMessage(input: UserMessageInput): Record<string, unknown>;
  pushUpdate(update: Record<string, unknown>): void;
  /** Hands every update from now on to `deliver` instead of queueing it for getUpdates (the
   * webhook load balancer in balancer.ts); undefined goes back to getUpdates. */
  deliverUpdatesTo(deliver: ((update: Record<string, unknown>) => void) | undefined): void;
  /** Queues a callback_query update: a user pressed a button under one of the bot's messages. */
  sendCallbackQuery(input: CallbackQueryInput): CallbackQueryRecord;
  /** The text of every button under a message, row by row. */
  buttonsOf(msg: BotMessage): InlineButton[];
  waitFor(predicate: () => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

const units = (s: string) => s.length;

class BotApiFailure extends Error {
  constructor(readonly error: ApiError) {
    super(error.description);
  }
}
const bad = (description: string, error_code = 400): never => {
  throw new BotApiFailure({ error_code, description });
};

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const buf = Buffer.concat(chunks);
  const type = req.headers['content-type'] ?? '';
  if (type.startsWith('multipart/form-data')) {
    const form = await new Response(buf, { headers: { 'content-type': type } }).formData();
    const out: Record<string, unknown> = {};
    for (const [key, value] of form.entries()) {
      if (typeof value === 'string') out[key] = value;
      else out[key] = { bytes: new Uint8Array(await value.arrayBuffer()), filename: value.name, mime: value.type } satisfies UploadedFile;
    }
    return out;
  }
  if (buf.length === 0) return {};
  return JSON.parse(buf.toString('utf8')) as Record<string, unknown>;
}

export async function startFakeTelegram(options: FakeTelegramOptions = {}): Promise<FakeTelegram> {
  const token = options.token ?? '123456:TEST-fake-token';
  const bot: TgUser = {
    id: options.bot?.id ?? 1000,
    is_bot: true,
    first_name: options.bot?.first_name ?? 'Parley',
    username: options.bot?.username ?? 'parley_bot',
  };
  const pollHoldMs = options.pollHoldMs ?? DEFAULT_POLL_HOLD_MS;
  const secondMs = options.secondMs ?? 1_000;

  const calls: ApiCall[] = [];
  const messages: BotMessage[] = [];
  const drafts: DraftCall[] = [];
  const chatActions: FakeTelegram['chatActions'] = [];
  const commands: FakeTelegram['commands'] = [];
  const callbackQueries: CallbackQueryRecord[] = [];
  let nextCallbackId = 1;
  const webhook: FakeTelegram['webhook'] = { url: '' };
  const files = new Map<string, { bytes: Uint8Array; path: string }>();
  const injected = new Map<string, { error: ApiError; times: number }>();
  const drops = new Map<string, number>();
  const openDraftByScope = new Map<string, DraftCall>();
  const writesByChat = new Map<number, number[]>();
  const blockedUntilByChat = new Map<number, number>();
  const pending: Record<string, unknown>[] = [];
  const pollWaiters = new Set<() => void>();
  let deliver: ((update: Record<string, unknown>) => void) | undefined;
  let nextUpdateId = 1;
  const nextMessageIdByChat = new Map<number, number>();
  let closed = false;

  const allocMessageId = (chatId: number) => {
    const id = (nextMessageIdByChat.get(chatId) ?? 0) + 1;
    nextMessageIdByChat.set(chatId, id);
    return id;
  };
  const scopeKey = (chatId: number, threadId?: number) => `${chatId}:${threadId ?? 0}`;
  const wakePollers = () => {
    for (const w of [...pollWaiters]) w();
  };

  function enforceRateLimit(method: string, chatId: number) {
    if (!WRITE_METHODS.has(method)) return;
    const now = Date.now();
    const blockedUntil = blockedUntilByChat.get(chatId) ?? 0;
    const tooMany = (retryAfter: number) => {
      throw new BotApiFailure({
        error_code: 429,
        description: `Too Many Requests: retry after ${retryAfter}`,
        parameters: { retry_after: retryAfter },
      });
    };
    if (now < blockedUntil) tooMany(Math.max(1, Math.ceil((blockedUntil - now) / secondMs)));
    const limit = fake.rateLimit;
    if (!limit) return;
    const recent = (writesByChat.get(chatId) ?? []).filter((t) => now - t < limit.windowMs);
    if (recent.length >= limit.maxCalls) {
      // Like Telegram, retry_after is at least long enough for the window to allow a write again.
      const windowFreesIn = Math.ceil((recent[0]! + limit.windowMs - now) / secondMs);
      const retryAfter = Math.max(limit.retryAfterSec, windowFreesIn);
      blockedUntilByChat.set(chatId, now + retryAfter * secondMs);
      writesByChat.set(chatId, recent);
      tooMany(retryAfter);
    }
    recent.push(now);
    writesByChat.set(chatId, recent);
  }

  /** Parses text per parse_mode and checks its length, as Telegram does before sending. */
  function parseText(raw: unknown, parseMode: unknown, maxUnits: number, what: 'message' | 'caption') {
    const text = typeof raw === 'string' ? raw : '';
    let visible = text;
    let entities: ParsedEntity[] = [];
    if (parseMode === 'HTML') {
      const parsed = parseTelegramHtml(text);
      if (!parsed.ok) bad(parsed.error);
      else ({ text: visible, entities } = parsed);
    } else if (parseMode !== undefined) {
      bad(`Bad Request: unsupported parse_mode in fake: ${String(parseMode)}`);
    }
    if (what === 'message' && visible.trim() === '') bad('Bad Request: message text is empty');
    if (units(visible) > maxUnits) bad(what === 'message' ? 'Bad Request: message is too long' : 'Bad Request: message caption is too long');
    return { visible, entities, html: parseMode === 'HTML' ? text : undefined };
  }

  const chatIdOf = (p: Record<string, unknown>) => {
    const id = Number(p.chat_id);
    if (!Number.isFinite(id) || id === 0) bad('Bad Request: chat not found');
    return id;
  };
  const threadOf = (p: Record<string, unknown>) => (p.message_thread_id === undefined ? undefined : Number(p.message_thread_id));
  const replyToOf = (p: Record<string, unknown>) => {
    const params = typeof p.reply_parameters === 'string' ? JSON.parse(p.reply_parameters) : p.reply_parameters;
    const id = (params as { message_id?: number } | undefined)?.message_id ?? p.reply_to_message_id;
    return id === undefined ? undefined : Number(id);
  };
  const messageResult = (m: BotMessage) => ({
    message_id: m.message_id,
    date: Math.floor(Date.now() / 1000),
    chat: { id: m.chatId, type: m.chatId > 0 ? 'private' : 'supergroup' },
    from: bot,
    ...(m.threadId !== undefined ? { message_thread_id: m.threadId } : {}),
    ...(m.kind === 'text' ? { text: m.text } : { caption: m.text }),
    ...(m.entities.length ? { entities: m.entities } : {}),
  });
  /** reply_markup as sent (JSON, or a string in multipart); only inline keyboards are modelled. */
  const markupOf = (p: Record<string, unknown>): InlineKeyboard | undefined => {
    const raw = typeof p.reply_markup === 'string' ? (JSON.parse(p.reply_markup) as unknown) : p.reply_markup;
    if (raw === undefined) return undefined;
    const rows = (raw as { inline_keyboard?: unknown }).inline_keyboard;
    if (!Array.isArray(rows)) return bad('Bad Request: reply markup is not an inline keyboard');
    for (const b of rows.flat() as InlineButton[]) {
      if (!b.text) bad('Bad Request: text buttons are unallowed in the inline keyboard');
      if (b.callback_data !== undefined && Buffer.byteLength(b.callback_data) > 64) bad('Bad Request: BUTTON_DATA_INVALID');
    }
    return rows.length > 0 ? { inline_keyboard: rows as InlineButton[][] } : undefined;
  };
  const store = (m: Omit<BotMessage, 'message_id' | 'edits'>) => {
    const msg: BotMessage = { ...m, message_id: allocMessageId(m.chatId), edits: 0 };
    messages.push(msg);
    // A real message replaces the draft preview in that chat/thread.
    openDraftByScope.delete(scopeKey(m.chatId, m.threadId));
    return msg;
  };

  function sendFile(p: Record<string, unknown>, kind: 'photo' | 'voice') {
    const chatId = chatIdOf(p);
    const file = p[kind];
    if (!file || typeof file !== 'object' || !('bytes' in file)) bad(`Bad Request: there is no ${kind} in the request`);
    const caption = parseText(p.caption, p.parse_mode, MAX_CAPTION_UNITS, 'caption');
    const msg = store({
      chatId,
      threadId: threadOf(p),
      kind,
      text: caption.visible,
      html: caption.html,
      entities: caption.entities,
      file: file as UploadedFile,
      replyTo: replyToOf(p),
    });
    return messageResult(msg);
  }

  /** Update kinds the bot asked for (allowed_updates sticks until changed); undefined = all. */
  let allowedUpdates: string[] | undefined;
  /** Telegram never delivers (nor keeps) updates of a kind the bot did not ask for. */
  const dropUnwanted = () => {
    if (!allowedUpdates) return;
    const wanted = allowedUpdates;
    for (let i = pending.length - 1; i >= 0; i--) if (!wanted.some((kind) => kind in pending[i]!)) pending.splice(i, 1);
  };

  async function getUpdates(p: Record<string, unknown>, req: IncomingMessage): Promise<unknown> {
    const offset = Number(p.offset ?? 0);
    const limit = Math.min(100, Number(p.limit ?? 100));
    const timeoutMs = Number(p.timeout ?? 0) * 1000;
    const asked = typeof p.allowed_updates === 'string' ? (JSON.parse(p.allowed_updates) as unknown) : p.allowed_updates;
    if (Array.isArray(asked)) allowedUpdates = asked.length > 0 ? asked.map(String) : undefined;
    dropUnwanted();
    // offset confirms every update below it: Telegram forgets them.
    while (pending.length && Number(pending[0]!.update_id) < offset) pending.shift();
    if (pending.length === 0 && timeoutMs > 0 && !closed) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          pollWaiters.delete(done);
          req.off('close', done);
          resolve();
        };
        const timer = setTimeout(done, Math.min(timeoutMs, pollHoldMs));
        pollWaiters.add(done);
        req.on('close', done);
      });
    }
    dropUnwanted();
    return pending.filter((u) => Number(u.update_id) >= offset).slice(0, limit);
  }

  const handlers: Record<string, (p: Record<string, unknown>, req: IncomingMessage) => unknown> = {
    getMe: () => ({ ...bot, can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false }),
    getUpdates,
    deleteWebhook: () => {
      webhook.url = '';
      webhook.secretToken = undefined;
      return true;
    },
    setWebhook: (p) => {
      webhook.url = String(p.url ?? '');
      webhook.secretToken = p.secret_token === undefined ? undefined : String(p.secret_token);
      return true;
    },
    setMyCommands: (p) => {
      const list = (typeof p.commands === 'string' ? JSON.parse(p.commands) : p.commands) as FakeTelegram['commands'];
      if (!Array.isArray(list)) bad('Bad Request: commands must be an array');
      for (const c of list) {
        if (!/^[a-z0-9_]{1,32}$/.test(c.command)) bad('Bad Request: BOT_COMMAND_INVALID');
        if (!c.description || c.description.length > 256) bad('Bad Request: BOT_COMMAND_DESCRIPTION_INVALID');
      }
      commands.splice(0, commands.length, ...list);
      return true;
    },
    getMyCommands: () => commands,
    sendChatAction: (p) => {
      chatActions.push({ chatId: chatIdOf(p), action: String(p.action), at: Date.now() });
      return true;
    },
    sendMessage: (p) => {
      const chatId = chatIdOf(p);
      const parsed = parseText(p.text, p.parse_mode, MAX_MESSAGE_UNITS, 'message');
      const msg = store({
        chatId,
        threadId: threadOf(p),
        kind: 'text',
        text: parsed.visible,
        html: parsed.html,
        parseMode: p.parse_mode === undefined ? undefined : String(p.parse_mode),
        entities: parsed.entities,
        replyTo: replyToOf(p),
        replyMarkup: markupOf(p),
      });
      return messageResult(msg);
    },
    editMessageText: (p) => {
      const chatId = chatIdOf(p);
      const msg = messages.find((m) => m.chatId === chatId && m.message_id === Number(p.message_id));
      if (!msg || msg.kind !== 'text') return bad('Bad Request: message to edit not found');
      const parsed = parseText(p.text, p.parse_mode, MAX_MESSAGE_UNITS, 'message');
      const same = parsed.visible === msg.text && JSON.stringify(parsed.entities) === JSON.stringify(msg.entities);
      if (same) bad(NOT_MODIFIED);
      Object.assign(msg, {
        text: parsed.visible,
        html: parsed.html,
        parseMode: p.parse_mode === undefined ? undefined : String(p.parse_mode),
        entities: parsed.entities,
        edits: msg.edits + 1,
        // Telegram drops the keyboard of a message edited without one.
        replyMarkup: markupOf(p),
      });
      return messageResult(msg);
    },
    editMessageReplyMarkup: (p) => {
      const chatId = chatIdOf(p);
      const msg = messages.find((m) => m.chatId === chatId && m.message_id === Number(p.message_id));
      if (!msg) return bad('Bad Request: message to edit not found');
      const next = markupOf(p);
      if (JSON.stringify(next) === JSON.stringify(msg.replyMarkup)) bad(NOT_MODIFIED);
      msg.replyMarkup = next;
      return messageResult(msg);
    },
    answerCallbackQuery: (p) => {
      const query = callbackQueries.find((q) => q.id === String(p.callback_query_id));
      if (!query || query.answer) return bad('Bad Request: query is too old and response timeout expired or query ID is invalid');
      query.answer = {
        ...(p.text !== undefined ? { text: String(p.text) } : {}),
        ...(p.show_alert !== undefined ? { showAlert: Boolean(p.show_alert) } : {}),
        at: Date.now(),
      };
      return true;
    },
    sendMessageDraft: (p) => {
      if (fake.draftSupport === 'not-found') bad('Not Found', 404);
      if (fake.draftSupport === 'method-not-found') bad('Bad Request: method not found');
      const chatId = chatIdOf(p);
      if (chatId < 0) bad('Bad Request: TEXTDRAFT_PEER_INVALID');
      const draftId = Number(p.draft_id);
      if (!Number.isInteger(draftId) || draftId === 0) bad('Bad Request: draft_id must be non-zero');
      const text = typeof p.text === 'string' ? p.text : '';
      const parsed = text === '' ? { visible: '' } : parseText(text, p.parse_mode, MAX_MESSAGE_UNITS, 'message');
      const draft: DraftCall = { chatId, threadId: threadOf(p), draftId, text: parsed.visible, at: Date.now() };
      drafts.push(draft);
      openDraftByScope.set(scopeKey(chatId, draft.threadId), draft);
      return true;
    },
    sendPhoto: (p) => sendFile(p, 'photo'),
    sendVoice: (p) => sendFile(p, 'voice'),
    getFile: (p) => {
      const file = files.get(String(p.file_id));
      if (!file) return bad('Bad Request: invalid file_id');
      return { file_id: p.file_id, file_unique_id: `u${String(p.file_id)}`, file_size: file.bytes.length, file_path: file.path };
    },
    deleteMessage: (p) => {
      const chatId = chatIdOf(p);
      const i = messages.findIndex((m) => m.chatId === chatId && m.message_id === Number(p.message_id));
      if (i < 0) bad('Bad Request: message to delete not found');
      messages.splice(i, 1);
      return true;
    },
  };

  async function handleApi(method: string, via: string | undefined, req: IncomingMessage, res: ServerResponse) {
    const payload = await readBody(req);
    const call: ApiCall = { method, payload, at: Date.now(), ...(via ? { via } : {}) };
    calls.push(call);
    const reply = (status: number, body: unknown) => {
      if (res.destroyed) return;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const toDrop = drops.get(method) ?? 0;
    if (toDrop > 0) {
      drops.set(method, toDrop - 1);
      call.dropped = true;
      req.socket.destroy();
      return;
    }
    try {
      const handler = handlers[method];
      if (!handler) bad('Not Found', 404);
      const inj = injected.get(method);
      if (inj && inj.times > 0) {
        inj.times -= 1;
        throw new BotApiFailure(inj.error);
      }
      if (WRITE_METHODS.has(method)) enforceRateLimit(method, chatIdOf(payload));
      const result = await handler!(payload, req);
      reply(200, { ok: true, result });
    } catch (err) {
      if (!(err instanceof BotApiFailure)) throw err;
      call.error = err.error;
      reply(err.error.error_code, { ok: false, ...err.error });
    }
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const api = /^(?:\/([\w-]+))?\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
    const file = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    const match = api ? [api[0], api[2]] : file;
    if (!match || match[1] !== token) {
      res.writeHead(match ? 401 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: false, error_code: match ? 401 : 404, description: match ? 'Unauthorized' : 'Not Found' }));
      return;
    }
    if (file) {
      const found = [...files.values()].find((f) => f.path === decodeURIComponent(file[2]!));
      res.writeHead(found ? 200 : 404, { 'content-type': 'application/octet-stream' });
      res.end(found ? Buffer.from(found.bytes) : undefined);
      return;
    }
    handleApi(api![3]!, api![1], req, res).catch((err: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  let fileSeq = 0;

  const fake: FakeTelegram = {
    apiRoot: `http://127.0.0.1:${port}`,
    token,
    bot,
    calls,
    messages,
    drafts,
    chatActions,
    commands,
    callbackQueries,
    webhook,
    draftSupport: options.drafts ?? 'ok',
    rateLimit: options.rateLimit,
    messagesIn: (chatId, threadId) =>
      messages.filter((m) => m.chatId === chatId && (threadId === undefined || m.threadId === threadId)),
    openDrafts: (chatId) => [...openDraftByScope.values()].filter((d) => d.chatId === chatId),
    callsOf: (method) => calls.filter((c) => c.method === method),
    failNext(method, error, times = 1) {
      injected.set(method, { error, times });
    },
    dropNext(method, times = 1) {
      drops.set(method, times);
    },
    addFile(bytes, filePath) {
      fileSeq += 1;
      const fileId = `file-${fileSeq}`;
      files.set(fileId, { bytes, path: filePath });
      return { file_id: fileId, file_unique_id: `u${fileId}`, file_size: bytes.length };
    },
    sendUserMessage(input) {
      const chatType = input.chatType ?? (input.chatId > 0 ? 'private' : 'supergroup');
      const from: TgUser = { is_bot: false, first_name: 'Alice', username: 'alice', ...input.from, id: input.from?.id ?? input.chatId };
      const message: Record<string, unknown> = {
        message_id: allocMessageId(input.chatId),
        date: Math.floor(Date.now() / 1000),
        chat: chatType === 'private' ? { id: input.chatId, type: 'private', first_name: from.first_name } : { id: input.chatId, type: chatType, title: 'Group', ...(input.threadId ? { is_forum: true } : {}) },
        from,
      };
      if (input.threadId !== undefined) Object.assign(message, { message_thread_id: input.threadId, is_topic_message: true });
      const body = input.text ?? input.caption;
      if (body !== undefined) {
        const entities = detectEntities(body);
        if (input.text !== undefined) Object.assign(message, { text: body, ...(entities.length ? { entities } : {}) });
        else Object.assign(message, { caption: body, ...(entities.length ? { caption_entities: entities } : {}) });
      }
      if (input.replyToMessageId !== undefined) {
        const original = messages.find((m) => m.chatId === input.chatId && m.message_id === input.replyToMessageId);
        message.reply_to_message = {
          message_id: input.replyToMessageId,
          date: message.date,
          chat: message.chat,
          from: original ? bot : from,
          text: original?.text ?? '',
        };
      }
      if (input.photo) {
        const f = fake.addFile(input.photo.bytes, `photos/file_${fileSeq + 1}.jpg`);
        const width = input.photo.width ?? 800;
        const height = input.photo.height ?? 600;
        const thumb = fake.addFile(input.photo.bytes.slice(0, 16), `photos/thumb_${fileSeq + 1}.jpg`);
        message.photo = [
          { ...thumb, width: 90, height: 67 },
          { ...f, width, height },
        ];
      }
      if (input.voice) {
        const f = fake.addFile(input.voice.bytes, `voice/file_${fileSeq + 1}.oga`);
        message.voice = { ...f, duration: input.voice.duration ?? 2, mime_type: input.voice.mime ?? 'audio/ogg' };
      }
      if (input.document) {
        const f = fake.addFile(input.document.bytes, `documents/file_${fileSeq + 1}`);
        message.document = { ...f, file_name: input.document.fileName, ...(input.document.mime ? { mime_type: input.document.mime } : {}) };
      }
      fake.pushUpdate({ message });
      return message;
    },
    sendCallbackQuery(input) {
      const from: TgUser = { is_bot: false, first_name: 'Alice', username: 'alice', ...input.from, id: input.from?.id ?? input.chatId };
      const original = messages.find((m) => m.chatId === input.chatId && m.message_id === input.messageId);
      const chat = input.chatId > 0 ? { id: input.chatId, type: 'private', first_name: from.first_name } : { id: input.chatId, type: 'supergroup', title: 'Group' };
      const record: CallbackQueryRecord = {
        id: String(nextCallbackId++),
        chatId: input.chatId,
        messageId: input.messageId,
        fromId: from.id,
        data: input.data,
        at: Date.now(),
      };
      callbackQueries.push(record);
      fake.pushUpdate({
        callback_query: {
          id: record.id,
          from,
          chat_instance: `ci${input.chatId}`,
          data: input.data,
          message: {
            message_id: input.messageId,
            date: Math.floor(Date.now() / 1000),
            chat,
            from: bot,
            text: original?.text ?? '',
            ...(original?.replyMarkup ? { reply_markup: original.replyMarkup } : {}),
          },
        },
      });
      return record;
    },
    buttonsOf: (msg) => msg.replyMarkup?.inline_keyboard.flat() ?? [],
    pushUpdate(update) {
      const full = { update_id: nextUpdateId++, ...update };
      if (deliver) return deliver(full);
      pending.push(full);
      wakePollers();
    },
    deliverUpdatesTo(next) {
      deliver = next;
    },
    async waitFor(predicate, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate()) {
        if (Date.now() > deadline) throw new Error(`fake telegram: condition not met within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, WAIT_FOR_POLL_MS));
      }
    },
    async close() {
      closed = true;
      wakePollers();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return fake;
}

/** bot_command at the start and @mentions anywhere, as Telegram's clients mark them. */
function detectEntities(text: string): { type: string; offset: number; length: number }[] {
  const entities: { type: string; offset: number; length: number }[] = [];
  const command = /^\/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]{3,32})?/.exec(text);
  if (command) entities.push({ type: 'bot_command', offset: 0, length: command[0].length });
  for (const m of text.matchAll(/(^|[^\w/])(@[A-Za-z0-9_]{3,32})/g)) {
    entities.push({ type: 'mention', offset: m.index + m[1]!.length, length: m[2]!.length });
  }
  return entities;
}
