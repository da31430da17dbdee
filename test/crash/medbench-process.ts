import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import Database from 'better-sqlite3';

/** The real `medbench` command in child processes, as users and scripts call it. */
export const BIN = path.resolve('bin/medbench.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function cliEnv(home: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, MEDBENCH_HOME: home, MEDBENCH_DB: '', ...extra };
}

export function spawnMedbench(args: readonly string[], env: NodeJS.ProcessEnv, nodeArgs: readonly string[] = []): ChildProcess {
  return spawn(process.execPath, [...nodeArgs, BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
}

export function finished(child: ChildProcess): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Runs `medbench ARGS` to completion (asynchronously, so several can run at once). */
export function medbench(args: readonly string[], env: NodeJS.ProcessEnv, nodeArgs: readonly string[] = []): Promise<CliResult> {
  return finished(spawnMedbench(args, env, nodeArgs));
}

/** Reads with a connection of its own that never writes, like `medbench serve` or the app would. */
export function withReader<T>(dbPath: string, read: (db: Database.Database) => T): T {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    return read(db);
  } finally {
    db.close();
  }
}

export function tableCounts(dbPath: string): Record<string, number> {
  return withReader(dbPath, (db) => {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[];
    return Object.fromEntries(tables.map(({ name }) => [name, (db.prepare(`SELECT count(*) AS n FROM "${name}"`).get() as { n: number }).n]));
  });
}

/** Everything an import writes, hashed: equal fingerprints mean equal stored datasets. */
export function importFingerprint(dbPath: string): string {
  return withReader(dbPath, (db) => {
    const hash = crypto.createHash('sha256');
    const queries = [
      'SELECT name FROM datasets ORDER BY id',
      'SELECT id, text_sha256, segmenter_version FROM notes ORDER BY id',
      'SELECT note_id, sentence_id, span_start, span_end FROM sentences ORDER BY note_id, sentence_id',
      'SELECT id, task_id, code, desc, gold, note_id, source_row, removed_at IS NULL AS live FROM pairs ORDER BY id',
      'SELECT pair_id, seq, span_start, span_end, text FROM gold_spans ORDER BY pair_id, seq',
      'SELECT pair_id, sentence_id FROM gold_sentences ORDER BY pair_id, sentence_id',
      'SELECT id, content_sha256, outcome, pairs, added, updated, removed FROM imports ORDER BY id',
      'SELECT count(*) FROM import_problems',
    ];
    for (const sql of queries) hash.update(JSON.stringify(db.prepare(sql).raw().all()));
    return hash.digest('hex');
  });
}

export function integrityOf(dbPath: string): string {
  return withReader(dbPath, (db) => (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).join('; '));
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
