import { UserError } from '../errors';
import type { Db } from '../store/database';
import type { LabelMode, SampleResult } from './backend';
import type { AggregatedPrediction } from './votes';
import { predictionExtras, storableProbability } from './probability';
import { shellQuote } from '../text/shell-quote';

export type Strategy = 'note-major' | 'naive';
export type RunStatus = 'running' | 'stopped' | 'finished' | 'failed';

/** Everything needed to start or resume a run identically. */
export interface RunSettings {
  /** A backend id from backends/registry.ts, or 'external' for imported predictions. */
  backend: string;
  modelId: number | null;
  strategy: Strategy;
  votes: number;
  seed: number;
  labels: LabelMode;
  limit: number | null;
  gpu: string;
  gpuLayers: number | 'auto';
  contextSize: number | null;
  threads: number | null;
  batchSize: number | null;
  promptFile: string | null;
  temperature: number | null;
  maxTokens: number | null;
  /** Notes in flight on parallel context sequences (absent in runs made before the option existed: 1). */
  parallel?: number | null;
  /** The options of a backend whose settings are not the historical fields above (see BackendDefinition.toSettings); absent in older runs. */
  backendOptions?: Record<string, unknown>;
}

export interface RunRecord {
  id: number;
  name: string;
  dataset: string;
  datasetId: number;
  backend: string;
  modelId: number | null;
  status: RunStatus;
  settings: RunSettings;
  manifest: Record<string, unknown>;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  activeSeconds: number;
  planned: number;
  done: number;
  invalid: number;
  promptTokens: number;
  reusedTokens: number;
  generatedTokens: number;
}

export class RunError extends UserError {}

const RUN_COLUMNS = `r.id, r.name, d.name AS dataset, r.dataset_id AS datasetId, r.backend, r.model_id AS modelId, r.status,
  r.options_json AS settingsJson, r.manifest_json AS manifestJson, r.error, r.created_at AS createdAt, r.started_at AS startedAt,
  r.finished_at AS finishedAt, r.active_seconds AS activeSeconds,
  (SELECT count(*) FROM run_pairs rp WHERE rp.run_id = r.id) AS planned,
  (SELECT count(*) FROM predictions p WHERE p.run_id = r.id) AS done,
  (SELECT count(*) FROM predictions p WHERE p.run_id = r.id AND p.status = 'invalid') AS invalid,
  (SELECT coalesce(sum(prompt_tokens), 0) FROM predictions p WHERE p.run_id = r.id) AS promptTokens,
  (SELECT coalesce(sum(reused_tokens), 0) FROM predictions p WHERE p.run_id = r.id) AS reusedTokens,
  (SELECT coalesce(sum(generated_tokens), 0) FROM predictions p WHERE p.run_id = r.id) AS generatedTokens`;

type RunRow = Omit<RunRecord, 'settings' | 'manifest'> & { settingsJson: string; manifestJson: string };

function toRecord(row: RunRow): RunRecord {
  const { settingsJson, manifestJson, ...rest } = row;
  return { ...rest, settings: JSON.parse(settingsJson), manifest: JSON.parse(manifestJson) };
}

export function findRun(db: Db, name: string): RunRecord | null {
  const row = db.prepare(`SELECT ${RUN_COLUMNS} FROM runs r JOIN datasets d ON d.id = r.dataset_id WHERE r.name = ?`).get(name) as RunRow | undefined;
  return row ? toRecord(row) : null;
}

export function getRun(db: Db, name: string): RunRecord {
  const run = findRun(db, name);
  if (!run) {
    const names = (db.prepare('SELECT name FROM runs ORDER BY id').all() as { name: string }[]).map((r) => r.name);
    throw new RunError(`no run named "${name}" in this database (${names.length ? `runs: ${names.join(', ')}` : 'it has no runs yet'})`);
  }
  return run;
}

export function listRuns(db: Db): RunRecord[] {
  return (db.prepare(`SELECT ${RUN_COLUMNS} FROM runs r JOIN datasets d ON d.id = r.dataset_id ORDER BY r.id`).all() as RunRow[]).map(toRecord);
}

/**
 * Creates a run and freezes its plan: the dataset's active pairs in file order, the first `limit`
 * of them when a limit is set. Resume always works from this plan.
 */
