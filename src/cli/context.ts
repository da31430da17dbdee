import fs from 'node:fs';
import { resolveDbPath } from '../core/paths';
import { openStore, type ReadableDb, type WritableDb } from '../core/store/database';
import { describeSqliteError } from '../core/store/errors';

/** A SQLite failure in the middle of a command (a damaged page, a full disk) becomes a message naming the file. */
function describeFailure(error: unknown, dbPath: string): unknown {
  return typeof (error as { code?: unknown })?.code === 'string' && (error as { code: string }).code.startsWith('SQLITE_') ? describeSqliteError(error, dbPath) : error;
}

/** Options every database command takes. */
export interface DbOptions {
  db?: string;
}

/**
 * How a command uses the database: 'create' may make a new file (import, models add) and removes it again when
 * the command fails, so a failed first import leaves no empty database; 'existing' writes to a MedBench database
 * that must already exist (run, export, report: their audit events).
 */
export type StoreMode = 'create' | 'existing';

/** Opens the database a command works on and always closes it, even when the command throws. */
export async function withStore<T>(
  options: DbOptions,
  work: (db: WritableDb, dbPath: string) => Promise<T> | T,
  mode: StoreMode = 'create',
): Promise<T> {
  const dbPath = resolveDbPath(options.db);
  const isNew = mode === 'create' && !fs.existsSync(dbPath);
  // A command that writes checks the file first: a damaged one is refused before any of its work is committed.
  const db = openStore(dbPath, { mustExist: mode === 'existing', checkIntegrity: !isNew });
  try {
    return await work(db, dbPath);
  } catch (error) {
    if (isNew) {
      db.close();
      for (const file of [dbPath, `${dbPath}-wal`, `${dbPath}-shm`]) fs.rmSync(file, { force: true });
    }
    throw describeFailure(error, dbPath);
  } finally {
    if (db.open) db.close();
  }
}

/** For commands that only read (pairs, runs, score, compare, audit): read-only, never creates or changes the file. */
export async function withReadStore<T>(options: DbOptions, work: (db: ReadableDb, dbPath: string) => Promise<T> | T): Promise<T> {
  const dbPath = resolveDbPath(options.db);
  const db = openStore(dbPath, { readonly: true });
  try {
    return await work(db, dbPath);
  } catch (error) {
    throw describeFailure(error, dbPath);
  } finally {
    db.close();
  }
}
