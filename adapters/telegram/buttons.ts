// Inline keyboards: the regenerate button under an answer in private chats and the pickers that
// /persona and /model show without an argument. callback_data holds at most 64 bytes, so a button
// carries only a random token; what it does, and for whom, is kept here for a while. A button
// whose token is gone (restart, expiry, an older answer) is told apart from a live one.
import { randomBytes } from 'node:crypto';
import { LRUCache } from 'lru-cache';

/** Buttons stay usable this long after they were shown. */
const BUTTON_TTL_MS = 24 * 3600_000;
const MAX_BUTTONS = 50_000;
const MAX_CHANNELS = 10_000;
/** Marks our callback data; anything else is an old or foreign button. */
const DATA_PREFIX = 'b:';
/** Buttons per row in a picker. */
const PICKER_COLUMNS = 2;

export type ButtonAction = { kind: 'persona'; name: string } | { kind: 'model'; name: string } | { kind: 'retry' };

/** Where a button was shown and who may press it. */
export interface ButtonScope {
  /** Telegram user id of the person who asked. */
  userId: string;
  chatId: number;
  threadId?: number;
  channel: string;
  isDirect: boolean;
}

export interface ButtonEntry {
  action: ButtonAction;
  scope: ButtonScope;
}

export interface InlineButton {
  text: string;
  callback_data: string;
}

export interface InlineKeyboard {
  inline_keyboard: InlineButton[][];
}

export class ButtonBook {
  private readonly entries = new LRUCache<string, ButtonEntry>({ max: MAX_BUTTONS, ttl: BUTTON_TTL_MS });
  /** Per channel: the token of the regenerate button under its latest answer (older ones expire). */
  private readonly latestRegenerate = new LRUCache<string, string>({ max: MAX_CHANNELS });

  /** The one-button keyboard under an answer; earlier regenerate buttons of the channel expire. */
  regenerate(scope: ButtonScope, label: string): InlineKeyboard {
    const button = this.button(label, { kind: 'retry' }, scope);
    this.latestRegenerate.set(scope.channel, tokenOf(button.callback_data)!);
    return { inline_keyboard: [[button]] };
  }

  /** A picker: one button per choice, a few per row. */
  picker(choices: { label: string; action: ButtonAction }[], scope: ButtonScope): InlineKeyboard {
    const buttons = choices.map((c) => this.button(c.label, c.action, scope));
    const rows: InlineButton[][] = [];
    for (let i = 0; i < buttons.length; i += PICKER_COLUMNS) rows.push(buttons.slice(i, i + PICKER_COLUMNS));
    return { inline_keyboard: rows };
  }

  /** What a pressed button does; undefined for an expired, unknown or superseded one. */
  lookup(data: string | undefined): ButtonEntry | undefined {
    const token = tokenOf(data);
    const entry = token === undefined ? undefined : this.entries.get(token);
    if (!entry) return undefined;
    if (entry.action.kind === 'retry' && this.latestRegenerate.get(entry.scope.channel) !== token) return undefined;
    return entry;
  }

  private button(text: string, action: ButtonAction, scope: ButtonScope): InlineButton {
    const token = randomBytes(9).toString('base64url');
    this.entries.set(token, { action, scope });
    return { text, callback_data: `${DATA_PREFIX}${token}` };
  }
}

function tokenOf(data: string | undefined): string | undefined {
  return data?.startsWith(DATA_PREFIX) ? data.slice(DATA_PREFIX.length) : undefined;
}