export function createRun(
  db: Db,
  input: { name: string; datasetId: number; backend: string; settings: RunSettings; manifest: Record<string, unknown>; pairIds?: readonly number[] },
): RunRecord {
  if (findRun(db, input.name)) throw new RunError(`a run named "${input.name}" already exists: continue it with --resume ${shellQuote(input.name)}, or choose another --name`);
  db.transaction(() => {
    const { id } = db
      .prepare(
        `INSERT INTO runs (name, dataset_id, backend, model_id, status, options_json, manifest_json, created_at)
         VALUES (?, ?, ?, ?, 'stopped', ?, ?, ?) RETURNING id`,
      )
      .get(input.name, input.datasetId, input.backend, input.settings.modelId, JSON.stringify(input.settings), JSON.stringify(input.manifest), new Date().toISOString()) as { id: number };
    const pairIds =
      input.pairIds ??
      (
        db
          .prepare(`SELECT id FROM pairs WHERE dataset_id = ? AND removed_at IS NULL ORDER BY source_row, id ${input.settings.limit !== null ? 'LIMIT ?' : ''}`)
          .all(...(input.settings.limit !== null ? [input.datasetId, input.settings.limit] : [input.datasetId])) as { id: number }[]
      ).map((r) => r.id);
    const insert = db.prepare('INSERT INTO run_pairs (run_id, position, pair_id) VALUES (?, ?, ?)');
    pairIds.forEach((pairId, position) => insert.run(id, position, pairId));
  }).immediate();
  return getRun(db, input.name);
}

export interface PendingNote {
  noteKey: number;
  text: string;
  sentences: { id: number; start: number; end: number }[];
  pairs: { pairId: number; code: string; desc: string }[];
}

/** The plan minus finished pairs, grouped by note in plan order (a note comes where its first pair is). */
export function pendingNotes(db: Db, runId: number): PendingNote[] {
  return pendingNotePlan(db, runId).map(noteLoader(db));
}

export interface PlannedNote {
  noteKey: number;
  pairs: PendingNote['pairs'];
}

/**
 * pendingNotes without the notes' text and sentences, for a runner that reads each note when it starts
 * on it (noteLoader): the first requests go out before every note is read, and only the notes in flight are in memory.
 */
export function pendingNotePlan(db: Db, runId: number): PlannedNote[] {
  const rows = db
    .prepare(
      `SELECT p.id AS pairId, p.code, p.desc, p.note_id AS noteId FROM run_pairs rp
       JOIN pairs p ON p.id = rp.pair_id
       WHERE rp.run_id = ? AND NOT EXISTS (SELECT 1 FROM predictions pr WHERE pr.run_id = rp.run_id AND pr.pair_id = rp.pair_id)
       ORDER BY rp.position`,
    )
    .all(runId) as { pairId: number; code: string; desc: string; noteId: number }[];
  const notes = new Map<number, PlannedNote>();
  for (const row of rows) {
    let note = notes.get(row.noteId);
    if (!note) {
      note = { noteKey: row.noteId, pairs: [] };
      notes.set(row.noteId, note);
    }
    note.pairs.push({ pairId: row.pairId, code: row.code, desc: row.desc });
  }
  return [...notes.values()];
}

/** Reads a planned note's text and sentences in one statement (so both come from the same state of the database). */
export function noteLoader(db: Db): (note: PlannedNote) => PendingNote {
  // One JSON row per note instead of a row object per sentence: a note has ~200 sentences.
  const statement = db.prepare(
    `SELECT n.text, (SELECT json_group_array(json_array(sentence_id, span_start, span_end) ORDER BY sentence_id) FROM sentences s WHERE s.note_id = n.id) AS sentences
     FROM notes n WHERE n.id = ?`,
  );
  return ({ noteKey, pairs }) => {
    const row = statement.get(noteKey) as { text: string; sentences: string };
    return {
      noteKey,
      text: row.text,
      sentences: (JSON.parse(row.sentences) as [number, number, number][]).map(([id, start, end]) => ({ id, start, end })),
      pairs,
    };
  };
}

/** One prediction and its samples, committed together in their own transaction. */
export function savePrediction(db: Db, runId: number, pairId: number, prediction: AggregatedPrediction, samples: readonly SampleResult[]): void {
  savePredictions(db, runId, [{ pairId, prediction, samples }]);
}

export interface PredictionToSave {
  pairId: number;
  prediction: AggregatedPrediction;
  samples: readonly SampleResult[];
}

