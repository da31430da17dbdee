import fs from 'node:fs';
import path from 'node:path';
import { DEMO_BUILD_NAME, DEMO_GOLD_NAME, runDemoBuildLoop } from '../../core/build/demo-loop';
import { userDataDir } from '../../core/paths';
import { openStore } from '../../core/store/database';
import { shellQuote } from '../../core/text/shell-quote';
import { formatTable, printJson, ProgressLine } from '../output';
import { describeBuildProgress, formatBuildSummary } from './build';

/** `medbench demo --build`: the construction loop on synthetic data, in its own demo database. */
export async function runDemoBuild(options: { db?: string; json?: boolean }): Promise<void> {
  const workDir = path.join(userDataDir(), 'demo-build');
  const dbPath = path.resolve(options.db ?? path.join(userDataDir(), 'demo-build.db'));
  const fresh = !fs.existsSync(dbPath);
  const db = openStore(dbPath);
  const progress = new ProgressLine();
  const started = performance.now();
  try {
    const report = await runDemoBuildLoop(db, workDir, (p) => progress.update('detail' in p && (p.stage === 'annotate' || p.stage === 'export' || p.stage === 'score') ? `${p.stage}: ${p.detail}` : describeBuildProgress(p as never)));
    progress.done();
    const seconds = (performance.now() - started) / 1000;
    if (options.json) {
      printJson({ db: dbPath, fresh, seconds, ...report });
      return;
    }
    const pct = (v: number | null) => (v === null ? 'n/a' : `${(v * 100).toFixed(1)}%`);
    const a = report.agreement;
    const out = [
      'MedBench Local build demo: synthetic hosp tables and notes written for this project (no MIMIC data);',
      'the two annotators and the adjudicator are simulated by fixed rules to show the workflow.',
      `Inputs: ${report.inputs}`,
      fresh ? `Created a new demo database: ${dbPath}` : `Using the existing demo database: ${dbPath}`,
      '',
      formatBuildSummary(report.build).split('\nNext:')[0]!.trimEnd(),
      '',
      `Annotation: ${a.bothSubmitted} pairs annotated twice; kappa ${a.overall.kappa === null ? 'n/a' : a.overall.kappa.toFixed(3)}; evidence overlap ${a.byAnnotatorPair[0]?.evidenceOverlap?.toFixed(3) ?? 'n/a'}; ` +
        `${a.disagreements} disagreements: ${a.adjudicated} adjudicated, ${a.unresolvable} unresolvable (excluded)`,
      `Export: ${report.export.out} (${report.export.rows} pairs: ${report.export.positives} True, ${report.export.negatives} False)`,
      `Imported back as "${DEMO_GOLD_NAME}": ${report.import.pairs} pairs, ${report.import.problems.length} problems`,
      '',
      formatTable(
        ['run', 'pairs', 'precision', 'recall', 'F1', 'evidence recall'],
        [[report.score.name, report.score.n, pct(report.score.precision), pct(report.score.recall), pct(report.score.f1), pct(report.score.evidenceRecall)]],
      ),
      '',
      `Done in ${seconds.toFixed(1)} s. Next:`,
      `  medbench pairs --dataset ${DEMO_BUILD_NAME} --json --db ${shellQuote(dbPath)}   provenance of every pair`,
      `  medbench annotate agreement ${DEMO_BUILD_NAME} --db ${shellQuote(dbPath)}         kappa and evidence overlap`,
      `  medbench serve --db ${shellQuote(dbPath)}                                         the Build and Annotate views`,
    ];
    process.stdout.write(`${out.join('\n')}\n`);
  } finally {
    progress.done();
    db.close();
  }
}
