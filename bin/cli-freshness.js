// Whether out/cli/medbench.js (the bundled CLI) may run: it exists and no source it was built
// from is newer. A checkout without src/ (an installed or packaged copy) always uses the bundle.
import fs from 'node:fs';
import path from 'node:path';

/** The folders and files the bundle is built from (scripts/build-cli.js bundles src/cli and what it imports). */
const SOURCES = ['src/cli', 'src/core', 'src/shared', 'package.json', 'resources/demo'];

function newestMtime(entry) {
  let stat;
  try {
    stat = fs.statSync(entry);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs; // a deleted or renamed file changes its folder's mtime
  for (const name of fs.readdirSync(entry)) newest = Math.max(newest, newestMtime(path.join(entry, name)));
  return newest;
}

/** 'fresh', 'stale' (sources changed since the build) or 'missing'. */
export function bundleState(root) {
  const bundle = path.join(root, 'out/cli/medbench.js');
  let built;
  try {
    built = fs.statSync(bundle).mtimeMs;
  } catch {
    return 'missing';
  }
  if (!fs.existsSync(path.join(root, 'src/cli'))) return 'fresh';
  const newest = Math.max(...SOURCES.map((entry) => newestMtime(path.join(root, entry))));
  return newest <= built ? 'fresh' : 'stale';
}
