// `tts <text>`: the text spoken as an audio message.
import { speak } from '../../media.js';
import type { Handler } from '../context.js';

export const tts: Handler<'tts'> = (ctx, services) => speak(ctx, services, ctx.cmd.text);
