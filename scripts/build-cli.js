#!/usr/bin/env node
// Bundles the `medbench` CLI (src/cli) to plain JavaScript in out/cli, so it starts without
// compiling TypeScript at every run. bin/medbench.js uses the bundle while it is not older than
// the sources (see cli-freshness.js); `npm run build:cli` (part of `npm run build`) writes it.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// `--outdir DIR` builds elsewhere (the tests do, leaving out/cli alone).
const outdirFlag = process.argv.indexOf('--outdir');
const outdir = outdirFlag === -1 ? path.join(root, 'out/cli') : path.resolve(process.argv[outdirFlag + 1]);

// Native addons load their .node file relative to their own package, and node-llama-cpp finds its
// binaries by its file layout: both stay in node_modules. Everything else (commander, zod, the
// sources) is bundled, which is what makes the start fast.
const external = ['better-sqlite3', 'node-llama-cpp', '@node-llama-cpp/*'];

fs.rmSync(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { medbench: 'src/cli/bin.ts' },
  outdir,
  bundle: true,
  // Code split at the CLI's lazy imports (the model engine, GGUF inspection), as in the sources.
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  external,
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'warning',
  // Bundled CommonJS dependencies may call require(): give the ES module bundle one.
  banner: { js: "import { createRequire as __medbenchRequire } from 'node:module'; const require = __medbenchRequire(import.meta.url);" },
});
// The bundle is ESM whatever the nearest package.json says once copied elsewhere.
fs.writeFileSync(path.join(outdir, 'package.json'), '{ "type": "module" }\n');
console.log(`medbench CLI bundled into ${path.join(outdir, 'medbench.js')}`);
