#!/usr/bin/env node
/**
 * The npm registry these machines reach carries only the Linux builds of node-llama-cpp's
 * platform packages, so `npm install` here drops the other platforms' optional entries from
 * package-lock.json, and `npm ci` then refuses the lockfile ("Missing: ... from lock file").
 * This puts the missing entries back (without integrity: npm fetches them by version on the
 * platforms that need them, and skips them everywhere else). Run it after `npm install`;
 * test/build/lockfile.test.ts fails while an entry is missing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const LOCK = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'package-lock.json');

/** os, cpu (and libc) of each platform package, as node-llama-cpp publishes them. */
export const PLATFORMS = {
  'linux-arm64': { os: ['linux'], cpu: ['arm64', 'x64'], libc: ['glibc'] },
  'linux-armv7l': { os: ['linux'], cpu: ['arm', 'x64'], libc: ['glibc'] },
  'linux-riscv64': { os: ['linux'], cpu: ['riscv64'], libc: ['glibc'] },
  'linux-x64': { os: ['linux'], cpu: ['x64'], libc: ['glibc'] },
  'linux-x64-cuda': { os: ['linux'], cpu: ['x64'], libc: ['glibc'] },
  'linux-x64-cuda-ext': { os: ['linux'], cpu: ['x64'], libc: ['glibc'] },
  'linux-x64-vulkan': { os: ['linux'], cpu: ['x64'], libc: ['glibc'] },
  'mac-arm64-metal': { os: ['darwin'], cpu: ['arm64'] },
  'mac-x64': { os: ['darwin'], cpu: ['x64'] },
  'win-arm64': { os: ['win32'], cpu: ['arm64'] },
  'win-x64': { os: ['win32'], cpu: ['x64'] },
  'win-x64-cuda': { os: ['win32'], cpu: ['x64'] },
  'win-x64-cuda-ext': { os: ['win32'], cpu: ['x64'] },
  'win-x64-vulkan': { os: ['win32'], cpu: ['x64'] },
};

/** The lock entries node-llama-cpp's optional dependencies need and the lockfile lacks. */
export function missingEntries(lock, optionalDependencies) {
  const missing = {};
  for (const [name, version] of Object.entries(optionalDependencies)) {
    const key = `node_modules/${name}`;
    if (lock.packages[key]) continue;
    const platform = PLATFORMS[name.replace('@node-llama-cpp/', '')];
    if (!platform) throw new Error(`no os/cpu known for ${name}: add it to PLATFORMS in scripts/complete-lockfile.js`);
    missing[key] = { version, cpu: platform.cpu, ...(platform.libc ? { libc: platform.libc } : {}), license: 'MIT', optional: true, os: platform.os, engines: { node: '>=20.0.0' } };
  }
  return missing;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) {
  const lock = JSON.parse(fs.readFileSync(LOCK, 'utf8'));
  // The lock records node-llama-cpp's own optional dependencies: no node_modules needed.
  const { optionalDependencies } = lock.packages['node_modules/node-llama-cpp'];
  const missing = missingEntries(lock, optionalDependencies);
  const { '': root, ...rest } = { ...lock.packages, ...missing };
  lock.packages = { '': root, ...Object.fromEntries(Object.entries(rest).sort(([a], [b]) => a.localeCompare(b, 'en'))) };
  fs.writeFileSync(LOCK, `${JSON.stringify(lock, null, 2)}\n`);
  console.log(Object.keys(missing).length ? `added ${Object.keys(missing).join(', ')}` : 'package-lock.json already lists every platform package');
}
