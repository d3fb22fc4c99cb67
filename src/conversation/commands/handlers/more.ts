// `more`: the next page of a long answer on a line-mode surface.
import type { Handler } from '../context.js';

export const more: Handler<'more'> = ({ msg, surface }, { paging }) => paging.more(msg.channel, surface);
