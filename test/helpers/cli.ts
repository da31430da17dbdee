import { spawnSync } from 'node:child_process';
import path from 'node:path';

/** The `medbench` entry point, as the `medbench` command (npm link) runs it. */
export const MEDBENCH_BIN = path.resolve('bin/medbench.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The real `medbench` command in a child process, as users and scripts call it, with its user
 * data folder under `home` and no database from the environment (tests pass --db).
 */
export function runMedbench(home: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; timeout?: number } = {}): CliResult {
  const result = spawnSync(process.execPath, [MEDBENCH_BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, MEDBENCH_HOME: home, MEDBENCH_DB: '', ...options.env },
    timeout: options.timeout ?? 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
