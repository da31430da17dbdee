import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors';
import { shellQuote } from '../text/shell-quote';

/** Errors the store raises with a message a user can act on; the CLI prints them as they are. */
export class StoreError extends UserError {
  constructor(
    message: string,
    readonly code: 'newer-schema' | 'locked' | 'read-only' | 'disk-full' | 'open-failed' | 'not-found' | 'foreign' | 'corrupt',
  ) {
    super(message);
  }
}

/** Maps SQLite failures to StoreErrors that name the database file. */
export function describeSqliteError(error: unknown, dbPath: string): Error {
  const code = (error as { code?: string }).code ?? '';
  const detail = error instanceof Error ? error.message : String(error);
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new StoreError(`${dbPath}: the database is locked by another process (another medbench command or the app is writing); try again when it finishes`, 'locked');
  }
  if (code.startsWith('SQLITE_READONLY') || (code === 'SQLITE_CANTOPEN' && (/read-?only/i.test(detail) || !writable(dbPath)))) {
    return new StoreError(`${dbPath}: the database is read-only (check the file's and folder's permissions): ${detail}`, 'read-only');
  }
  if (code.startsWith('SQLITE_NOTADB')) {
    return new StoreError(`${dbPath}: this file is not a MedBench Local database (not SQLite); it was not changed`, 'open-failed');
  }
  if (code.startsWith('SQLITE_CORRUPT')) {
    // No claim that nothing changed: this can surface after earlier statements committed.
    return new StoreError(
      `${dbPath}: the database file is damaged (${detail}); check it with \`medbench check --db ${shellQuote(dbPath)}\` and restore a backup`,
      'corrupt',
    );
  }
  if (code.startsWith('SQLITE_FULL')) {
    return new StoreError(`${dbPath}: the disk is full; nothing was changed (free space and try again)`, 'disk-full');
  }
  if (code === 'SQLITE_CANTOPEN') {
    return new StoreError(`${dbPath}: cannot open the database (${detail}); check that the file and its folder exist and are accessible`, 'open-failed');
  }
  return error instanceof Error ? error : new Error(detail);
}

/**
 * A WAL database on a read-only file system fails with a bare CANTOPEN (its -shm file cannot be
 * made); access() reports EROFS there even for root, so the message can say what is wrong.
 */
function writable(dbPath: string): boolean {
  try {
    fs.accessSync(path.dirname(dbPath), fs.constants.W_OK);
    if (fs.existsSync(dbPath)) fs.accessSync(dbPath, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
