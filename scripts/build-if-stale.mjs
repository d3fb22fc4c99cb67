// `npm start` runs the compiled build; this rebuilds it first when a source file is newer than
// the last build (a pull without a fresh `npm install`). npm start runs it only when its own
// `find -newer` (same paths as SOURCES) saw a change, so a start with a fresh build boots one
// node, not two (a node boot is about 0.1 s of CPU).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build, SOURCES, STAMP } from './build.mjs';

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
