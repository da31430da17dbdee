import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMedbench } from '../helpers/cli';
import { tempDir } from '../helpers/mimic-files';

/** `medbench predictions import` in a child process, on the demo database. */
const FIXTURE = path.resolve('test/fixtures/predictions/other-system.csv');
const MAP = ['--map', 'task_id=id', '--map', 'code=icd', '--map', 'prediction=pred', '--map', 'evidence=ev', '--map', 'rationale=why'];
let dir: string;
let db: string;

const medbench = (...args: string[]) => runMedbench(path.join(dir, 'home'), args, { timeout: 60_000 });

beforeAll(() => {
  dir = tempDir('medbench-cli-predictions-');
  db = path.join(dir, 'demo.db');
  const demo = medbench('demo', '--db', db);
  expect(demo.code, demo.stderr).toBe(0);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('medbench predictions import', () => {
  it('imports a file with renamed columns as a run, reports its problems, and the run scores', () => {
    const imported = medbench('predictions', 'import', FIXTURE, '--name', 'other', '--db', db, '--json', ...MAP);
    expect(imported.code, imported.stderr).toBe(0);
    const report = JSON.parse(imported.stdout);
    expect(report).toMatchObject({
      name: 'other',
      dataset: 'demo',
      file: FIXTURE,
      rows: 9,
      n: 7,
      imported: 7,
      evidenceNotFound: 1,
      evidenceForms: { text: 2, spans: 1, ids: 1, empty: 3 },
      evidenceMatches: { exact: 1, whitespace: 1, case: 1 },
    });
    expect(report.problems.map((p: { kind: string; row: number }) => [p.kind, p.row])).toEqual([
      ['evidence-not-found', 7],
      ['bad-row', 8],
      ['unknown-pair', 9],
    ]);

    const score = medbench('score', 'other', '--db', db, '--json', '--resamples', '100');
    expect(score.code, score.stderr).toBe(0);
    // Every imported label is right. Evidence: K35.80 quotes 3 of its 4 gold sentences, N17.9 1 of 2 (a quote is not in
    // the note), the spans and ids rows all of theirs: (3/4 + 1/2 + 1 + 1) / 4.
    expect(JSON.parse(score.stdout)).toMatchObject({ name: 'other', n: 7, precision: 1, recall: 1, missing: 0, evidencePairs: 4, evidenceRecall: 0.8125 });

    const runs = medbench('runs', '--db', db, '--json');
    expect(JSON.parse(runs.stdout)).toContainEqual(expect.objectContaining({ name: 'other', backend: 'external', status: 'finished', n: 7, planned: 7 }));
  });

  it('prints a readable summary with the problems table', () => {
    const { code, stdout } = medbench('predictions', 'import', FIXTURE, '--name', 'other-text', '--db', db, ...MAP);
    expect(code).toBe(0);
    expect(stdout).toMatch(/Run "other-text" imported from other-system\.csv on dataset "demo"/);
    expect(stdout).toMatch(/unknown-pair/);
    expect(stdout).toMatch(/Score it with: medbench score other-text/);
  });

  it('a file without the expected columns exits 1 with one line naming the file', () => {
    const { code, stdout, stderr } = medbench('predictions', 'import', FIXTURE, '--name', 'unmapped', '--db', db, '--json');
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.trim()).toMatch(new RegExp(`^medbench: error: ${FIXTURE.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: missing required columns task_id, code, prediction, evidence`));
    const runs = JSON.parse(medbench('runs', '--db', db, '--json').stdout) as { name: string }[];
    expect(runs.map((run) => run.name)).not.toContain('unmapped');
  });

  it('a malformed --map is a usage error (exit 2)', () => {
    expect(medbench('predictions', 'import', FIXTURE, '--name', 'x', '--db', db, '--map', 'prediction').code).toBe(2);
    expect(medbench('predictions', 'import', FIXTURE, '--name', 'x', '--db', db, '--map', 'label=pred').code).toBe(2);
  });
});
