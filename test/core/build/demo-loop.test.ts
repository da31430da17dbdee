import { describe, expect, it } from 'vitest';
import { runDemoBuildLoop } from '../../../src/core/build/demo-loop';
import { openStore } from '../../../src/core/store/database';
import { tempDir } from '../../helpers/mimic-files';

describe('medbench demo --build', () => {
  it('runs build, dual annotation, adjudication, export, import and scoring on synthetic data, and a second time changes nothing', async () => {
    const db = openStore(':memory:');
    const work = tempDir('medbench-demo-build-');
    const report = await runDemoBuildLoop(db, work);
    expect(report.build).toMatchObject({ stage: 'finished', admissions: 30 });
    // The simulated annotators disagree exactly on the putative positives.
    expect(report.agreement.disagreements).toBe(report.build.triage['putative-positive']);
    expect(report.agreement.adjudicated + report.agreement.unresolvable).toBe(report.agreement.disagreements);
    expect(report.agreement.overall.kappa).not.toBeNull();
    expect(report.export.rows).toBe(report.build.pairs - report.agreement.unresolvable);
    expect(report.import).toMatchObject({ pairs: report.export.rows, problems: [] });
    expect(report.score.n).toBe(report.export.rows);

    const again = await runDemoBuildLoop(db, work);
    expect(again.import.outcome).toBe('unchanged');
    expect(again.export.rows).toBe(report.export.rows);
    expect(again.score.f1).toBe(report.score.f1);
    db.close();
  }, 60_000);
});
