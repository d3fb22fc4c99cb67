export { ConversationManager, type ManagerDeps } from './manager.js';
export { managerSettings, type ManagerSettings } from './settings.js';
export { parseCommand, commandFrom, isAdminCommand, isCostly, ALL_COMMANDS, COMMANDS, MENU_OFFERING, helpFor, helpLine, offeredOn, specOf, type CommandSpec } from './commands/index.js';
export { t, defineLines, type Locale, type MessageId } from './messages.js';
export { describeError } from './errors.js';
export { buildMessages, estimateTokens, sanitizeName } from './history.js';
export { LocalDispatcher, type Dispatcher, type Prepare } from './dispatcher.js';
export { NoticePolicy } from './policy/notices.js';
