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
