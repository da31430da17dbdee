import type Database from 'better-sqlite3';
import type { Migration } from './types';

/**
 * `runs.backend` becomes an open id from the backend registry (src/core/engine/backends/registry.ts):
 * migration 0002's `CHECK (backend IN ('baseline', 'gguf', 'external'))` meant a table rebuild for
 * every new backend. Every column, row and id is carried over unchanged.
 *
 * SQLite cannot drop a CHECK in place, and `foreign_keys` cannot be switched off inside the
 * migration's transaction (the pragma is a no-op there), so dropping the old table would cascade-delete
 * run_pairs, predictions and their samples. The rows of every table that depends on `runs` (found
 * from the schema, so later additions are carried too) are therefore copied aside first and put back
 * after the rebuild, all inside the one transaction: a failure leaves the database as it was.
 */
export const migration0004: Migration = {
  version: 4,
  name: 'backend-registry',
  up(db) {
    const dependents = dependentsOf(db, 'runs');
    for (const table of dependents) db.exec(`CREATE TEMP TABLE "keep_${table}" AS SELECT * FROM main."${table}"`);
    const counts = new Map(dependents.map((table) => [table, count(db, `main."${table}"`)]));
    const runs = count(db, 'main.runs');

    db.exec(`
      CREATE TABLE runs_v4 (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        dataset_id INTEGER NOT NULL REFERENCES datasets(id),
        -- A backend id from the registry ('baseline', 'gguf', 'openai', ...), or 'external' for imported predictions.
        backend TEXT NOT NULL CHECK (length(backend) BETWEEN 1 AND 64),
        model_id INTEGER REFERENCES models(id),
        status TEXT NOT NULL CHECK (status IN ('running', 'stopped', 'finished', 'failed')),
        options_json TEXT NOT NULL,
        manifest_json TEXT NOT NULL,
        error TEXT,
        created_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT,
        -- Wall-clock seconds spent running, summed over sessions (a resumed run adds to it).
        active_seconds REAL NOT NULL DEFAULT 0,
        -- The pid and start time of the process writing the run, so a second writer can be refused
        -- while the first is alive, and a crashed run recognised as resumable.
        owner_pid INTEGER,
        owner_heartbeat TEXT
      );
      INSERT INTO runs_v4 (id, name, dataset_id, backend, model_id, status, options_json, manifest_json, error, created_at, started_at, finished_at, active_seconds, owner_pid, owner_heartbeat)
        SELECT id, name, dataset_id, backend, model_id, status, options_json, manifest_json, error, created_at, started_at, finished_at, active_seconds, owner_pid, owner_heartbeat FROM runs;
      DROP TABLE runs;
      ALTER TABLE runs_v4 RENAME TO runs;
    `);

    // Parents before children, so each restored row finds the row it references.
    for (const table of dependents) {
      db.exec(`DELETE FROM main."${table}"; INSERT INTO main."${table}" SELECT * FROM temp."keep_${table}"; DROP TABLE temp."keep_${table}";`);
      const restored = count(db, `main."${table}"`);
      if (restored !== counts.get(table)) throw new Error(`migration 4: ${table} had ${counts.get(table)} rows before the rebuild and ${restored} after`);
    }
    if (count(db, 'main.runs') !== runs) throw new Error('migration 4: runs lost rows in the rebuild');
    const broken = db.pragma('foreign_key_check') as unknown[];
    if (broken.length > 0) throw new Error(`migration 4: ${broken.length} foreign key violations after the rebuild: ${JSON.stringify(broken.slice(0, 3))}`);
  },
};

function count(db: Database.Database, table: string): number {
  return (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
}

/** Tables whose rows a DROP of `root` would cascade into, directly or through another table, in parent-first order. */
function dependentsOf(db: Database.Database, root: string): string[] {
  const tables = (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as { name: string }[]).map((r) => r.name);
  const parentsOf = new Map(tables.map((table) => [table, new Set((db.pragma(`foreign_key_list("${table}")`) as { table: string }[]).map((fk) => fk.table))]));
  const ordered: string[] = [];
  const reached = new Set([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const table of tables) {
      if (reached.has(table)) continue;
      const parents = parentsOf.get(table)!;
      if ([...parents].some((parent) => reached.has(parent))) {
        reached.add(table);
        ordered.push(table);
        grew = true;
      }
    }
  }
  // Parent-first: a table comes after every reached table it references.
  const sorted: string[] = [];
  const visit = (table: string, seen: Set<string>) => {
    if (sorted.includes(table) || seen.has(table)) return;
    seen.add(table);
    for (const parent of parentsOf.get(table)!) if (ordered.includes(parent)) visit(parent, seen);
    sorted.push(table);
  };
  for (const table of ordered) visit(table, new Set());
  return sorted;
}
