import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRun, getRun, savePrediction } from '../../src/core/engine/runs';
import { readZip } from '../helpers/zip';
import { scoreRun } from '../../src/core/scoring/score-run';
import { openStore } from '../../src/core/store/database';
import { runMedbench } from '../helpers/cli';
import { tempDir } from '../helpers/mimic-files';

/** compare, export and report through the real `medbench` command in a child process. */
let dir: string;
let db: string;
/** Pairs (task|code) where the "flipped" run answers the opposite of the baseline. */
let flippedKeys: string[];

const medbench = (...args: string[]) => runMedbench(path.join(dir, 'home'), args, { timeout: 120_000 });

beforeAll(() => {
  dir = tempDir('medbench-cli-report-');
  db = path.join(dir, 'demo.db');
  expect(medbench('demo', '--db', db, '--json').code).toBe(0);
  // A second run: the baseline's answers with every fifth label flipped, written through the core.
  const store = openStore(db);
  try {
    const baseline = getRun(store, 'baseline');
    const flipped = createRun(store, { name: 'flipped', datasetId: baseline.datasetId, backend: 'external', settings: baseline.settings, manifest: {} });
    const rows = store
      .prepare(
        `SELECT pr.pair_id AS pairId, pr.label, pr.evidence_json AS evidenceJson, p.task_id AS taskId, p.code FROM predictions pr
         JOIN pairs p ON p.id = pr.pair_id JOIN run_pairs rp ON rp.run_id = pr.run_id AND rp.pair_id = pr.pair_id WHERE pr.run_id = ? ORDER BY rp.position`,
      )
      .all(baseline.id) as { pairId: number; label: number; evidenceJson: string; taskId: string; code: string }[];
    flippedKeys = [];
    rows.forEach((row, i) => {
      const flip = i % 5 === 0;
      if (flip) flippedKeys.push(`${row.taskId}|${row.code}`);
      savePrediction(store, flipped.id, row.pairId, {
        status: 'ok', label: flip ? row.label === 0 : row.label === 1, rawLabel: null, evidence: JSON.parse(row.evidenceJson), rationale: 'flipped copy',
        rawOutput: '', error: null, promptTokens: 0, reusedTokens: 0, generatedTokens: 0, ms: 1, windows: 1,
      }, []);
    });
  } finally {
    store.close();
  }
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('medbench compare', () => {
  it('--json for two runs has the public fields', () => {
    const { code, stdout } = medbench('compare', 'baseline', 'flipped', '--db', db, '--json', '--resamples', '500');
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    for (const key of ['runA', 'runB', 'n', 'mcnemarP', 'b', 'c', 'f1Diff', 'evidenceRecallDiff', 'disagreements']) expect(result).toHaveProperty(key);
    expect(result).toMatchObject({ runA: 'baseline', runB: 'flipped', n: 74 });
    expect(result.b + result.c).toBe(flippedKeys.length);
    expect(result.disagreements.map((d: { taskId: string; code: string }) => `${d.taskId}|${d.code}`)).toEqual(flippedKeys);
    expect(result.disagreements[0]).toEqual({
      pairId: expect.any(Number), taskId: expect.any(String), code: expect.any(String), desc: expect.any(String), gold: expect.any(Boolean),
      a: { status: 'ok', label: expect.any(Boolean), evidence: expect.any(Array) }, b: { status: 'ok', label: expect.any(Boolean), evidence: expect.any(Array) },
    });
    expect(result.f1Diff.ci).toHaveLength(2);
    // Same cited sentences in both runs: no evidence difference.
    expect(result.evidenceRecallDiff).toMatchObject({ diff: 0, ci: [0, 0] });
  });

  it('prints neat tables, and a leaderboard for three runs', () => {
    const two = medbench('compare', 'baseline', 'flipped', '--db', db, '--resamples', '200');
    expect(two.code).toBe(0);
    expect(two.stdout).toMatch(/^metric +A +B +A - B \(points\)/m);
    expect(two.stdout).toMatch(/exact McNemar/);
    expect(two.stdout).toMatch(/Disagreements \(15\)/);
    expect(medbench('run', '--model', 'baseline', '--name', 'first30', '--limit', '30', '--db', db).code).toBe(0);
    const three = medbench('compare', 'flipped', 'first30', 'baseline', '--db', db, '--json', '--resamples', '200');
    expect(three.code).toBe(0);
    const board = JSON.parse(three.stdout);
    expect(board.n).toBe(30);
    expect(board.leaderboard.map((r: { run: string }) => r.run).slice(0, 2)).toEqual(['first30', 'baseline']);
    expect(board.leaderboard[1].vsBest).toEqual({ b: 0, c: 0, mcnemarP: 1 });
  });

  it('usage and run errors exit 2 and 1', () => {
    expect(medbench('compare', 'baseline', '--db', db).code).toBe(2);
    const unknown = medbench('compare', 'baseline', 'nope', '--db', db);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no run named "nope"/);
    expect(medbench('compare', 'baseline', 'baseline', '--db', db).code).toBe(1);
  });
});

describe('medbench export', () => {
  it('writes the submission ZIP and warns about its note-derived text', () => {
    const out = path.join(dir, 'baseline.zip');
    const { code, stdout, stderr } = medbench('export', 'baseline', '--format', 'submission', '--out', out, '--db', db, '--json');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ run: 'baseline', rows: 74, missing: 0, invalid: 0, format: 'submission' });
    expect(stderr).toMatch(/warning: .*credentialed channel/);
    const csv = readZip(fs.readFileSync(out))[0]!.data.toString('utf8');
    expect(csv.split('\n')[0]).toBe('task_id,code,prediction,evidence,rationale');
    expect(medbench('export', 'baseline', '--db', db).code).toBe(2);
  });
});

