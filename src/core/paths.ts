import os from 'node:os';
import path from 'node:path';

/** Electron's default userData folder name is the product name; CLI and app must agree on it. */
export const PRODUCT_NAME = 'MedBench Local';
export const DEFAULT_DB_FILE = 'medbench.db';

/**
 * The folder Electron's `app.getPath('userData')` gives for this product, computed without
 * Electron, so the CLI and the desktop app open the same database by default.
 */
export function userDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.MEDBENCH_HOME) return path.resolve(env.MEDBENCH_HOME);
  const home = os.homedir();
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), PRODUCT_NAME);
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', PRODUCT_NAME);
  return path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), PRODUCT_NAME);
}

/** `--db PATH`, else `MEDBENCH_DB`, else the user data folder. */
export function resolveDbPath(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (explicit) return path.resolve(explicit);
  if (env.MEDBENCH_DB) return path.resolve(env.MEDBENCH_DB);
  return path.join(userDataDir(env), DEFAULT_DB_FILE);
}
