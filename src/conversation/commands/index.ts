// The command registry and what is generated from it (parser, help); adapters build their
// platform's menus from the same entries.
export { ALL_COMMANDS, COMMANDS, MENU_OFFERING, offeredOn, specOf } from './registry.js';
export { commandFrom, isAdminCommand, isCostly, parseCommand, type ParseOptions } from './parse.js';
export { helpFor, helpLine, helpText, offeringOf } from './help.js';
export type { ArgKind, ArgSpec, CommandSpec, Offered, Offering, Registry } from './spec.js';
