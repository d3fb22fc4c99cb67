// The fake Discord REST API (the routes the adapter uses), enforcing Discord's limits:
// 2,000 characters per message, no empty messages, upload size, per-channel rate limits
// (429 with the real headers) and the 3-second interaction deadline.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FAKE_ERRORS, type FakeError } from './errors.js';
import { userPayload, type FakeUser } from './payloads.js';
import type { RateLimiter } from './ratelimit.js';
import { snowflake } from './snowflake.js';
import type { CommandData, FakeDiscordState, StoredFile, StoredMessage } from './state.js';

export const API_PREFIX = '/api/v10';

export interface RestOptions {
  token: string;
  applicationId: string;
  bot: FakeUser;
  maxContentChars: number;
  maxUploadBytes: number;
  interactionDeadlineMs: number;
  /** Send x-ratelimit-* headers on successful responses too, as Discord does. */
  advertiseRateLimits: boolean;
  gatewayUrl: () => string;
  /** The shard count GET /gateway/bot recommends (default 1). */
  shards?: number;
}

interface Ctx {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  /** JSON body (payload_json for multipart). */
  body: Record<string, unknown>;
  files: StoredFile[];
  res: ServerResponse;
  extraHeaders: Record<string, string>;
  /** Which client called, when it came through `/i/<instance>/api` (several parley processes). */
  instance?: string;
}

/** A route's captured ids, in order; routes capture at most three. */
type Params = [string, string, string];
type Handler = (ctx: Ctx, params: Params) => Reply | Promise<Reply>;
interface Reply {
  status: number;
  json?: unknown;
}

interface Route {
  method: string;
  pattern: RegExp;
  auth: boolean;
  handler: Handler;
}

const ok = (json: unknown): Reply => ({ status: 200, json });
const noContent: Reply = { status: 204 };
const fail = (e: FakeError): Reply => ({ status: e.status, json: { message: e.message, code: e.code, ...(e.errors ? { errors: e.errors } : {}) } });

export class FakeRest {
  private readonly routes: Route[];

  constructor(
    private readonly state: FakeDiscordState,
    private readonly limiter: RateLimiter,
    private readonly opts: RestOptions,
  ) {
    const id = '(\\d+)';
    const token = '([^/]+)';
    this.routes = [
      { method: 'GET', pattern: /^\/gateway\/bot$/, auth: true, handler: () => this.gatewayBot() },
      { method: 'GET', pattern: /^\/gateway$/, auth: false, handler: () => ok({ url: this.opts.gatewayUrl() }) },
      { method: 'GET', pattern: /^\/users\/@me$/, auth: true, handler: () => ok(userPayload(this.opts.bot)) },
      { method: 'POST', pattern: new RegExp(`^/channels/${id}/typing$`), auth: true, handler: () => this.typing() },
      { method: 'POST', pattern: new RegExp(`^/channels/${id}/messages$`), auth: true, handler: (c, p) => this.createMessage(c, p[0]) },
      { method: 'PATCH', pattern: new RegExp(`^/channels/${id}/messages/${id}$`), auth: true, handler: (c, p) => this.editMessage(c, p[0], p[1]) },
      { method: 'GET', pattern: new RegExp(`^/channels/${id}/messages/${id}$`), auth: true, handler: (_c, p) => this.getMessage(p[0], p[1]) },
      { method: 'DELETE', pattern: new RegExp(`^/channels/${id}/messages/${id}$`), auth: true, handler: (_c, p) => this.deleteMessage(p[0], p[1]) },
      { method: 'GET', pattern: new RegExp(`^/applications/${id}/commands$`), auth: true, handler: () => ok(this.state.globalCommands) },
      { method: 'PUT', pattern: new RegExp(`^/applications/${id}/commands$`), auth: true, handler: (c) => this.putCommands(c, undefined) },
      { method: 'GET', pattern: new RegExp(`^/applications/${id}/guilds/${id}/commands$`), auth: true, handler: (_c, p) => ok(this.state.guildCommands.get(p[1]) ?? []) },
      { method: 'PUT', pattern: new RegExp(`^/applications/${id}/guilds/${id}/commands$`), auth: true, handler: (c, p) => this.putCommands(c, p[1]) },
      { method: 'POST', pattern: new RegExp(`^/interactions/${id}/${token}/callback$`), auth: false, handler: (c, p) => this.interactionCallback(c, p[0], p[1]) },
      { method: 'POST', pattern: new RegExp(`^/webhooks/${id}/${token}$`), auth: false, handler: (c, p) => this.followUp(c, p[1]) },
      { method: 'PATCH', pattern: new RegExp(`^/webhooks/${id}/${token}/messages/([^/]+)$`), auth: false, handler: (c, p) => this.editWebhookMessage(c, p[1], p[2]) },
      { method: 'GET', pattern: new RegExp(`^/webhooks/${id}/${token}/messages/([^/]+)$`), auth: false, handler: (_c, p) => this.getWebhookMessage(p[1], p[2]) },
      { method: 'DELETE', pattern: new RegExp(`^/webhooks/${id}/${token}/messages/([^/]+)$`), auth: false, handler: (_c, p) => this.deleteWebhookMessage(p[1], p[2]) },
    ];
  }

