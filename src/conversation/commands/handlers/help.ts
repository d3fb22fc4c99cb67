// `help`: the registry's commands this surface offers.
import { helpText } from '../help.js';
import type { Handler } from '../context.js';

export const help: Handler<'help'> = ({ surface }, { speaker }) => speaker.sayText(surface, helpText(speaker.locale, surface));
