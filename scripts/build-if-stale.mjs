// `npm start` runs the compiled build; this rebuilds it first when a source file is newer than
// the last build (a pull without a fresh `npm install`). An up-to-date check costs a few ms.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build, STAMP } from './build.mjs';

export const SOURCES = ['src', 'adapters', 'scripts/build.mjs', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];

function newest(path) {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.mtimeMs;
  let max = st.mtimeMs;
  for (const name of readdirSync(path)) max = Math.max(max, newest(join(path, name)));
  return max;
}

const built = statSync(STAMP, { throwIfNoEntry: false })?.mtimeMs ?? 0;
if (Math.max(...SOURCES.map(newest)) > built) {
  process.stderr.write('parley: sources changed since the last build; building (npm run build)…\n');
  process.exitCode = await build();
}
