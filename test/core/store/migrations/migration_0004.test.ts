import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findRun, listRuns } from '../../../../src/core/engine/runs';
import { openStore, schemaVersion } from '../../../../src/core/store/database';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDb(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'medbench-m4-'));
  dirs.push(dir);
  return path.join(dir, 'store.db');
}

const RUN_COLUMNS = 'id, name, dataset_id, backend, model_id, status, options_json, manifest_json, error, created_at, started_at, finished_at, active_seconds, owner_pid, owner_heartbeat';
const PREDICTION_COLUMNS = 'id, run_id, pair_id, status, label, raw_label, evidence_json, rationale, raw_output, error, prompt_tokens, reused_tokens, generated_tokens, ms, windows, created_at';
const SAMPLE_COLUMNS = 'prediction_id, sample_index, seed, status, label, raw_label, evidence_json, rationale, raw_output, error, prompt_tokens, reused_tokens, generated_tokens, ms';

function snapshot(db: ReturnType<typeof openStore>) {
  return {
    runs: db.prepare(`SELECT ${RUN_COLUMNS} FROM runs ORDER BY id`).all(),
    runPairs: db.prepare('SELECT run_id, position, pair_id FROM run_pairs ORDER BY run_id, position').all(),
    predictions: db.prepare(`SELECT ${PREDICTION_COLUMNS} FROM predictions ORDER BY id`).all(),
    samples: db.prepare(`SELECT ${SAMPLE_COLUMNS} FROM prediction_samples ORDER BY prediction_id, sample_index`).all(),
    audit: db.prepare('SELECT * FROM audit_events ORDER BY id').all(),
  };
}

/** A version-3 database as 0.x wrote it: a finished baseline run, a stopped GGUF run with votes, an imported run. */
function seedVersion3(file: string) {
  const db = openStore(file, { targetVersion: 3 });
  expect(schemaVersion(db)).toBe(3);
  db.prepare("INSERT INTO datasets (name, created_at, updated_at) VALUES ('demo', '2026-01-01', '2026-01-01')").run();
  db.prepare("INSERT INTO notes (text_sha256, text, length, segmenter_version) VALUES ('h', 'Hypertension noted. No diabetes.', 32, 1)").run();
  db.prepare("INSERT INTO sentences (note_id, sentence_id, span_start, span_end) VALUES (1, 1, 0, 19), (1, 2, 20, 32)").run();
  const pair = db.prepare("INSERT INTO pairs (dataset_id, task_id, code, desc, gold, reasoning_summary, note_id, source_row) VALUES (1, '1_2', ?, ?, ?, '', 1, ?)");
  pair.run('I10', 'Essential hypertension', 1, 1);
  pair.run('E11.9', 'Type 2 diabetes', 0, 2);
  db.prepare(
    `INSERT INTO models (sha256, path, file_name, size_bytes, has_chat_template, metadata_json, added_at) VALUES ('abc', '/m/q.gguf', 'q.gguf', 100, 1, '{}', 'now')`,
  ).run();
  const run = db.prepare(`INSERT INTO runs (${RUN_COLUMNS}) VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?, '2026-01-02', ?, ?, ?, ?, ?)`);
  const baselineSettings = { backend: 'baseline', modelId: null, strategy: 'note-major', votes: 1, seed: 42, labels: 'binary', limit: null, gpu: 'auto', gpuLayers: 'auto', contextSize: null, threads: null, batchSize: null, promptFile: null, temperature: null, maxTokens: null };
  const ggufSettings = { ...baselineSettings, backend: 'gguf', modelId: 1, votes: 3, parallel: 2 };
  run.run(1, 'base', 'baseline', null, 'finished', JSON.stringify(baselineSettings), JSON.stringify({ appVersion: '0.1.0', backend: 'baseline', baselineVersion: 'lexical-v1', threshold: 0.6 }), null, '2026-01-02', '2026-01-02', 0.5, null, null);
  run.run(2, 'qwen', 'gguf', 1, 'stopped', JSON.stringify(ggufSettings), JSON.stringify({ appVersion: '0.1.0', backend: 'gguf', modelFile: 'q.gguf', modelSha256: 'abc', sampler: { topK: 40 } }), 'stopped by user', '2026-01-02', null, 12.25, 4242, '2026-01-02T10:00:00Z');
  run.run(3, 'imported', 'external', null, 'finished', JSON.stringify({ ...baselineSettings, backend: 'external' }), JSON.stringify({ source: 'x.csv' }), null, null, null, 0, null, null);
  const plan = db.prepare('INSERT INTO run_pairs (run_id, position, pair_id) VALUES (?, ?, ?)');
  for (const runId of [1, 2, 3]) {
    plan.run(runId, 0, 1);
    plan.run(runId, 1, 2);
  }
  const prediction = db.prepare(`INSERT INTO predictions (${PREDICTION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, '[1]', 'why', 'raw', ?, 10, 2, 5, 1.5, 1, 'now')`);
  prediction.run(1, 1, 1, 'ok', 1, 'True', null);
  prediction.run(2, 1, 2, 'ok', 0, 'False', null);
  prediction.run(3, 2, 1, 'invalid', null, null, 'no JSON');
  prediction.run(4, 3, 1, 'ok', 1, 'True', null);
  const sample = db.prepare(`INSERT INTO prediction_samples (${SAMPLE_COLUMNS}) VALUES (3, ?, ?, 'invalid', NULL, NULL, '[]', '', 'garbage', 'no JSON', 10, 0, 3, 0.5)`);
  for (const index of [0, 1, 2]) sample.run(index, 42 + index);
  db.prepare(
    "INSERT INTO audit_events (at, kind, subject, app_version, pid, inputs_json, outputs_json, facts_json) VALUES ('now', 'run-start', 'qwen', '0.1.0', 1, '[]', '[]', '{}')",
  ).run();
  const before = { rows: snapshot(db), records: listRuns(db) };
  db.close();
  return before;
}

