// The parser moved to commands/ with the registry it is generated from; this path stays for
// importers that predate it.
export { commandFrom, isAdminCommand, isCostly, parseCommand, type ParseOptions } from './commands/parse.js';
