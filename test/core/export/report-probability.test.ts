import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDataset } from '../../../src/core/data/import';
import { executeRun } from '../../../src/core/engine/runner';
import { prepareNewRun } from '../../../src/core/engine/start-run';
import { prSvg, reliabilitySvg, rocSvg } from '../../../src/core/export/probability-charts';
import { buildReport, renderReportMarkdown } from '../../../src/core/export/report';
import { renderReportHtml } from '../../../src/core/export/report-html';
import { NO_PROBABILITIES } from '../../../src/core/export/report-probability';
import { openStore, type Db } from '../../../src/core/store/database';
import { prStepPath } from '../../../src/shared/probability-plot';
import { tempDir } from '../../helpers/mimic-files';

const DEMO = path.resolve('resources/demo');
const BOOTSTRAP = { resamples: 200, seed: 2 };
let dir: string;
let db: Db;

beforeAll(async () => {
  dir = tempDir('medbench-report-prob-');
  db = openStore(path.join(dir, 'report.db'));
  await importDataset(db, { dataset: 'demo', annotations: path.join(DEMO, 'dataset_raw.csv'), notes: path.join(DEMO, 'discharge.csv.gz'), format: 'raw' });
  const { run, backend } = await prepareNewRun(db, { name: 'baseline', model: 'baseline', dataset: 'demo' });
  await executeRun(db, run, backend, {});
});
afterAll(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('reports with label probabilities', () => {
  it('the JSON report carries AUROC, AP, their intervals, sweep and calibration', () => {
    const report = JSON.parse(JSON.stringify(buildReport(db, 'baseline', BOOTSTRAP)));
    expect(report.score.probabilityPairs).toBe(report.score.n);
    expect(typeof report.score.auroc).toBe('number');
    expect(report.score.aurocCi).toHaveLength(2);
    expect(typeof report.score.averagePrecision).toBe('number');
    expect(report.score.averagePrecisionCi).toHaveLength(2);
    expect(report.score.sweep.best.tunedOnTestSet).toBe(true);
    expect(report.score.calibration).toHaveLength(10);
    expect(typeof report.score.brier).toBe('number');
    expect(typeof report.score.ece).toBe('number');
  });

  it('Markdown shows the numbers, HTML draws ROC, PR and reliability as inline SVG', () => {
    const report = buildReport(db, 'baseline', BOOTSTRAP);
    const md = renderReportMarkdown(report);
    expect(md).toContain('## Label probability');
    expect(md).toContain(`| AUROC | ${report.score.auroc!.toFixed(3)} | [${report.score.aurocCi![0].toFixed(3)}, ${report.score.aurocCi![1].toFixed(3)}] |`);
    expect(md).toMatch(/\| average precision \| 0\.\d{3} \|/);
    expect(md).toMatch(/F1-best threshold .*Tuned on these same pairs \(the test set\)/);

    const html = renderReportHtml(report);
    for (const label of ['ROC curve', 'Precision–recall curve', 'Reliability diagram']) expect(html).toContain(`<svg class="chart" viewBox="0 0 300 300" width="300" height="300" role="img" aria-label="${label}">`);
    expect(html).toContain(`AUROC ${report.score.auroc!.toFixed(3)}`);
    // Still nothing external: no URL anywhere in the charts.
    expect(html).not.toMatch(/https?:|xmlns/);
  });

  it('says plainly when the run has no probabilities', () => {
    db.prepare('UPDATE predictions SET probability = NULL').run();
    const report = buildReport(db, 'baseline', BOOTSTRAP);
    expect(report.score.auroc).toBeNull();
    expect(renderReportMarkdown(report)).toContain(NO_PROBABILITIES);
    expect(renderReportHtml(report)).not.toContain('aria-label="ROC curve"');
  });
});

describe('probability charts', () => {
  it('draw the ROC through its points and the PR staircase whose area is the average precision', () => {
    const roc = rocSvg([{ fpr: 0, tpr: 0, threshold: null }, { fpr: 0, tpr: 0.5, threshold: 0.8 }, { fpr: 1, tpr: 1, threshold: 0.1 }], 0.75, 'ROC <test>');
    expect(roc).toContain('aria-label="ROC &lt;test&gt;"');
    // Plot box: left 46, top 14, side 240.
    expect(roc).toContain('<path class="curve" d="M46 254L46 134L286 14"/>');
    expect(roc).toContain('AUROC 0.750');
    const pr = [{ recall: 0, precision: 1, threshold: null }, { recall: 0.5, precision: 1, threshold: 0.8 }, { recall: 1, precision: 0.5, threshold: 0.1 }];
    expect(prStepPath(pr, { left: 0, top: 0, size: 100 })).toBe('M0 0V0H50V50H100');
    expect(prSvg(pr, 0.75, 0.5, 'PR')).toContain('class="reference-line" d="M46 134H286"');
    const bins = [
      { lo: 0, hi: 0.1, count: 0, meanProbability: null, fractionPositive: null },
      { lo: 0.1, hi: 0.2, count: 4, meanProbability: 0.15, fractionPositive: 0.25 },
    ];
    const reliability = reliabilitySvg(bins, 0.1, 'Reliability');
    expect(reliability.match(/<circle /g)).toHaveLength(1);
    expect(reliability).toContain('4 pairs: mean probability 0.150, fraction True 0.250');
    expect(reliability).toContain('ECE 0.100 (10 bins)');
  });
});
