import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { processAlive } from '../engine/runs';
import { LATEST_SCHEMA_VERSION } from './migrations';
import { describeSqliteError, StoreError } from './errors';
import { shellQuote } from '../text/shell-quote';

export interface CheckFinding {
  kind: string;
  table: string;
  count: number;
  detail: string;
}

export interface CheckReport {
  db: string;
  /** True when there are no problems (warnings do not count). */
  ok: boolean;
  schemaVersion: number;
  latestSchemaVersion: number;
  /** `PRAGMA integrity_check` lines: `['ok']` when the file is sound. */
  integrity: string[];
  /** Rows per table. */
  counts: Record<string, number>;
  problems: CheckFinding[];
  /** Worth knowing, not damage: an interrupted run, notes no pair uses. */
  warnings: CheckFinding[];
}

/**
 * An orphan query per relation the app relies on. Foreign keys catch most of these while they are
 * on, but a file edited by another tool, or written with foreign_keys off, can still hold them.
 */
const ORPHAN_QUERIES: readonly { kind: string; table: string; needs: string[]; sql: string; detail: string }[] = [
  {
    kind: 'orphan-sentence',
    table: 'sentences',
    needs: ['sentences', 'notes'],
    sql: 'SELECT count(*) AS n FROM sentences s WHERE NOT EXISTS (SELECT 1 FROM notes n WHERE n.id = s.note_id)',
    detail: 'sentences of a note that is not in the database',
  },
  {
    kind: 'bad-sentence-span',
    table: 'sentences',
    needs: ['sentences', 'notes'],
    sql: 'SELECT count(*) AS n FROM sentences s JOIN notes n ON n.id = s.note_id WHERE s.span_start < 0 OR s.span_end <= s.span_start OR s.span_end > n.length',
    detail: 'sentences whose span is empty, reversed or past the end of their note',
  },
  {
    kind: 'orphan-pair',
    table: 'pairs',
    needs: ['pairs', 'notes', 'datasets'],
    sql: `SELECT count(*) AS n FROM pairs p WHERE NOT EXISTS (SELECT 1 FROM notes n WHERE n.id = p.note_id)
          OR NOT EXISTS (SELECT 1 FROM datasets d WHERE d.id = p.dataset_id)`,
    detail: 'pairs whose note or dataset is missing',
  },
  {
    kind: 'orphan-gold-span',
    table: 'gold_spans',
    needs: ['gold_spans', 'pairs'],
    sql: 'SELECT count(*) AS n FROM gold_spans g WHERE NOT EXISTS (SELECT 1 FROM pairs p WHERE p.id = g.pair_id)',
    detail: 'gold evidence spans of a pair that is not in the database',
  },
  {
    kind: 'bad-gold-span',
    table: 'gold_spans',
    needs: ['gold_spans', 'pairs', 'notes'],
    sql: `SELECT count(*) AS n FROM gold_spans g JOIN pairs p ON p.id = g.pair_id JOIN notes n ON n.id = p.note_id
          WHERE g.span_start < 0 OR g.span_end <= g.span_start OR g.span_end > n.length`,
    detail: 'gold evidence spans that are empty, reversed or past the end of their note',
  },
  {
    kind: 'orphan-gold-sentence',
    table: 'gold_sentences',
    needs: ['gold_sentences', 'pairs', 'sentences'],
    sql: `SELECT count(*) AS n FROM gold_sentences gs LEFT JOIN pairs p ON p.id = gs.pair_id
          WHERE p.id IS NULL OR NOT EXISTS (SELECT 1 FROM sentences s WHERE s.note_id = p.note_id AND s.sentence_id = gs.sentence_id)`,
    detail: 'gold sentences that name a sentence their note does not have',
  },
  {
    kind: 'orphan-run-pair',
    table: 'run_pairs',
    needs: ['run_pairs', 'runs', 'pairs'],
    sql: `SELECT count(*) AS n FROM run_pairs rp WHERE NOT EXISTS (SELECT 1 FROM runs r WHERE r.id = rp.run_id)
          OR NOT EXISTS (SELECT 1 FROM pairs p WHERE p.id = rp.pair_id)`,
    detail: 'planned pairs of a run whose run or pair is missing',
  },
  {
    kind: 'orphan-prediction',
    table: 'predictions',
    needs: ['predictions', 'runs', 'pairs'],
    sql: `SELECT count(*) AS n FROM predictions pr WHERE NOT EXISTS (SELECT 1 FROM runs r WHERE r.id = pr.run_id)
          OR NOT EXISTS (SELECT 1 FROM pairs p WHERE p.id = pr.pair_id)`,
    detail: 'predictions whose run or pair is missing',
  },
  {
    kind: 'unplanned-prediction',
    table: 'predictions',
    needs: ['predictions', 'run_pairs'],
    sql: 'SELECT count(*) AS n FROM predictions pr WHERE NOT EXISTS (SELECT 1 FROM run_pairs rp WHERE rp.run_id = pr.run_id AND rp.pair_id = pr.pair_id)',
    detail: "predictions for a pair outside their run's plan",
  },
  {
    kind: 'orphan-sample',
    table: 'prediction_samples',
    needs: ['prediction_samples', 'predictions'],
    sql: 'SELECT count(*) AS n FROM prediction_samples s WHERE NOT EXISTS (SELECT 1 FROM predictions p WHERE p.id = s.prediction_id)',
    detail: 'vote samples of a prediction that is not in the database',
  },
  {
    kind: 'orphan-run',
    table: 'runs',
    needs: ['runs', 'datasets'],
    sql: 'SELECT count(*) AS n FROM runs r WHERE NOT EXISTS (SELECT 1 FROM datasets d WHERE d.id = r.dataset_id)',
    detail: 'runs whose dataset is missing',
  },
];