describe('migration 0004 (backend registry)', () => {
  it('carries every run, plan row, prediction, sample and audit event across, and runs read exactly as before', () => {
    const file = tempDb();
    const before = seedVersion3(file);
    expect(before.rows.predictions).toHaveLength(4);

    const db = openStore(file, { targetVersion: 4 });
    expect(schemaVersion(db)).toBe(4);
    expect(snapshot(db)).toEqual(before.rows);
    // Settings and manifests (what `runs show`, reports and resume read) are the same objects.
    expect(listRuns(db)).toEqual(before.records);
    expect(findRun(db, 'qwen')?.manifest).toEqual({ appVersion: '0.1.0', backend: 'gguf', modelFile: 'q.gguf', modelSha256: 'abc', sampler: { topK: 40 } });
    expect(db.pragma('foreign_key_check')).toEqual([]);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });

  it('accepts any registered backend id and still cascades and enforces the foreign keys', () => {
    const file = tempDb();
    seedVersion3(file);
    const db = openStore(file, { targetVersion: 4 });
    db.prepare("INSERT INTO runs (name, dataset_id, backend, status, options_json, manifest_json, created_at) VALUES ('server', 1, 'openai', 'stopped', '{}', '{}', 'now')").run();
    expect(findRun(db, 'server')?.backend).toBe('openai');
    expect(() => db.prepare("INSERT INTO runs (name, dataset_id, backend, status, options_json, manifest_json, created_at) VALUES ('bad', 1, '', 'stopped', '{}', '{}', 'now')").run()).toThrow(/CHECK/);
    // The children still reference runs (not a renamed copy): a dangling plan row is refused...
    expect(() => db.prepare('INSERT INTO run_pairs (run_id, position, pair_id) VALUES (99, 0, 1)').run()).toThrow(/FOREIGN KEY/);
    // ...and deleting a run still takes its plan, predictions and samples with it.
    db.prepare("DELETE FROM runs WHERE name = 'qwen'").run();
    expect(db.prepare('SELECT count(*) AS n FROM run_pairs WHERE run_id = 2').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT count(*) AS n FROM prediction_samples').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT count(*) AS n FROM predictions').get()).toEqual({ n: 3 });
    db.close();
  });
});
