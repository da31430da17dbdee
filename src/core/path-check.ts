/**
 * Paths typed by a user (the browser UI has no native dialog): `~` expanded to the home folder of the
 * process that serves the page, relative paths against the home folder too (a browser user has no
 * idea what the server's working folder is), and a check with a message that says what is wrong.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UserError } from './errors';

/** `~` and `~/x` become the home folder; other paths resolve against `base` (default: the working folder). */
export function expandHome(input: string, base: string = process.cwd()): string {
  const trimmed = input.trim();
  if (trimmed === '~') return os.homedir();
  if (trimmed.startsWith('~/') || trimmed.startsWith('~\\')) return path.join(os.homedir(), trimmed.slice(2));
  return path.resolve(base, trimmed);
}

/** For paths typed into the UI: relative ones resolve against the home folder. */
export function resolveUserPath(input: string): string {
  return expandHome(input, os.homedir());
}

export type PathPurpose = 'read-file' | 'write-file';

export interface PathCheck {
  path: string;
  ok: boolean;
  message: string | null;
}

export function checkUserPath(input: string, purpose: PathPurpose): PathCheck {
  const resolved = resolveUserPath(input);
  const fail = (message: string): PathCheck => ({ path: resolved, ok: false, message });
  if (purpose === 'read-file') {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(resolved);
    } catch {
      return fail(`there is no file at ${resolved}`);
    }
    if (stat.isDirectory()) return fail(`${resolved} is a folder; choose a file in it`);
    if (!stat.isFile()) return fail(`${resolved} is not a regular file`);
    try {
      fs.accessSync(resolved, fs.constants.R_OK);
    } catch {
      return fail(`${resolved} exists but cannot be read (permissions)`);
    }
    return { path: resolved, ok: true, message: null };
  }
  const folder = path.dirname(resolved);
  try {
    if (fs.statSync(resolved).isDirectory()) return fail(`${resolved} is a folder; add a file name`);
  } catch {
    // Does not exist yet: the usual case for a new file.
  }
  let folderStat: fs.Stats;
  try {
    folderStat = fs.statSync(folder);
  } catch {
    return fail(`the folder ${folder} does not exist`);
  }
  if (!folderStat.isDirectory()) return fail(`${folder} is not a folder`);
  try {
    fs.accessSync(folder, fs.constants.W_OK);
  } catch {
    return fail(`the folder ${folder} is not writable`);
  }
  return { path: resolved, ok: true, message: null };
}

/** Throws a UserError-shaped error unless the path passes; returns the resolved path. */
export function requireUserPath(input: string, purpose: PathPurpose): string {
  const check = checkUserPath(input, purpose);
  if (!check.ok) throw new PathCheckError(check.message!, check.path);
  return check.path;
}


export class PathCheckError extends UserError {
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(message);
  }
}
