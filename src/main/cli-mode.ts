import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** The switch the `medbench` launchers shipped with the app put first (build/cli/). */
export const CLI_SWITCH = '--medbench-cli';

/**
 * The CLI arguments when this Electron process was started as `medbench` (the launcher runs the
 * app's own binary with `--medbench-cli ARGS...`), else null. Electron's fuses forbid running it
 * as plain Node (runAsNode is off), so the app itself hosts the CLI: same binary, same native
 * modules (built for Electron's ABI), no window.
 */
export function cliArguments(argv: readonly string[]): string[] | null {
  const at = argv.indexOf(CLI_SWITCH);
  return at === -1 ? null : argv.slice(at + 1);
}

/** The bundled CLI (scripts/build-cli.js writes out/cli next to out/main). */
export function cliBundlePath(bundleDir: string): string {
  return path.join(bundleDir, '../cli/medbench.js');
}

/**
 * Runs the bundled CLI with `args` and returns its exit code. The bundle runs `main` when it is
 * imported and its top-level await settles when the command is done.
 */
export async function runBundledCli(bundleDir: string, args: readonly string[]): Promise<number> {
  process.argv = [process.argv[0], 'medbench', ...args];
  await import(pathToFileURL(cliBundlePath(bundleDir)).href);
  return typeof process.exitCode === 'number' ? process.exitCode : 0;
}