/**
 * Predictions that are ready at the same moment, committed in one transaction (a group commit: with
 * synchronous=FULL each commit waits for the disk, ~150 per second here, which capped fast servers).
 * Each row is as savePrediction writes it; all or none of the batch is committed.
 */
export function savePredictions(db: Db, runId: number, items: readonly PredictionToSave[]): void {
  let write = predictionWriters.get(db);
  if (!write) {
    write = createPredictionWriter(db);
    predictionWriters.set(db, write);
  }
  write.immediate(runId, items);
}

// A server run commits many times a second: compiling the two INSERTs and the transaction wrapper once per
// database instead of once per commit is a measurable part of the client's CPU per prediction.
const predictionWriters = new WeakMap<Db, ReturnType<typeof createPredictionWriter>>();

function createPredictionWriter(db: Db) {
  const insertPrediction = db.prepare(
    `INSERT INTO predictions (run_id, pair_id, status, label, raw_label, evidence_json, rationale, raw_output, error, prompt_tokens, reused_tokens, generated_tokens, ms, windows, created_at,
       probability, thinking, thinking_tokens, answer_path)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertSample = db.prepare(
    `INSERT INTO prediction_samples (prediction_id, sample_index, seed, status, label, raw_label, evidence_json, rationale, raw_output, error, prompt_tokens, reused_tokens, generated_tokens, ms,
       probability, thinking, thinking_tokens, answer_path)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const bit = (value: boolean | null) => (value === null ? null : value ? 1 : 0);
  return db.transaction((runId: number, items: readonly PredictionToSave[]) => {
    for (const { pairId, prediction, samples } of items) {
      // Probability with votes: the samples' mean (see predictionExtras).
      const extras = predictionExtras(prediction, samples);
      const p = prediction;
      // run() and its rowid: RETURNING makes SQLite collect the result in a temporary table, and the driver build a row object.
      const id = insertPrediction.run(
        runId, pairId, p.status, bit(p.label), p.rawLabel, JSON.stringify(p.evidence), p.rationale, p.rawOutput, p.error,
        p.promptTokens, p.reusedTokens, p.generatedTokens, p.ms, p.windows, new Date().toISOString(),
        extras.probability, extras.thinking, extras.thinkingTokens, extras.answerPath,
      ).lastInsertRowid;
      for (const s of samples) {
        insertSample.run(id, s.sampleIndex, s.seed, s.status, bit(s.label), s.rawLabel, JSON.stringify(s.evidence), s.rationale, s.rawOutput, s.error, s.promptTokens, s.reusedTokens, s.generatedTokens, s.ms,
          storableProbability(s.probability), s.thinking ?? null, s.thinkingTokens ?? 0, s.answerPath ?? null);
      }
    }
  });
}

/**
 * Marks this process as the run's writer. A run held by another live process is refused: two
 * writers would predict the same pairs twice.
 */
export function claimRun(db: Db, runId: number, pid = process.pid): void {
  db.transaction(() => {
    const row = db.prepare('SELECT name, status, owner_pid AS ownerPid FROM runs WHERE id = ?').get(runId) as { name: string; status: RunStatus; ownerPid: number | null };
    if (row.status === 'running' && row.ownerPid !== null && row.ownerPid !== pid && processAlive(row.ownerPid)) {
      throw new RunError(`run "${row.name}" is being written by another medbench process (pid ${row.ownerPid}); wait for it or stop it first`);
    }
    const now = new Date().toISOString();
    db.prepare("UPDATE runs SET status = 'running', owner_pid = ?, owner_heartbeat = ?, started_at = coalesce(started_at, ?), error = NULL WHERE id = ?").run(pid, now, now, runId);
  }).immediate();
}

export function releaseRun(db: Db, runId: number, status: Exclude<RunStatus, 'running'>, activeSeconds: number, error: string | null = null): void {
  db.prepare(
    `UPDATE runs SET status = ?, owner_pid = NULL, error = ?, active_seconds = active_seconds + ?,
       finished_at = CASE WHEN ? = 'finished' THEN ? ELSE finished_at END WHERE id = ?`,
  ).run(status, error, activeSeconds, status, new Date().toISOString(), runId);
}

export function updateManifest(db: Db, runId: number, manifest: Record<string, unknown>): void {
  db.prepare('UPDATE runs SET manifest_json = ? WHERE id = ?').run(JSON.stringify(manifest), runId);
}

/** Whether a process with this pid exists (EPERM: it exists but belongs to someone else). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM';
  }
}
