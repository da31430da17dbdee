import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type Database from 'better-sqlite3';
import packageJson from '../../package.json' with { type: 'json' };
import { LATEST_SCHEMA_VERSION } from './store/migrations';
import { shellQuote } from './text/shell-quote';

/**
 * `medbench doctor`: what this machine has and lacks to install, build and run MedBench Local,
 * each finding with what to do about it. Nothing here changes anything: the database is opened
 * read-only, nothing is built or downloaded, and the user data folder is only probed.
 */

export type DoctorStatus = 'ok' | 'warn' | 'fail';

export interface DoctorCheck {
  /** Stable identifier (public JSON). */
  id: string;
  title: string;
  status: DoctorStatus;
  detail: string;
  /** What to do; null when nothing needs doing. */
  fix: string | null;
}

export interface DoctorReport {
  /** False when a check failed: something must be fixed before MedBench Local works here. */
  ok: boolean;
  checks: DoctorCheck[];
}

/** What the checks look at; tests replace any part. */
export interface DoctorEnvironment {
  nodeVersion: string;
  /** package.json's engines.node, e.g. ">=20.19". */
  enginesNode: string;
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  dbPath: string;
  userDataDir: string;
  /** The Electron version installed as a devDependency, if any (the CLI finds it; core never loads electron). */
  electronVersion: string | null;
  /** Opens an in-memory better-sqlite3 database; throws what the native module throws. */
  loadSqlite: () => { version: string };
  /** The compute backends node-llama-cpp can use here without building or downloading. */
  computeBackends: () => Promise<{ usable: string[]; chosen: string | null; error: string | null }>;
  /** Runs `PRAGMA integrity_check` and reads user_version on the file, read-only. */
  inspectDatabase: (dbPath: string) => { integrity: string[]; schemaVersion: number };
}

// Not named `require`: the bundled CLI defines a top-level `require` for its CommonJS dependencies.
const nodeRequire = createRequire(import.meta.url);

/** The real machine. */
export function defaultDoctorEnvironment(options: { dbPath: string; userDataDir: string; electronVersion: string | null }): DoctorEnvironment {
  return {
    nodeVersion: process.versions.node,
    enginesNode: packageJson.engines.node,
    env: process.env,
    platform: process.platform,
    ...options,
    loadSqlite: () => {
      const Sqlite = nodeRequire('better-sqlite3') as typeof Database;
      const db = new Sqlite(':memory:');
      try {
        return { version: (db.prepare('select sqlite_version() as v').get() as { v: string }).v };
      } finally {
        db.close();
      }
    },
    computeBackends: async () => {
      const { getLlamaGpuTypes } = await import('node-llama-cpp');
      const { getLlamaForMachine, computeBackendOf } = await import('./models/gguf');
      const gpus = (await getLlamaGpuTypes('supported')).filter((type): type is 'cuda' | 'vulkan' | 'metal' => type !== false);
      try {
        const llama = await getLlamaForMachine({ gpu: 'auto' });
        return { usable: ['cpu', ...gpus], chosen: computeBackendOf(llama), error: null };
      } catch (error) {
        return { usable: gpus, chosen: null, error: (error as Error).message };
      }
    },
    inspectDatabase: (dbPath) => {
      const Sqlite = nodeRequire('better-sqlite3') as typeof Database;
      // readonly + fileMustExist: the doctor never creates, migrates or repairs the file.
      const db = new Sqlite(dbPath, { readonly: true, fileMustExist: true });
      try {
        const integrity = (db.pragma('integrity_check') as { integrity_check: string }[]).map((row) => row.integrity_check);
        return { integrity, schemaVersion: db.pragma('user_version', { simple: true }) as number };
      } finally {
        db.close();
      }
    },
  };
}

/** True when `version` satisfies a `>=X.Y[.Z]` range (the only form package.json uses). */
export function satisfiesMinimum(version: string, range: string): boolean {
  const minimum = /^>=\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(range.trim());
  if (!minimum) return true;
  const have = version.replace(/^v/, '').split('.').map(Number);
  const want = minimum.slice(1).map((part) => Number(part ?? 0));
  for (let i = 0; i < 3; i++) {
    if ((have[i] ?? 0) !== want[i]) return (have[i] ?? 0) > want[i];
  }
  return true;
}

