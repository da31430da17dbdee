#!/usr/bin/env node
// The `medbench` command. It runs the bundled CLI (out/cli, written by `npm run build:cli`) when
// that bundle is at least as new as the sources, so it starts in a fraction of a second; otherwise
// it runs the TypeScript sources through tsx, which is slower to start but never stale.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bundleState } from './cli-freshness.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const state = process.env.MEDBENCH_CLI_FROM_SOURCES === '1' ? 'skipped' : bundleState(root);
if (state === 'fresh') {
  await import(pathToFileURL(path.join(root, 'out/cli/medbench.js')).href);
} else {
  if (state === 'stale' && process.stderr.isTTY) {
    process.stderr.write('medbench: the sources are newer than the bundled CLI; running them through tsx (`npm run build:cli` makes the start fast again)\n');
  }
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/bin.ts');
}
