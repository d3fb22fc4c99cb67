// The help text moved to commands/ with the registry it is generated from; this path stays for
// importers that predate it.
export { helpFor, helpText } from './commands/help.js';