  async handle(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams, instance?: string): Promise<void> {
    const method = req.method ?? 'GET';
    const raw = await readBody(req);
    let body: Record<string, unknown> = {};
    let files: StoredFile[] = [];
    try {
      ({ body, files } = await parseBody(raw, req.headers['content-type']));
    } catch {
      return this.finish({ method, path, query, status: 400, body: null }, res, fail(FAKE_ERRORS.invalidBody), {});
    }
    const ctx: Ctx = { method, path, query, headers: req.headers, body, files, res, extraHeaders: {}, instance };
    const reply = await this.route(ctx);
    this.finish({ method, path, query, status: reply.status, body: files.length ? { ...body, files: files.map((f) => f.filename) } : body }, res, reply, ctx.extraHeaders);
  }

  private async route(ctx: Ctx): Promise<Reply> {
    for (const route of this.routes) {
      if (route.method !== ctx.method) continue;
      const match = route.pattern.exec(ctx.path);
      if (!match) continue;
      if (route.auth && ctx.headers.authorization !== `Bot ${this.opts.token}`) return fail(FAKE_ERRORS.unauthorized);
      const [a = '', b = '', c = ''] = match.slice(1);
      return route.handler(ctx, [a, b, c]);
    }
    return fail(FAKE_ERRORS.notFound);
  }

  private finish(
    rec: { method: string; path: string; query: URLSearchParams; status: number; body: unknown },
    res: ServerResponse,
    reply: Reply,
    headers: Record<string, string>,
  ): void {
    this.state.requests.push({ method: rec.method, path: rec.path, query: rec.query.toString(), status: rec.status, body: rec.body, headers, at: Date.now() });
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    // A 204 must carry no content-type: undici chokes on an empty JSON body.
    if (reply.status === 204 || reply.json === undefined) {
      res.writeHead(reply.status);
      res.end();
      return;
    }
    res.writeHead(reply.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(reply.json));
  }

  // ---- rate limits -------------------------------------------------------------------------

  /** Counts a write against its bucket; returns a 429 reply when over the limit. */
  private limited(ctx: Ctx, route: string, majorId: string): Reply | undefined {
    const verdict = this.limiter.take(route, majorId);
    if (verdict.allowed) {
      if (this.opts.advertiseRateLimits) Object.assign(ctx.extraHeaders, verdict.headers);
      return undefined;
    }
    Object.assign(ctx.extraHeaders, verdict.headers);
    return { status: 429, json: { message: 'You are being rate limited.', retry_after: verdict.retryAfter, global: false } };
  }

  // ---- routes ------------------------------------------------------------------------------

  private gatewayBot(): Reply {
    return ok({
      url: this.opts.gatewayUrl(),
      shards: this.opts.shards ?? 1,
      session_start_limit: { total: 1000, remaining: 1000, reset_after: 0, max_concurrency: 1 },
    });
  }

  private typing(): Reply {
    this.state.typingCount++;
    return noContent;
  }

  private createMessage(ctx: Ctx, channelId: string): Reply {
    const limited = this.limited(ctx, 'POST /channels/:id/messages', channelId);
    if (limited) return limited;
    const invalid = this.validateContent(ctx, true);
    if (invalid) return invalid;
    const ref = ctx.body.message_reference as { message_id?: string } | undefined;
    const message = this.store({ channelId, ctx, replyTo: ref?.message_id });
    return ok(this.toPayload(message));
  }

  private editMessage(ctx: Ctx, channelId: string, messageId: string): Reply {
    const limited = this.limited(ctx, 'PATCH /channels/:id/messages/:id', channelId);
    if (limited) return limited;
    const message = this.state.messages.get(messageId);
    if (!message || message.deleted || message.channelId !== channelId) {
      return this.state.userMessages.has(messageId) ? fail(FAKE_ERRORS.cannotEditOthers) : fail(FAKE_ERRORS.unknownMessage);
    }
    const invalid = this.validateContent(ctx, false);
    if (invalid) return invalid;
    this.applyEdit(message, ctx);
    return ok(this.toPayload(message));
  }

  private getMessage(channelId: string, messageId: string): Reply {
    const own = this.state.messages.get(messageId);
    if (own && own.channelId === channelId && !own.deleted) return ok(this.toPayload(own));
    const user = this.state.userMessages.get(messageId);
    if (user) return ok(user);
    return fail(FAKE_ERRORS.unknownMessage);
  }