/**
 * Checks a database file without changing it: SQLite's integrity and foreign-key checks, rows per
 * table, and orphans the schema alone cannot rule out. Opened read-only, so it also works on a file
 * another process is writing, or on one from a newer version.
 */
export function checkStore(dbPath: string): CheckReport {
  const location = path.resolve(dbPath);
  if (!fs.existsSync(location)) throw new StoreError(`${location}: no database here`, 'not-found');
  let db: Database.Database;
  try {
    db = new Database(location, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new StoreError(`${location}: cannot open the database: ${(error as Error).message}`, 'open-failed');
  }
  try {
    db.pragma('busy_timeout = 5000');
    const schemaVersion = db.pragma('user_version', { simple: true }) as number;
    const problems: CheckFinding[] = [];
    const warnings: CheckFinding[] = [];
    const integrity = (db.pragma('integrity_check') as { integrity_check: string }[]).map((row) => row.integrity_check);
    if (integrity.length !== 1 || integrity[0] !== 'ok') {
      problems.push({ kind: 'integrity', table: '', count: integrity.length, detail: `SQLite integrity check: ${integrity.slice(0, 5).join('; ')}` });
    }
    const fkRows = db.pragma('foreign_key_check') as { table: string }[];
    const fkByTable = new Map<string, number>();
    for (const row of fkRows) fkByTable.set(row.table, (fkByTable.get(row.table) ?? 0) + 1);
    for (const [table, count] of fkByTable) problems.push({ kind: 'foreign-key', table, count, detail: `rows of ${table} that reference a missing row` });

    if (schemaVersion > LATEST_SCHEMA_VERSION) {
      problems.push({ kind: 'newer-schema', table: '', count: 1, detail: `schema version ${schemaVersion} was written by a newer MedBench Local (this one knows up to ${LATEST_SCHEMA_VERSION}); checked with SQLite's checks only` });
    } else if (schemaVersion < LATEST_SCHEMA_VERSION) {
      warnings.push({ kind: 'older-schema', table: '', count: 1, detail: `schema version ${schemaVersion}: the next command that writes upgrades it to ${LATEST_SCHEMA_VERSION}` });
    }

    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map((t) => t.name);
    const counts: Record<string, number> = {};
    for (const table of tables) counts[table] = (db.prepare(`SELECT count(*) AS n FROM "${table.replaceAll('"', '""')}"`).get() as { n: number }).n;

    if (schemaVersion <= LATEST_SCHEMA_VERSION) {
      const present = new Set(tables);
      for (const query of ORPHAN_QUERIES) {
        if (!query.needs.every((table) => present.has(table))) continue;
        const { n } = db.prepare(query.sql).get() as { n: number };
        if (n > 0) problems.push({ kind: query.kind, table: query.table, count: n, detail: query.detail });
      }
      if (present.has('runs')) warnings.push(...interruptedRuns(db));
      if (present.has('notes') && present.has('pairs')) {
        const { n } = db.prepare('SELECT count(*) AS n FROM notes n WHERE NOT EXISTS (SELECT 1 FROM pairs p WHERE p.note_id = n.id)').get() as { n: number };
        if (n > 0) warnings.push({ kind: 'unused-note', table: 'notes', count: n, detail: 'notes no pair refers to (left by a re-import; harmless)' });
      }
    }
    return { db: location, ok: problems.length === 0, schemaVersion, latestSchemaVersion: LATEST_SCHEMA_VERSION, integrity, counts, problems, warnings };
  } catch (error) {
    throw describeSqliteError(error, location);
  } finally {
    db.close();
  }
}

/** Runs marked running whose process is gone: a crash or a kill, resumable with --resume. */
function interruptedRuns(db: Database.Database): CheckFinding[] {
  const running = db.prepare("SELECT name, owner_pid AS pid FROM runs WHERE status = 'running'").all() as { name: string; pid: number | null }[];
  return running
    .filter((run) => run.pid === null || !processAlive(run.pid))
    .map((run) => ({ kind: 'interrupted-run', table: 'runs', count: 1, detail: `run "${run.name}" was interrupted; continue it with: medbench run --resume ${shellQuote(run.name)}` }));
}
