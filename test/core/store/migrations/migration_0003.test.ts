import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, schemaVersion } from '../../../../src/core/store/database';
import { seedVersion1Rows, tableRows, VERSION1_TABLES } from './version-fixtures';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDb(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'medbench-m3-'));
  dirs.push(dir);
  return path.join(dir, 'store.db');
}

const VERSION2_TABLES = [...VERSION1_TABLES, 'models', 'runs', 'run_pairs', 'predictions', 'prediction_samples'];

describe('migration 0003 (audit)', () => {
  it('carries a version-2 database with runs and predictions to version 3, and adds an append-only audit log', () => {
    const file = tempDb();
    const v2 = openStore(file, { targetVersion: 2 });
    seedVersion1Rows(v2);
    v2.prepare("INSERT INTO models (sha256, path, file_name, size_bytes, has_chat_template, metadata_json, added_at) VALUES ('abc', '/m/q.gguf', 'q.gguf', 100, 1, '{}', 'now')").run();
    v2.prepare(
      `INSERT INTO runs (name, dataset_id, backend, model_id, status, options_json, manifest_json, created_at, active_seconds, owner_pid)
       VALUES ('qwen', 1, 'gguf', 1, 'stopped', '{"votes":3}', '{"modelSha256":"abc"}', '2026-01-02', 12.5, 4242)`,
    ).run();
    v2.prepare('INSERT INTO run_pairs (run_id, position, pair_id) VALUES (1, 0, 1), (1, 1, 2)').run();
    v2.prepare(
      `INSERT INTO predictions (run_id, pair_id, status, label, raw_label, evidence_json, rationale, raw_output, prompt_tokens, reused_tokens, generated_tokens, ms, created_at)
       VALUES (1, 1, 'ok', 1, 'True', '[1]', 'why', 'raw', 10, 2, 5, 1.5, 'now')`,
    ).run();
    v2.prepare(
      `INSERT INTO prediction_samples (prediction_id, sample_index, seed, status, label, raw_label, evidence_json, rationale, raw_output, prompt_tokens, reused_tokens, generated_tokens, ms)
       VALUES (1, 0, 42, 'ok', 1, 'True', '[1]', 'a', 'r', 10, 0, 5, 1), (1, 1, 43, 'invalid', NULL, NULL, '[]', '', 'x', 10, 10, 5, 1)`,
    ).run();
    const before = tableRows(v2, VERSION2_TABLES);
    expect(before.prediction_samples).toHaveLength(2);
    expect(v2.prepare("SELECT name FROM sqlite_master WHERE name = 'audit_events'").get()).toBeUndefined();
    v2.close();

    const v3 = openStore(file, { targetVersion: 3 });
    expect(schemaVersion(v3)).toBe(3);
    expect(tableRows(v3, VERSION2_TABLES)).toEqual(before);

    const insert = v3.prepare(
      "INSERT INTO audit_events (at, kind, subject, app_version, pid, inputs_json, outputs_json, facts_json) VALUES ('now', 'import', 'demo', '0.1.0', 1, '[]', '[]', '{}')",
    );
    insert.run();
    insert.run();
    expect(v3.prepare('SELECT count(*) AS n FROM audit_events').get()).toEqual({ n: 2 });
    expect(() => v3.prepare("UPDATE audit_events SET kind = 'export' WHERE id = 1").run()).toThrow(/append-only/);
    expect(() => v3.prepare('DELETE FROM audit_events').run()).toThrow(/append-only/);
    expect(() => v3.prepare('INSERT INTO audit_events (at, kind) VALUES (?, ?)').run('now', 'import')).toThrow(/NOT NULL/);
    expect(v3.prepare('SELECT count(*) AS n FROM audit_events').get()).toEqual({ n: 2 });
    v3.close();
  });
});
