// What the Telegram adapter does with inline keyboards: /persona and /model without an argument
// answer with a picker, a finished answer in a private chat gets a regenerate button, and a pressed
// button becomes the command it stands for. Every press is answered (answerCallbackQuery) before
// any slow work, as Telegram shows a spinner until then and drops answers after a few seconds.
import type { Core } from '../../src/app.js';
import { t, type MessageId } from '../../src/conversation/index.js';
import { classifyModel } from '../../src/conversation/models.js';
import { personaCommand } from '../../src/conversation/persona-command.js';
import type { Logger } from '../../src/log.js';
import type { Command, Incoming } from '../../src/types.js';
import { ButtonBook, type ButtonAction, type ButtonScope } from './buttons.js';
import { describeTelegramError } from './errors.js';
import { line, type Locale } from './lines.js';
import type { BotApi, TelegramSurface } from './surface.js';

/** Chat models offered on the /model picker (relays list hundreds; the text answer names more). */
const MODEL_BUTTONS = 20;

/** The part of a callback_query update we use; telegraf's `CallbackQuery` is passed in as is. */
export interface TgCallbackQuery {
  id: string;
  from: { id: number; first_name: string; last_name?: string; username?: string };
  data?: string;
  message?: { message_id: number; chat: { id: number; type: string }; message_thread_id?: number };
}

export interface KeyboardDeps {
  core: Core;
  api: BotApi;
  locale: Locale;
  logger: Logger;
  surfaceFor(scope: ButtonScope): TelegramSurface;
}

export class Keyboards {
  private readonly buttons = new ButtonBook();

  constructor(private readonly deps: KeyboardDeps) {}

  /**
   * Answers `/persona` or `/model` without an argument with a picker; false when the command is
   * something else or there is nothing to pick from (the core's text answer then stands).
   */
  async showPicker(cmd: Command, scope: ButtonScope, replyTo: number | undefined): Promise<boolean> {
    const { core, locale } = this.deps;
    let text: string;
    let choices: { label: string; action: ButtonAction }[];
    const say = (id: MessageId, params?: Record<string, string | number>) => t(locale, id, params);
    if (cmd.kind === 'persona' && cmd.name === undefined && core.personas) {
      [text = ''] = await personaCommand({ store: core.store, book: core.personas, say }, scope.channel, undefined);
      choices = core.personas.all.map((p) => ({ label: p.name, action: { kind: 'persona', name: p.name } }));
      choices.push({ label: line(locale, 'defaultChoice'), action: { kind: 'persona', name: 'default' } });
    } else if (cmd.kind === 'model' && cmd.name === undefined) {
      const chatModels = (await core.manager.listModels()).filter((id) => classifyModel(id) === 'chat').slice(0, MODEL_BUTTONS);
      if (chatModels.length === 0) return false;
      text = say('model_pick', { model: await core.manager.currentModel(scope.channel) });
      choices = chatModels.map((id) => ({ label: id, action: { kind: 'model', name: id } }));
      choices.push({ label: line(locale, 'defaultChoice'), action: { kind: 'model', name: 'default' } });
    } else {
      return false;
    }
    await this.deps.api.callApi('sendMessage', {
      chat_id: scope.chatId,
      ...(scope.threadId === undefined ? {} : { message_thread_id: scope.threadId }),
      ...(replyTo === undefined ? {} : { reply_parameters: { message_id: replyTo, allow_sending_without_reply: true } }),
      text,
      reply_markup: this.buttons.picker(choices, scope),
    });
    return true;
  }

  /** After an answer in a private chat: the regenerate button under its last message. */
  async offerRegenerate(surface: TelegramSurface, scope: ButtonScope): Promise<void> {
    if (!scope.isDirect) return;
    const markup = this.buttons.regenerate(scope, line(this.deps.locale, 'regenerate'));
    await surface.attachKeyboard(markup).catch((err: unknown) => this.deps.logger.debug({ err: describeTelegramError(err) }, 'regenerate button not attached'));
  }

  /** A pressed button: answered at once, then run as the command it stands for. */
  async onCallbackQuery(q: TgCallbackQuery): Promise<void> {
    const { api, locale, core, logger } = this.deps;
    const answer = (text?: string, alert = false) =>
      api
        .callApi('answerCallbackQuery', { callback_query_id: q.id, ...(text ? { text } : {}), ...(alert ? { show_alert: true } : {}) })
        .catch((err: unknown) => logger.debug({ err: describeTelegramError(err) }, 'callback query not answered'));
    const entry = this.buttons.lookup(q.data);
    if (!entry) {
      await answer(line(locale, 'buttonExpired'));
      // Take the dead keyboard away so nobody presses it again; the message may be gone too.
      if (q.message) await this.clearKeyboard(q.message.chat.id, q.message.message_id);
      return;
    }
    const { action, scope } = entry;
    if (String(q.from.id) !== scope.userId) return void (await answer(line(locale, 'notYourButton'), true));
    await answer();
    if (q.message) await this.clearKeyboard(q.message.chat.id, q.message.message_id);
    const command: Command = action.kind === 'retry' ? { kind: 'retry' } : { kind: action.kind, name: action.name };
    const incoming: Incoming = {
      platform: 'telegram',
      channel: scope.channel,
      user: { id: scope.userId, name: [q.from.first_name, q.from.last_name].filter(Boolean).join(' ') || q.from.username || scope.userId },
      text: action.kind === 'retry' ? '/retry' : `/${action.kind} ${action.name}`,
      command,
      mentionsBot: true,
      isDirect: scope.isDirect,
      replyToBot: false,
      isGroup: !scope.isDirect,
    };
    const surface = this.deps.surfaceFor(scope);
    await core.manager.submit(scope.channel, async () => incoming, surface);
    if (action.kind === 'retry') await this.offerRegenerate(surface, scope);
  }

  private async clearKeyboard(chatId: number, messageId: number): Promise<void> {
    await this.deps.api
      .callApi('editMessageReplyMarkup', { chat_id: chatId, message_id: messageId, reply_markup: { inline_keyboard: [] } })
      .catch((err: unknown) => this.deps.logger.debug({ err: describeTelegramError(err) }, 'old keyboard not removed'));
  }
}