  private deleteMessage(channelId: string, messageId: string): Reply {
    const message = this.state.messages.get(messageId);
    if (!message || message.channelId !== channelId) return fail(FAKE_ERRORS.unknownMessage);
    message.deleted = true;
    return noContent;
  }

  private putCommands(ctx: Ctx, guildId: string | undefined): Reply {
    const list = Array.isArray(ctx.body) ? (ctx.body as Record<string, unknown>[]) : [];
    this.state.commandPuts.push(guildId ?? 'global');
    const stored: CommandData[] = list.map((c) => ({
      // Discord fills in defaults the bot did not send; a bot comparing naively re-registers forever.
      type: 1,
      default_member_permissions: null,
      nsfw: false,
      integration_types: [0],
      contexts: null,
      ...c,
      id: snowflake(),
      application_id: this.opts.applicationId,
      ...(guildId ? { guild_id: guildId } : {}),
      version: snowflake(),
      name: String(c.name),
      description: String(c.description ?? ''),
    }));
    if (guildId) this.state.guildCommands.set(guildId, stored);
    else this.state.globalCommands.splice(0, this.state.globalCommands.length, ...stored);
    return ok(stored);
  }

  private interactionCallback(ctx: Ctx, interactionId: string, token: string): Reply {
    const interaction = this.state.interactions.get(interactionId);
    if (!interaction || interaction.token !== token) return fail(FAKE_ERRORS.unknownInteraction);
    if (interaction.callbackType !== undefined) {
      interaction.rejected = 'already acknowledged';
      return fail(FAKE_ERRORS.alreadyAcknowledged);
    }
    if (Date.now() - interaction.createdAt > this.opts.interactionDeadlineMs) {
      interaction.rejected = 'deadline passed';
      return fail(FAKE_ERRORS.unknownInteraction);
    }
    const type = Number(ctx.body.type);
    const data = (ctx.body.data ?? {}) as Record<string, unknown>;
    interaction.callbackType = type;
    interaction.callbackAt = Date.now();
    if (type === 8) {
      interaction.choices = (data.choices as { name: string; value: string }[]) ?? [];
    } else if (type === 4 || type === 5) {
      const sub: Ctx = { ...ctx, body: type === 4 ? data : { content: '', flags: data.flags } };
      if (type === 4) {
        const invalid = this.validateContent(sub, true);
        if (invalid) return invalid;
      }
      const message = this.store({ channelId: interaction.channelId, ctx: sub, interactionId, isOriginal: true });
      interaction.originalMessageId = message.id;
    }
    if (ctx.query.get('with_response') === 'true') {
      const original = interaction.originalMessageId ? this.state.messages.get(interaction.originalMessageId) : undefined;
      return ok({
        interaction: { id: interaction.id, type: 2, response_message_id: original?.id ?? null, response_message_loading: type === 5, response_message_ephemeral: false },
        resource: { type, ...(original ? { message: this.toPayload(original) } : {}) },
      });
    }
    return noContent;
  }

  private interactionByToken(token: string) {
    return [...this.state.interactions.values()].find((i) => i.token === token);
  }

  private webhookMessage(token: string, messageId: string): StoredMessage | undefined {
    const interaction = this.interactionByToken(token);
    if (!interaction) return undefined;
    const id = messageId === '@original' ? interaction.originalMessageId : messageId;
    const message = id ? this.state.messages.get(id) : undefined;
    return message && message.interactionId === interaction.id && !message.deleted ? message : undefined;
  }

  private followUp(ctx: Ctx, token: string): Reply {
    const interaction = this.interactionByToken(token);
    if (!interaction) return fail(FAKE_ERRORS.unknownWebhook);
    // Discord refuses follow-ups before the interaction was acknowledged.
    if (interaction.callbackType === undefined) return fail(FAKE_ERRORS.unknownWebhook);
    const limited = this.limited(ctx, 'POST /webhooks/:id/:token', token);
    if (limited) return limited;
    const invalid = this.validateContent(ctx, true);
    if (invalid) return invalid;
    const message = this.store({ channelId: interaction.channelId, ctx, interactionId: interaction.id });
    return ok(this.toPayload(message));
  }

  private editWebhookMessage(ctx: Ctx, token: string, messageId: string): Reply {
    const limited = this.limited(ctx, 'PATCH /webhooks/:id/:token/messages/:id', token);
    if (limited) return limited;
    const message = this.webhookMessage(token, messageId);
    if (!message) return fail(FAKE_ERRORS.unknownMessage);
    const invalid = this.validateContent(ctx, false);
    if (invalid) return invalid;
    this.applyEdit(message, ctx);
    return ok(this.toPayload(message));
  }

