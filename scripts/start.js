#!/usr/bin/env node
// `npm start`: open the desktop app, or say exactly what is missing and how to get it.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

function electronBinary() {
  let packageDir;
  try {
    packageDir = path.dirname(require.resolve('electron/package.json'));
  } catch {
    return { missing: 'the electron package is not installed (run the set-up command from the README)' };
  }
  const pathFile = path.join(packageDir, 'path.txt');
  if (!fs.existsSync(pathFile)) return { missing: 'the Electron binary was never downloaded (ELECTRON_SKIP_BINARY_DOWNLOAD=1 skips it)' };
  const binary = path.join(packageDir, 'dist', fs.readFileSync(pathFile, 'utf8'));
  if (!fs.existsSync(binary)) return { missing: `the Electron binary is missing at ${binary}` };
  return { binary };
}

const found = electronBinary();
if (found.missing) {
  console.error(`MedBench Local cannot open the desktop app: ${found.missing}.

To get Electron on a machine with internet access:
  node node_modules/electron/install.js        (downloads the Electron binary from GitHub)
Without internet access, install a packaged build instead (see README: "Desktop app"), or use the CLI:
  medbench --help            (after npm link in the repository; or: npx --no-install medbench --help)`);
  process.exit(1);
}
const result = spawnSync('npx', ['electron-vite', process.argv.includes('--dev') ? 'dev' : 'preview'], { stdio: 'inherit', env: process.env });
process.exit(result.status ?? 1);