describe('medbench report', () => {
  it('writes html, md and json reports, DUA-safe by default', () => {
    for (const format of ['html', 'md', 'json']) {
      const out = path.join(dir, `report.${format}`);
      const { code, stdout, stderr } = medbench('report', 'flipped', '--compare', 'baseline', '--format', format, '--out', out, '--db', db, '--resamples', '300', '--json');
      expect(code, stderr).toBe(0);
      expect(JSON.parse(stdout)).toMatchObject({ format, run: 'flipped', compare: 'baseline', includesText: false });
      const content = fs.readFileSync(out, 'utf8');
      expect(content).not.toContain('flipped copy');
    }
    const html = fs.readFileSync(path.join(dir, 'report.html'), 'utf8');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).toContain('<svg ');
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'report.json'), 'utf8'));
    const store = openStore(db);
    try {
      expect(json.score).toEqual(JSON.parse(JSON.stringify(scoreRun(store, 'flipped', { resamples: 300, seed: 1 }))));
    } finally {
      store.close();
    }
    expect(json.comparison.disagreements).toHaveLength(flippedKeys.length);
  });

  it('--include-text adds rationales behind a banner; the format follows the extension', () => {
    const out = path.join(dir, 'with-text.md');
    const { code, stderr } = medbench('report', 'flipped', '--out', out, '--include-text', '--db', db, '--resamples', '100');
    expect(code).toBe(0);
    expect(stderr).toMatch(/note-derived text/);
    const md = fs.readFileSync(out, 'utf8');
    expect(md).toContain('flipped copy');
    expect(md.split('\n')[2]).toMatch(/CONTAINS NOTE-DERIVED TEXT/);
    const bad = medbench('report', 'flipped', '--out', path.join(dir, 'report.txt'), '--db', db);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--format html, md or json/);
    expect(medbench('report', 'flipped', '--out', path.join(dir, 'absent', 'r.md'), '--db', db).code).toBe(1);
  });
});