/** The first of `names` found as an executable on PATH, or null. */
export function findExecutable(names: readonly string[], env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string | null {
  const dirs = (env.PATH ?? env.Path ?? '').split(path.delimiter).filter(Boolean);
  const suffixes = platform === 'win32' ? (env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';') : [''];
  for (const name of names) {
    for (const dir of dirs) {
      for (const suffix of suffixes) {
        const candidate = path.join(dir, name + suffix);
        try {
          fs.accessSync(candidate, fs.constants.X_OK);
          if (fs.statSync(candidate).isFile()) return candidate;
        } catch {
          // not here
        }
      }
    }
  }
  return null;
}

/** `nodedir=` in the user's or the global npmrc (what `npm config get nodedir` reads, without starting npm). */
function npmrcNodedir(env: NodeJS.ProcessEnv): string | undefined {
  const files = [
    env.npm_config_userconfig ?? path.join(env.HOME ?? os.homedir(), '.npmrc'),
    env.npm_config_globalconfig ?? path.join(path.dirname(path.dirname(process.execPath)), 'etc', 'npmrc'),
  ];
  for (const file of files) {
    try {
      const line = /^\s*nodedir\s*=\s*(.+?)\s*$/m.exec(fs.readFileSync(file, 'utf8'));
      if (line) return line[1];
    } catch {
      // no such file
    }
  }
  return undefined;
}

/** Node's C headers for node-gyp without a download: npm_config_nodedir, or node-gyp's cache. */
function nodeHeaders(env: NodeJS.ProcessEnv, nodeVersion: string): string | null {
  const nodedir = env.npm_config_nodedir ?? env.NPM_CONFIG_NODEDIR ?? npmrcNodedir(env);
  const candidates = [
    ...(nodedir ? [path.join(nodedir, 'include/node/node_api.h')] : []),
    path.join(env.HOME ?? os.homedir(), '.cache/node-gyp', nodeVersion, 'include/node/node_api.h'),
  ];
  return candidates.find((file) => fs.existsSync(file)) ?? null;
}

function checkNode(e: DoctorEnvironment): DoctorCheck {
  const ok = satisfiesMinimum(e.nodeVersion, e.enginesNode);
  // electron-builder's rebuild tooling (@electron/rebuild 4, node-abi 4) declares Node 22.12+.
  const packaging = satisfiesMinimum(e.nodeVersion, '>=22.12') ? '' : '; packaging installers with electron-builder wants Node 22.12+ (the CLI, tests and app build do not)';
  return {
    id: 'node',
    title: 'Node.js',
    status: ok ? 'ok' : 'fail',
    detail: `Node ${e.nodeVersion} (MedBench Local needs ${e.enginesNode})${ok ? packaging : ''}`,
    fix: ok ? null : `install Node.js ${e.enginesNode.replace('>=', '')} or newer`,
  };
}

function checkToolchain(e: DoctorEnvironment, sqliteLoads: boolean): DoctorCheck {
  const python = findExecutable(['python3', 'python'], e.env, e.platform);
  const make = e.platform === 'win32' ? 'msbuild' : findExecutable(['make'], e.env, e.platform);
  const compiler = e.platform === 'win32' ? 'msvc' : findExecutable(['c++', 'g++', 'clang++'], e.env, e.platform);
  const headers = nodeHeaders(e.env, e.nodeVersion);
  const missing = [
    ...(python ? [] : ['Python 3']),
    ...(make ? [] : ['make']),
    ...(compiler ? [] : ['a C++ compiler (g++ or clang++)']),
    ...(headers ? [] : ["Node's C headers offline (npm_config_nodedir)"]),
  ];
  const found = [python, make, compiler].filter((tool): tool is string => typeof tool === 'string' && tool.includes(path.sep)).join(', ');
  return {
    id: 'toolchain',
    title: 'Native build toolchain',
    // Only needed when better-sqlite3 must be compiled (no prebuilt binary can be fetched offline).
    status: missing.length === 0 ? 'ok' : sqliteLoads ? 'warn' : 'fail',
    detail:
      missing.length === 0
        ? `for rebuilding better-sqlite3: ${found}; headers ${headers}`
        : `missing for rebuilding better-sqlite3 (npm ci, npm rebuild, electron-builder): ${missing.join(', ')}`,
    fix:
      missing.length === 0
        ? null
        : [
            ...(python && make && compiler ? [] : ['install python3, make and g++ (Debian/Ubuntu: apt-get install python3 make g++)']),
            ...(headers ? [] : ["point npm at Node's headers: export npm_config_nodedir=/usr (Debian/Ubuntu with the nodejs headers; or the folder of an unpacked node-vX-headers.tar.gz)"]),
          ].join('; '),
  };
}

function checkSqlite(e: DoctorEnvironment): { check: DoctorCheck; loads: boolean } {
  const electronNote = e.electronVersion
    ? ` The desktop app (Electron ${e.electronVersion}) needs it rebuilt for Electron's ABI (npx electron-builder install-app-deps); npm rebuild better-sqlite3 switches back for the CLI.`
    : '';
  try {
    const { version } = e.loadSqlite();
    return {
      loads: true,
      check: { id: 'better-sqlite3', title: 'SQLite (better-sqlite3)', status: 'ok', detail: `loads in Node (ABI ${process.versions.modules}), SQLite ${version}.${electronNote}`, fix: null },
    };
  } catch (error) {
    const message = (error as Error).message;
    const abi = /NODE_MODULE_VERSION (\d+)[\s\S]*?NODE_MODULE_VERSION (\d+)/.exec(message);
    const detail = abi
      ? `built for ABI ${abi[1]} (Electron's, after install-app-deps), this Node needs ABI ${abi[2]}`
      : `does not load: ${message.split('\n')[0]}`;
    return {
      loads: false,
      check: { id: 'better-sqlite3', title: 'SQLite (better-sqlite3)', status: 'fail', detail: `${detail}.${electronNote}`, fix: 'npm rebuild better-sqlite3 (needs the toolchain below)' },
    };
  }
}

async function checkCompute(e: DoctorEnvironment): Promise<DoctorCheck> {
  try {
    const { usable, chosen, error } = await e.computeBackends();
    if (chosen === null) {
      return { id: 'compute', title: 'llama.cpp compute backends', status: 'fail', detail: `no prebuilt llama.cpp binary loads: ${error ?? 'unknown reason'}`, fix: 'reinstall (npm ci) so node-llama-cpp brings its prebuilt binaries for this platform' };
    }
    return {
      id: 'compute',
      title: 'llama.cpp compute backends',
      status: 'ok',
      detail: `usable: ${usable.join(', ')}; --gpu auto picks ${chosen} (prebuilt binaries only, nothing built or downloaded)`,
      fix: null,
    };
  } catch (error) {
    return { id: 'compute', title: 'llama.cpp compute backends', status: 'fail', detail: `node-llama-cpp does not load: ${(error as Error).message}`, fix: 'reinstall (npm ci)' };
  }
}

function checkDatabase(e: DoctorEnvironment, sqliteLoads: boolean): DoctorCheck {
  const base = { id: 'database', title: 'Database' };
  if (!fs.existsSync(e.dbPath)) {
    return { ...base, status: 'ok', detail: `${e.dbPath} does not exist yet (the first import or demo creates it)`, fix: null };
  }
  if (!sqliteLoads) return { ...base, status: 'fail', detail: `${e.dbPath}: not checked, better-sqlite3 does not load`, fix: 'fix better-sqlite3 first' };
  try {
    const { integrity, schemaVersion } = e.inspectDatabase(e.dbPath);
    const intact = integrity.length === 1 && integrity[0] === 'ok';
    const newer = schemaVersion > LATEST_SCHEMA_VERSION;
    return {
      ...base,
      status: intact && !newer ? 'ok' : 'fail',
      detail: `${e.dbPath}: integrity ${integrity.slice(0, 3).join('; ')}; schema ${schemaVersion} (this version knows ${LATEST_SCHEMA_VERSION})`,
      fix: !intact
        ? `restore a backup (medbench backup makes them) or move the damaged file away; details: medbench check --db ${shellQuote(e.dbPath)}`
        : newer
          ? 'this database was written by a newer MedBench Local: update the app'
          : null,
    };
  } catch (error) {
    return { ...base, status: 'fail', detail: `${e.dbPath} cannot be read: ${(error as Error).message}`, fix: `if it is your MedBench Local database, it is damaged: restore a backup (medbench backup makes them) or move it away; otherwise check its permissions, or pass --db with the right file` };
  }
}

function checkUserData(e: DoctorEnvironment): DoctorCheck {
  const base = { id: 'user-data', title: 'User data folder' };
  // The folder may not exist yet: the nearest existing parent must then be writable.
  let dir = e.userDataDir;
  while (!fs.existsSync(dir) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  try {
    if (!fs.statSync(dir).isDirectory()) throw new Error(`${dir} is a file, not a folder`);
    fs.accessSync(dir, fs.constants.W_OK);
    if (dir === e.userDataDir) {
      const probe = path.join(dir, `.doctor-${process.pid}`);
      fs.writeFileSync(probe, '');
      fs.rmSync(probe);
    }
    return { ...base, status: 'ok', detail: `${e.userDataDir} is writable${dir === e.userDataDir ? '' : ' (created on first use)'}`, fix: null };
  } catch (error) {
    return { ...base, status: 'fail', detail: `${e.userDataDir} is not writable: ${(error as Error).message}`, fix: `make ${dir} writable, or set MEDBENCH_HOME to a writable folder` };
  }
}

export async function runDoctor(e: DoctorEnvironment): Promise<DoctorReport> {
  const sqlite = checkSqlite(e);
  const checks = [checkNode(e), sqlite.check, checkToolchain(e, sqlite.loads), await checkCompute(e), checkDatabase(e, sqlite.loads), checkUserData(e)];
  return { ok: checks.every((check) => check.status !== 'fail'), checks };
}
