import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from './build-renderer';

export const CHROMIUM = '/usr/bin/chromium';
export const chromiumAvailable = fs.existsSync(CHROMIUM);

/** Flags for Debian's Chromium in containers and CI: headless, no sandbox, nothing that phones home. */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

export interface ServeProcess {
  url: string;
  origin: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `medbench serve` as a child process on a free port and waits for the address it prints. */
export async function startServe(options: { db: string; rendererDir: string; home: string; userHome?: string }): Promise<ServeProcess> {
  const child = spawn(process.execPath, [path.join(repoRoot, 'bin/medbench.js'), 'serve', '--db', options.db, '--port', '0', '--renderer-dir', options.rendererDir], {
    cwd: repoRoot,
    // userHome: where `~` in a typed path leads, so tests never write into the real home folder.
    env: { ...process.env, MEDBENCH_HOME: options.home, ...(options.userHome ? { HOME: options.userHome } : {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`medbench serve printed no address in 30 s:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[0]);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`medbench serve exited with ${code}:\n${output}`));
    });
  });
  return {
    url,
    origin: new URL(url).origin,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
