// Tests load config as src/main.ts does: with every adapter's settings section registered.
import { PLATFORM_CONFIGS } from '../../adapters/platform-configs.js';
import { registerPlatformConfigs } from '../../src/config/index.js';

registerPlatformConfigs(PLATFORM_CONFIGS);
