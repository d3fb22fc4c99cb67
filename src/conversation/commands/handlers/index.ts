// One handler per command kind; the type makes a kind without a handler a compile error.
import type { CommandKind } from '../../../types.js';
import type { CommandContext, CommandServices, Handlers } from '../context.js';
import { chat } from './chat.js';
import { help } from './help.js';
import { image } from './image.js';
import { model } from './model.js';
import { more } from './more.js';
import { persona } from './persona.js';
import { reset } from './reset.js';
import { retry } from './retry.js';
import { stop } from './stop.js';
import { system } from './system.js';
import { tools } from './tools.js';
import { tts } from './tts.js';
import { usage } from './usage.js';
import { voice } from './voice.js';

export const HANDLERS: Handlers = { chat, reset, image, tts, voice, model, system, persona, tools, stop, retry, more, usage, help };

/** Runs the command's handler. */
export function runCommand<K extends CommandKind>(kind: K, ctx: CommandContext<K>, services: CommandServices): Promise<void> {
  const handler: Handlers[K] = HANDLERS[kind];
  return handler(ctx, services);
}
