// Shared by the ops tests: a free port for OPS_PORT, and promtool's verdict on metrics text.
import { spawn } from 'node:child_process';
export { freePort } from '../helpers/ports.js';

/**
 * `promtool check metrics` on the exposition text (Debian package `prometheus`; .ci/run installs
 * it). Exit code 0 and no output means clean; lint findings come back as output.
 */
export function promtoolCheck(text: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('promtool', ['check', 'metrics']);
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.on('error', (err) => reject(new Error(`promtool not found (apt-get install prometheus): ${err.message}`)));
    child.on('close', (code) => resolve({ code, output }));
    child.stdin.end(text);
  });
}

/** The environment both ops e2e tests start parley with: Telegram on the fake, ops server on. */
export function opsTestEnv(o: { upstreamUrl: string; dataDir: string; telegram: { token: string; apiRoot: string }; port: number; token: string }): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    OPENAI_BASE_URL: o.upstreamUrl,
    OPENAI_API_KEY: 'test-key',
    HISTORY_STORE: 'memory',
    DATA_DIR: o.dataDir,
    RATE_LIMIT_PER_MINUTE: '0',
    LOG_LEVEL: 'info',
    TELEGRAM_BOT_TOKEN: o.telegram.token,
    TELEGRAM_API_ROOT: o.telegram.apiRoot,
    OPS_PORT: String(o.port),
    OPS_TOKEN: o.token,
  };
}
