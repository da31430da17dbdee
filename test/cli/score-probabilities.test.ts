import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMedbench } from '../helpers/cli';
import { tempDir, writeFile } from '../helpers/mimic-files';

/** `medbench score` with label probabilities: the baseline's own score, and an import without any. */
let dir: string;
let db: string;

const medbench = (...args: string[]) => runMedbench(path.join(dir, 'home'), args, { timeout: 120_000 });

beforeAll(() => {
  dir = tempDir('medbench-score-prob-');
  db = path.join(dir, 'demo.db');
  const demo = medbench('demo', '--db', db, '--json');
  expect(demo.code, demo.stderr).toBe(0);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** AUROC as the probability that a random positive outranks a random negative (ties 1/2): independent of curves.ts. */
function mannWhitney(rows: readonly { gold: number; probability: number }[]): number {
  const positives = rows.filter((r) => r.gold === 1);
  const negatives = rows.filter((r) => r.gold === 0);
  let wins = 0;
  for (const p of positives) for (const n of negatives) wins += p.probability > n.probability ? 1 : p.probability === n.probability ? 0.5 : 0;
  return wins / (positives.length * negatives.length);
}

describe('medbench score with probabilities', () => {
  it('--json adds auroc, averagePrecision, their intervals, the sweep and calibration for the baseline', () => {
    const { code, stdout, stderr } = medbench('score', 'baseline', '--db', db, '--json', '--resamples', '500');
    expect(code, stderr).toBe(0);
    const score = JSON.parse(stdout);
    const raw = new Database(db, { readonly: true });
    const rows = raw
      .prepare("SELECT p.gold, pr.probability FROM predictions pr JOIN pairs p ON p.id = pr.pair_id JOIN runs r ON r.id = pr.run_id WHERE r.name = 'baseline'")
      .all() as { gold: number; probability: number | null }[];
    raw.close();
    // The baseline records its own score for every pair.
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.every((r) => r.probability !== null && r.probability >= 0 && r.probability <= 1)).toBe(true);
    const withProbability = rows as { gold: number; probability: number }[];

    expect(score.probabilityPairs).toBe(rows.length);
    expect(score.probabilityMissing).toBe(0);
    expect(score.auroc).toBeCloseTo(mannWhitney(withProbability), 12);
    expect(score.averagePrecision).toBeGreaterThan(0);
    expect(score.averagePrecision).toBeLessThanOrEqual(1);
    for (const key of ['aurocCi', 'averagePrecisionCi']) {
      expect(score[key]).toHaveLength(2);
      expect(score[key][0]).toBeLessThanOrEqual(score[key][1]);
    }
    expect(score.aurocCi[0]).toBeLessThanOrEqual(score.auroc);
    expect(score.aurocCi[1]).toBeGreaterThanOrEqual(score.auroc);
    const brier = withProbability.reduce((sum, r) => sum + (r.probability - r.gold) ** 2, 0) / rows.length;
    expect(score.brier).toBeCloseTo(brier, 12);
    expect(score.ece).toBeGreaterThanOrEqual(0);
    expect(score.calibration).toHaveLength(10);
    expect(score.calibration.reduce((n: number, bin: { count: number }) => n + bin.count, 0)).toBe(rows.length);
    expect(score.sweep.best).toMatchObject({ tunedOnTestSet: true });
    expect(score.sweep.points.length).toBe(new Set(withProbability.map((r) => r.probability)).size);
    expect(score.roc[0]).toEqual({ fpr: 0, tpr: 0, threshold: null });
    expect(score.roc.at(-1)).toMatchObject({ fpr: 1, tpr: 1 });
  });

  it('prints the probability figures in the text output', () => {
    const { code, stdout } = medbench('score', 'baseline', '--db', db, '--resamples', '200');
    expect(code).toBe(0);
    expect(stdout).toMatch(/Label probability over \d+ pairs:/);
    expect(stdout).toMatch(/AUROC\s+0\.\d{3}\s+\[0\.\d{3}, [01]\.\d{3}\]/);
    expect(stdout).toMatch(/F1-best threshold 0\.\d{3}: precision .*tuned on these same pairs/);
    expect(stdout).toMatch(/Reliability \(10 equal-width bins\)/);
  });

  it('gives null for every probability field when the run has none', () => {
    const file = writeFile(dir, 'plain.csv', 'task_id,code,prediction,evidence\n');
    // One row of the demo dataset, taken from the database so the test does not depend on its content.
    const raw = new Database(db, { readonly: true });
    const pair = raw.prepare('SELECT task_id AS taskId, code FROM pairs ORDER BY id LIMIT 1').get() as { taskId: string; code: string };
    raw.close();
    fs.appendFileSync(file, `${pair.taskId},${pair.code},True,\n`);
    expect(medbench('predictions', 'import', file, '--name', 'plain', '--db', db).code).toBe(0);
    const { code, stdout } = medbench('score', 'plain', '--db', db, '--json', '--resamples', '100');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({
      probabilityPairs: 0, probabilityMissing: 1, auroc: null, averagePrecision: null, aurocCi: null, averagePrecisionCi: null, sweep: null, brier: null, ece: null, calibration: null,
    });
  });
});
