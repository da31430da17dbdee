import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describeSqliteError, StoreError } from './errors';
import { LATEST_SCHEMA_VERSION, migrations, schemaVersionOf, type Migration } from './migrations';

export type Db = Database.Database;

export interface OpenStoreOptions {
  /** Open for reading only: no migrations, no file creation. */
  readonly?: boolean;
  /** For tests of single migrations: stop at this schema version. */
  targetVersion?: number;
  /** Override the migration list (tests). */
  migrationList?: readonly Migration[];
}

/**
 * Opens (creating when needed) the one database file and brings its schema up to date.
 * A database written by a newer MedBench Local is refused, never downgraded or reset.
 */
export function openStore(dbPath: string, options: OpenStoreOptions = {}): Db {
  const location = dbPath === ':memory:' ? dbPath : path.resolve(dbPath);
  if (location !== ':memory:') {
    if (options.readonly && !fs.existsSync(location)) {
      throw new StoreError(`${location}: no database here yet (import a dataset first)`, 'not-found');
    }
    if (!options.readonly) fs.mkdirSync(path.dirname(location), { recursive: true });
  }
  let db: Db;
  try {
    db = new Database(location, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
  } catch (error) {
    throw new StoreError(`${location}: cannot open the database: ${(error as Error).message}`, 'open-failed');
  }
  try {
    const list = options.migrationList ?? migrations;
    const latest = schemaVersionOf(list);
    const target = options.targetVersion ?? latest;
    // Check the version before any pragma that writes (WAL rewrites the header of a newer file too).
    const current = db.pragma('user_version', { simple: true }) as number;
    if (current > latest) {
      throw new StoreError(
        `${location}: this database has schema version ${current}, written by a newer MedBench Local (this one knows up to ${latest}); ` +
          'open it with the newer version, or use another --db. It was not changed.',
        'newer-schema',
      );
    }
    applyPragmas(db, options.readonly ?? false);
    if (!options.readonly) migrate(db, list, target);
    else if (current < latest) {
      throw new StoreError(`${location}: the database needs an upgrade (schema ${current} < ${latest}); open it once without read-only mode`, 'read-only');
    }
    return db;
  } catch (error) {
    db.close();
    throw describeSqliteError(error, location);
  }
}

/** Every connection setting lives here, each with its reason. */
function applyPragmas(db: Db, readonly: boolean): void {
  // Wait for a writer instead of failing at once: the app reads while a CLI run writes.
  db.pragma(`busy_timeout = ${busyTimeoutMs()}`);
  // Predictions hang off pairs and runs; dangling rows would corrupt scores.
  db.pragma('foreign_keys = ON');
  if (readonly) return;
  // WAL lets `medbench serve` and the app read while a run commits predictions.
  db.pragma('journal_mode = WAL');
  // Every committed prediction must survive a power cut or a SIGKILL: hours of inference are at stake.
  db.pragma('synchronous = FULL');
}

export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

/** MEDBENCH_BUSY_TIMEOUT (milliseconds) shortens the wait, so tests of a locked database need not sit out 5 s. */
function busyTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  const value = Number(env.MEDBENCH_BUSY_TIMEOUT);
  return env.MEDBENCH_BUSY_TIMEOUT !== undefined && env.MEDBENCH_BUSY_TIMEOUT !== '' && Number.isInteger(value) && value >= 0 ? value : DEFAULT_BUSY_TIMEOUT_MS;
}

function migrate(db: Db, list: readonly Migration[], target: number): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  for (const migration of list) {
    if (migration.version <= current || migration.version > target) continue;
    // Each migration and its version bump commit together or not at all.
    db.transaction(() => {
      migration.up(db);
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
  }
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

export { LATEST_SCHEMA_VERSION };
