// Child processes for the scale benches: a tsx script speaking JSON lines on stdout, and the CPU
// a process has used so far (from /proc, so a child's CPU is measured without its cooperation).
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { pathToFileURL } from 'node:url';

export interface Child {
  child: ChildProcess;
  lines: Interface;
  /** The next JSON line the child prints. */
  next(): Promise<Record<string, unknown>>;
}

/** Runs `script` (a .ts file under the repository) with `arg` as JSON in argv[2]. */
export function child(script: string, arg: unknown): Child {
  const tsx = pathToFileURL(join(process.cwd(), 'node_modules/tsx/dist/loader.mjs')).href;
  const proc = spawn(process.execPath, ['--import', tsx, join(process.cwd(), script), JSON.stringify(arg)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: proc.stdout! });
  const queue: string[] = [];
  const waiters: ((l: string) => void)[] = [];
  lines.on('line', (l) => (waiters.shift() ?? ((x: string) => queue.push(x)))(l));
  return {
    child: proc,
    lines,
    next: () => new Promise((resolve) => (queue.length > 0 ? resolve(JSON.parse(queue.shift()!)) : waiters.push((l) => resolve(JSON.parse(l))))),
  };
}

/** CPU seconds a process has used (Linux /proc; utime + stime in clock ticks of 1/100 s). */
export function cpuSeconds(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}
