import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describeFile, recordAudit } from '../audit';
import { UserError } from '../errors';
import type { Db } from './database';
import { describeSqliteError } from './errors';

/** A backup that cannot be made as asked (the target exists, is the database itself, ...). */
export class BackupError extends UserError {}

export interface BackupReport {
  source: string;
  out: string;
  bytes: number;
  sha256: string;
  schemaVersion: number;
  seconds: number;
}

/**
 * Copies the open database to `out` with SQLite's online backup API: the copy is one consistent
 * snapshot even while a run commits predictions, and writers are never blocked for long. The copy is
 * written beside the target under a temporary name, checked (integrity_check), switched to a
 * single-file journal and only then renamed, so `out` is either absent or a complete, valid backup.
 */
export async function backupStore(db: Db, out: string): Promise<BackupReport> {
  const started = performance.now();
  const source = path.resolve(db.name);
  const target = path.resolve(out);
  if (target === source) throw new BackupError(`${target}: this is the database itself; choose another --out`);
  if (fs.existsSync(target)) throw new BackupError(`${target}: already exists; choose another --out (a backup never overwrites a file)`);
  const folder = path.dirname(target);
  if (!fs.existsSync(folder)) throw new BackupError(`${target}: the folder ${folder} does not exist`);
  const partial = path.join(folder, `.${path.basename(target)}.partial-${process.pid}`);
  let schemaVersion: number;
  try {
    await db.backup(partial);
    const copy = new Database(partial);
    try {
      const integrity = copy.pragma('integrity_check', { simple: true });
      if (integrity !== 'ok') throw new BackupError(`${target}: the copy failed its integrity check (${String(integrity)}); the database was not changed`);
      schemaVersion = copy.pragma('user_version', { simple: true }) as number;
      // One self-contained file: a backup carried elsewhere must not need its -wal beside it.
      copy.pragma('journal_mode = DELETE');
    } finally {
      copy.close();
    }
    fs.renameSync(partial, target);
  } catch (error) {
    for (const leftover of [partial, `${partial}-wal`, `${partial}-shm`, `${partial}-journal`]) fs.rmSync(leftover, { force: true });
    if (error instanceof UserError) throw error;
    const code = (error as { code?: string }).code ?? '';
    if (code === 'ENOSPC' || code.startsWith('SQLITE_FULL')) throw new BackupError(`${target}: the disk is full; no backup was written`);
    if (code === 'EACCES' || code === 'EROFS' || code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN')) {
      throw new BackupError(`${target}: cannot write here (${code}); no backup was written`);
    }
    throw describeSqliteError(error, source);
  }
  const file = await describeFile('backup', target);
  recordAudit(db, { kind: 'backup', outputs: [file], facts: { schemaVersion } });
  return { source, out: target, bytes: file.bytes ?? 0, sha256: file.sha256 ?? '', schemaVersion, seconds: (performance.now() - started) / 1000 };
}
