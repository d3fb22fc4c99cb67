// Every adapter's settings section. The composition root (src/main.ts) and the test setup
// register these with the core's config loader; a new platform adds one entry here.
import type { PlatformConfigSection } from '../src/config/index.js';
import { consoleConfig } from './console/config.js';
import { discordConfig } from './discord/config.js';
import { mudConfig } from './mud/config.js';
import { telegramConfig } from './telegram/config.js';

export const PLATFORM_CONFIGS: readonly PlatformConfigSection[] = [discordConfig, telegramConfig, mudConfig, consoleConfig];
