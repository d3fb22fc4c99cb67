import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // loadConfig reads the adapters' settings only once they are registered, as src/main.ts does.
    setupFiles: ['test/setup/platform-configs.ts'],
    // e2e suites start fake servers on 127.0.0.1; give them room on a 2-core machine.
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
  },
});
