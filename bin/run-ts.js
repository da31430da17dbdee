#!/usr/bin/env node
// Runs a TypeScript script (benchmarks, maintenance scripts) with the same loader as the CLI.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { register } from 'tsx/esm/api';

const [script, ...args] = process.argv.slice(2);
if (!script) {
  console.error('usage: node bin/run-ts.js SCRIPT.ts [ARGS...]');
  process.exit(2);
}
process.argv = [process.argv[0], path.resolve(script), ...args];
register();
await import(pathToFileURL(path.resolve(script)).href);
