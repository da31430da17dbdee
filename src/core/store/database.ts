import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { shellQuote } from '../text/shell-quote';
import { describeSqliteError, StoreError } from './errors';
import { LATEST_SCHEMA_VERSION, migrations, schemaVersionOf, type Migration } from './migrations';

/** A plain connection; kept while callers move to ReadableDb / WritableDb. */
export type Db = Database.Database;

declare const readableBrand: unique symbol;
declare const writableBrand: unique symbol;
/** A connection opened read-only: what read commands (pairs, runs, score, compare, audit) get. */
export type ReadableDb = Database.Database & { readonly [readableBrand]: true };
/** A connection that may write; usable wherever a ReadableDb is expected. */
export type WritableDb = ReadableDb & { readonly [writableBrand]: true };

/**
 * SQLite's application_id for MedBench Local databases ("MBEN" in ASCII, 0x4D42454E), set on every database it
 * creates, so another program's SQLite file is recognised and refused instead of receiving our tables.
 */
export const MEDBENCH_APPLICATION_ID = 0x4d42454e;

/** Tables of the first schema: a database without the application_id that has them was made by an earlier MedBench. */
const FIRST_SCHEMA_TABLES = ['datasets', 'pairs', 'notes'];

export interface OpenStoreOptions {
  /** Open for reading only: no migrations, no file creation, nothing written (an older schema is upgraded first). */
  readonly?: boolean;
  /** Write to an existing MedBench database only: never create a file (export, report, run, predictions import). */
  mustExist?: boolean;
  /**
   * Run SQLite's quick_check before anything is written, so a command that writes for long (run) refuses a damaged
   * file up front instead of committing part of its work and failing later. About a second per GB.
   */
  checkIntegrity?: boolean;
  /** For tests of single migrations: stop at this schema version. */
  targetVersion?: number;
  /** Override the migration list (tests). */
  migrationList?: readonly Migration[];
}

/**
 * Opens (creating when needed) the one database file and brings its schema up to date.
 * A database written by a newer MedBench Local is refused, never downgraded or reset; another program's
 * SQLite file is refused before anything is written to it.
 */
export function openStore(dbPath: string, options: OpenStoreOptions & { readonly: true }): ReadableDb;
export function openStore(dbPath: string, options?: OpenStoreOptions): WritableDb;
export function openStore(dbPath: string, options: OpenStoreOptions = {}): ReadableDb | WritableDb {
  const location = dbPath === ':memory:' ? dbPath : path.resolve(dbPath);
  const readonly = options.readonly ?? false;
  const mustExist = readonly || (options.mustExist ?? false);
  if (location !== ':memory:') {
    if (mustExist && !fs.existsSync(location)) {
      throw new StoreError(`${location}: no database here yet (import a dataset first)`, 'not-found');
    }
    if (!mustExist) fs.mkdirSync(path.dirname(location), { recursive: true });
  }
  if (readonly && location !== ':memory:') upgradeBeforeReading(location, options);
  let db: Db;
  try {
    db = new Database(location, { readonly, fileMustExist: mustExist });
  } catch (error) {
    throw new StoreError(`${location}: cannot open the database: ${(error as Error).message}`, 'open-failed');
  }
  try {
    const list = options.migrationList ?? migrations;
    const latest = schemaVersionOf(list);
    const target = options.targetVersion ?? latest;
    // Whose file is this? Asked before any pragma that writes (WAL rewrites the header, migrations add tables).
    const owner = ownerOf(db);
    if (owner.kind === 'foreign') throw new StoreError(`${location}: ${owner.reason}; MedBench Local did not change it. Use another --db.`, 'foreign');
    if (owner.kind === 'empty' && mustExist) {
      throw new StoreError(`${location}: this file is an empty SQLite database, not a MedBench Local one yet (import a dataset first)`, 'not-found');
    }
    const current = db.pragma('user_version', { simple: true }) as number;
    if (current > latest) {
      throw new StoreError(
        `${location}: this database has schema version ${current}, written by a newer MedBench Local (this one knows up to ${latest}); ` +
          'open it with the newer version, or use another --db. It was not changed.',
        'newer-schema',
      );
    }
    if (options.checkIntegrity && owner.kind !== 'empty') {
      const findings = (db.pragma('quick_check(5)') as { quick_check: string }[])
        .flatMap((row) => row.quick_check.split('\n'))
        .map((line) => line.trim())
        .filter((line) => line !== '' && !line.startsWith('***'));
      if (findings.length !== 1 || findings[0] !== 'ok') {
        const shown = findings.slice(0, 3).join('; ') + (findings.length > 3 ? '; ...' : '');
        throw new StoreError(
          `${location}: the database file is damaged (${shown}); nothing was changed. ` +
            `Check it with \`medbench check --db ${shellQuote(location)}\` and restore a backup`,
          'corrupt',
        );
      }
    }
    applyPragmas(db, readonly);
    if (!readonly) {
      if (owner.kind !== 'medbench') db.pragma(`application_id = ${MEDBENCH_APPLICATION_ID}`);
      migrate(db, list, target);
    } else if (current < latest) {
      throw new StoreError(`${location}: the database needs an upgrade (schema ${current} < ${latest}); open it once without read-only mode`, 'read-only');
    }
    return db as WritableDb;
  } catch (error) {
    db.close();
    throw describeSqliteError(error, location);
  }
}

type Owner = { kind: 'medbench' } | { kind: 'legacy-medbench' } | { kind: 'empty' } | { kind: 'foreign'; reason: string };

/** Reads the header's application_id and the table names only; writes nothing. */
function ownerOf(db: Db): Owner {
  const applicationId = db.pragma('application_id', { simple: true }) as number;
  if (applicationId === MEDBENCH_APPLICATION_ID) return { kind: 'medbench' };
  if (applicationId !== 0) {
    const hex = `0x${(applicationId >>> 0).toString(16).padStart(8, '0')}`;
    return { kind: 'foreign', reason: `this SQLite database belongs to another program (its application_id is ${hex}, MedBench Local's is 0x4d42454e)` };
  }
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND substr(name, 1, 7) <> 'sqlite_' ORDER BY name").all() as { name: string }[]).map((row) => row.name);
  if (tables.length === 0) return { kind: 'empty' };
  if (FIRST_SCHEMA_TABLES.every((name) => tables.includes(name))) return { kind: 'legacy-medbench' };
  const shown = tables.slice(0, 5).join(', ') + (tables.length > 5 ? `, ... (${tables.length} tables)` : '');
  return { kind: 'foreign', reason: `this SQLite database is not a MedBench Local one (it has other tables: ${shown})` };
}

/**
 * A read command on a MedBench database of an older schema upgrades it first, as any command would (the one write
 * a read command makes, and only to MedBench's own file). Anything else is left for the read-only open to report.
 */
function upgradeBeforeReading(location: string, options: OpenStoreOptions): void {
  let probe: Db;
  try {
    probe = new Database(location, { readonly: true, fileMustExist: true });
  } catch {
    return;
  }
  let needsUpgrade = false;
  try {
    const latest = schemaVersionOf(options.migrationList ?? migrations);
    const owner = ownerOf(probe);
    const current = probe.pragma('user_version', { simple: true }) as number;
    needsUpgrade = (owner.kind === 'medbench' || owner.kind === 'legacy-medbench') && current < (options.targetVersion ?? latest);
  } catch {
    // Not SQLite or damaged: the read-only open below names the problem.
  } finally {
    probe.close();
  }
  if (needsUpgrade) openStore(location, { mustExist: true, migrationList: options.migrationList, targetVersion: options.targetVersion }).close();
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
