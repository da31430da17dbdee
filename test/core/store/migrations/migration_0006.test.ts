import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, schemaVersion } from '../../../../src/core/store/database';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDb(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'medbench-m6-'));
  dirs.push(dir);
  return path.join(dir, 'store.db');
}

const PREDICTION_COLUMNS = 'id, run_id, pair_id, status, label, raw_label, evidence_json, rationale, raw_output, error, prompt_tokens, reused_tokens, generated_tokens, ms, windows, created_at';
const SAMPLE_COLUMNS = 'prediction_id, sample_index, seed, status, label, raw_label, evidence_json, rationale, raw_output, error, prompt_tokens, reused_tokens, generated_tokens, ms';

/** A version-5 database (whatever of 4 and 5 has landed) holding one run with predictions and vote samples. */
function seedPreviousVersion(file: string): { predictions: unknown[]; samples: unknown[] } {
  const db = openStore(file, { targetVersion: 5 });
  expect(schemaVersion(db)).toBeLessThan(6);
  db.prepare("INSERT INTO datasets (name, created_at, updated_at) VALUES ('d', 'now', 'now')").run();
  db.prepare("INSERT INTO notes (text_sha256, text, length, segmenter_version) VALUES ('h', 'Hypertension noted.', 19, 1)").run();
  const pair = db.prepare("INSERT INTO pairs (dataset_id, task_id, code, desc, gold, reasoning_summary, note_id, source_row) VALUES (1, '1_2', ?, 'd', ?, '', 1, ?)");
  pair.run('I10', 1, 1);
  pair.run('E11', 0, 2);
  db.prepare("INSERT INTO runs (name, dataset_id, backend, status, options_json, manifest_json, created_at) VALUES ('r', 1, 'baseline', 'finished', '{}', '{}', 'now')").run();
  const prediction = db.prepare(
    `INSERT INTO predictions (${PREDICTION_COLUMNS}) VALUES (?, 1, ?, ?, ?, ?, '[1]', 'why', 'raw', ?, 10, 2, 5, 1.5, 1, 'now')`,
  );
  prediction.run(1, 1, 'ok', 1, 'True', null);
  prediction.run(2, 2, 'invalid', null, null, 'no JSON');
  const sample = db.prepare(`INSERT INTO prediction_samples (${SAMPLE_COLUMNS}) VALUES (1, ?, ?, 'ok', ?, 'True', '[]', '', 'raw', NULL, 10, 0, 3, 0.5)`);
  sample.run(0, 11, 1);
  sample.run(1, 12, 0);
  const snapshot = {
    predictions: db.prepare(`SELECT ${PREDICTION_COLUMNS} FROM predictions ORDER BY id`).all(),
    samples: db.prepare(`SELECT ${SAMPLE_COLUMNS} FROM prediction_samples ORDER BY prediction_id, sample_index`).all(),
  };
  db.close();
  return snapshot;
}

describe('migration 0006 (probabilities)', () => {
  it('adds probability, thinking, thinking_tokens and answer_path and keeps every existing row', () => {
    const file = tempDb();
    const before = seedPreviousVersion(file);

    const db = openStore(file, { targetVersion: 6 });
    expect(schemaVersion(db)).toBe(6);
    expect(db.prepare(`SELECT ${PREDICTION_COLUMNS} FROM predictions ORDER BY id`).all()).toEqual(before.predictions);
    expect(db.prepare(`SELECT ${SAMPLE_COLUMNS} FROM prediction_samples ORDER BY prediction_id, sample_index`).all()).toEqual(before.samples);
    // Old rows have no probability (null, never a made-up 0.5), no thought, zero thinking tokens.
    for (const table of ['predictions', 'prediction_samples']) {
      const rows = db.prepare(`SELECT probability, thinking, thinking_tokens, answer_path FROM ${table}`).all();
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) expect(row).toEqual({ probability: null, thinking: null, thinking_tokens: 0, answer_path: null });
    }

    db.prepare("UPDATE predictions SET probability = 0.75, thinking = 'hmm', thinking_tokens = 3, answer_path = 'label-logits' WHERE id = 1").run();
    expect(db.prepare('SELECT probability, thinking, thinking_tokens, answer_path FROM predictions WHERE id = 1').get()).toEqual({
      probability: 0.75,
      thinking: 'hmm',
      thinking_tokens: 3,
      answer_path: 'label-logits',
    });
    // Probabilities outside [0, 1] are refused in both tables.
    expect(() => db.prepare('UPDATE predictions SET probability = 1.5 WHERE id = 2').run()).toThrow(/CHECK/);
    expect(() => db.prepare('UPDATE prediction_samples SET probability = -0.1 WHERE sample_index = 0').run()).toThrow(/CHECK/);
    db.prepare('UPDATE prediction_samples SET probability = 0 WHERE sample_index = 0').run();
    db.prepare('UPDATE prediction_samples SET probability = 1 WHERE sample_index = 1').run();
    expect(() => db.prepare('UPDATE predictions SET thinking_tokens = NULL WHERE id = 1').run()).toThrow(/NOT NULL/);
    db.close();
  });
});
