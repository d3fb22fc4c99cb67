// Starts parley exactly as `npm start` does (tsx loading src/main.ts, so the real import order
// of the core and the lazily loaded platform libraries) in a child process, and collects what
// it prints.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const TSX = pathToFileURL(join(process.cwd(), 'node_modules/tsx/dist/loader.mjs')).href;
const MAIN = join(process.cwd(), 'src/main.ts');

export interface RunningMain {
  child: ChildProcess;
  /** stdout so far (pino JSON lines). */
  readonly stdout: string;
  readonly stderr: string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  /** Resolves when a stdout line contains every one of `parts`; rejects if the process exits first. */
  waitForLog(...parts: string[]): Promise<string>;
  /** SIGKILL if still running, then removes the data directory. */
  dispose(): Promise<void>;
}

/** Only these settings reach the child (no developer .env or tokens); DATA_DIR is a fresh temp dir. */
export function startMain(settings: Record<string, string>): RunningMain {
  const dir = mkdtempSync(join(tmpdir(), 'parley-entry-'));
  const child = spawn(process.execPath, ['--import', TSX, MAIN], {
    cwd: dir,
    env: { PATH: process.env.PATH, DATA_DIR: join(dir, 'data'), ...settings },
  });
  let stdout = '';
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return {
    child,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    exited,
    waitForLog(...parts) {
      const find = () => stdout.split('\n').find((l) => parts.every((p) => l.includes(p)));
      return new Promise<string>((resolve, reject) => {
        const check = () => {
          const found = find();
          if (found === undefined) return;
          child.stdout!.off('data', check);
          resolve(found);
        };
        child.stdout!.on('data', check);
        void exited.then((code) => reject(new Error(`parley exited (${code}) before logging ${parts.join(' + ')}\n${stderr}`)));
        check();
      });
    },
    async dispose() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