  private getWebhookMessage(token: string, messageId: string): Reply {
    const message = this.webhookMessage(token, messageId);
    return message ? ok(this.toPayload(message)) : fail(FAKE_ERRORS.unknownMessage);
  }

  private deleteWebhookMessage(token: string, messageId: string): Reply {
    const message = this.webhookMessage(token, messageId);
    if (!message) return fail(FAKE_ERRORS.unknownMessage);
    message.deleted = true;
    return noContent;
  }

  // ---- messages ----------------------------------------------------------------------------

  /** Discord's checks on message bodies: length, emptiness, upload size. */
  private validateContent(ctx: Ctx, creating: boolean): Reply | undefined {
    const content = typeof ctx.body.content === 'string' ? ctx.body.content : '';
    if ([...content].length > this.opts.maxContentChars) return fail(FAKE_ERRORS.contentTooLong(this.opts.maxContentChars));
    const hasEmbeds = Array.isArray(ctx.body.embeds) && ctx.body.embeds.length > 0;
    if (creating && !content && ctx.files.length === 0 && !hasEmbeds) return fail(FAKE_ERRORS.emptyMessage);
    const uploadBytes = ctx.files.reduce((n, f) => n + f.bytes.byteLength, 0);
    if (uploadBytes > this.opts.maxUploadBytes) return fail(FAKE_ERRORS.tooLarge);
    return undefined;
  }

  private store(args: { channelId: string; ctx: Ctx; replyTo?: string; interactionId?: string; isOriginal?: boolean }): StoredMessage {
    const { ctx } = args;
    const content = typeof ctx.body.content === 'string' ? ctx.body.content : '';
    const message: StoredMessage = {
      id: snowflake(),
      channelId: args.channelId,
      content,
      versions: [content],
      files: ctx.files,
      allowedMentions: [ctx.body.allowed_mentions],
      replyTo: args.replyTo,
      interactionId: args.interactionId,
      isOriginal: args.isOriginal,
      flags: Number(ctx.body.flags ?? 0),
      createdAt: Date.now(),
      author: userPayload(this.opts.bot),
      ...(ctx.instance ? { sentBy: ctx.instance } : {}),
    };
    this.state.messages.set(message.id, message);
    return message;
  }

  private applyEdit(message: StoredMessage, ctx: Ctx): void {
    if (typeof ctx.body.content === 'string') message.content = ctx.body.content;
    message.versions.push(message.content);
    message.allowedMentions.push(ctx.body.allowed_mentions);
    if (ctx.files.length) message.files = [...message.files, ...ctx.files];
  }

  toPayload(m: StoredMessage): Record<string, unknown> {
    // One level only, as Discord does (see withoutNestedReply in server.ts).
    const { referenced_message: _nested, ...base } = this.state.userMessages.get(m.replyTo ?? '') ?? {};
    return {
      id: m.id,
      type: m.replyTo ? 19 : 0,
      channel_id: m.channelId,
      author: m.author,
      content: m.content,
      timestamp: new Date(m.createdAt).toISOString(),
      edited_timestamp: m.versions.length > 1 ? new Date().toISOString() : null,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      attachments: m.files.map((f, i) => ({ id: `${m.id}${i}`, filename: f.filename, size: f.bytes.byteLength, content_type: f.contentType, url: `http://fake/${f.filename}`, proxy_url: `http://fake/${f.filename}` })),
      embeds: [],
      pinned: false,
      flags: m.flags,
      components: [],
      ...(m.interactionId ? { webhook_id: this.opts.applicationId, application_id: this.opts.applicationId } : {}),
      ...(m.replyTo ? { message_reference: { type: 0, message_id: m.replyTo, channel_id: m.channelId }, referenced_message: base.id ? base : null } : {}),
    };
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** JSON, or multipart with `payload_json` and `files[n]` parts, as discord.js sends uploads. */
async function parseBody(raw: Buffer, contentType: string | undefined): Promise<{ body: Record<string, unknown>; files: StoredFile[] }> {
  if (raw.length === 0) return { body: {}, files: [] };
  if (contentType?.startsWith('multipart/form-data')) {
    const form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
    const payload = form.get('payload_json');
    const body = typeof payload === 'string' ? (JSON.parse(payload) as Record<string, unknown>) : {};
    const files: StoredFile[] = [];
    for (const [name, value] of form.entries()) {
      if (!name.startsWith('files[') || typeof value === 'string') continue;
      files.push({ filename: value.name, contentType: value.type, bytes: new Uint8Array(await value.arrayBuffer()) });
    }
    return { body, files };
  }
  return { body: JSON.parse(raw.toString('utf8')) as Record<string, unknown>, files: [] };
}
