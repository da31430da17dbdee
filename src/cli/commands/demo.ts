import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { appRoot } from '../app-root';
import { importDataset } from '../../core/data/import';
import { userDataDir } from '../../core/paths';
import { openStore } from '../../core/store/database';
import { executeRun } from '../../core/engine/runner';
import { findRun } from '../../core/engine/runs';
import { prepareNewRun, prepareResume } from '../../core/engine/start-run';
import { scoreRun, type RunScore } from '../../core/scoring/score-run';
import type { Db } from '../../core/store/database';
import { formatTable, printJson, ProgressLine } from '../output';
import { positiveInt, runJson } from './run';
import { formatImportReport } from './import';
import { shellQuote } from '../../core/text/shell-quote';

export const DEMO_DATASET = 'demo';

/** The synthetic demo set shipped in resources/demo (never MIMIC text). */
export function demoResourcesDir(): string {
  return path.join(appRoot(), 'resources/demo');
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('import the bundled synthetic demo set into a demo database in your user data folder, run the baseline (and --model) on it, and print the scores')
    .option('--db <file>', 'demo database file (default: demo.db in the user data folder, never the repository)')
    .option('--model <file>', 'also run this GGUF model on the demo set and compare it with the baseline')
    .option('--limit <n>', 'run the model on the first N pairs only', positiveInt)
    .option('--json', 'print one JSON object')
    .option('--build', 'instead: the whole build loop on synthetic hosp tables (build, two annotators, adjudication, export, import, score) with the baseline')
    .action(async (options: { db?: string; model?: string; limit?: number; json?: boolean; build?: boolean }) => {
      // Loaded only for --build: the synthetic generator and the annotation loop stay out of every other command's start-up.
      if (options.build) return (await import('./demo-build')).runDemoBuild(options);
      const resources = demoResourcesDir();
      const annotations = path.join(resources, 'dataset_raw.csv');
      const notes = path.join(resources, 'discharge.csv.gz');
      const dbPath = path.resolve(options.db ?? path.join(userDataDir(), 'demo.db'));
      const fresh = !fs.existsSync(dbPath);
      const db = openStore(dbPath);
      try {
        const report = await importDataset(db, { dataset: DEMO_DATASET, annotations, notes, format: 'raw' });
        const runs = [await runToCompletion(db, 'baseline', 'baseline')];
        if (options.model) runs.push(await runToCompletion(db, modelRunName(options.model, options.limit), options.model, options.limit));
        const scores = runs.map((name) => scoreRun(db, name));
        if (options.json) {
          printJson({ db: dbPath, fresh, import: report, runs: scores.map((score) => ({ ...runJson(db, score.name), score })) });
          return;
        }
        const out = [
          `MedBench Local demo: synthetic notes written for this project (no MIMIC data).`,
          `Source files: ${resources}`,
          fresh ? `Created a new demo database: ${dbPath}` : `Using the existing demo database: ${dbPath}`,
          '',
          formatImportReport({ ...report, db: dbPath }, notes),
          '',
          formatScores(scores),
          '',
          'Next:',
          ...nextSteps([
            [`medbench pairs --db ${shellQuote(dbPath)}`, 'the pairs with their gold sentences'],
            [`medbench score baseline --by chapter --db ${shellQuote(dbPath)}`, 'metrics by ICD-10 chapter'],
            [`medbench serve --db ${shellQuote(dbPath)}`, 'browse notes, evidence and metrics (after npm run build)'],
            ['npm run demo -- --model path/to/model.gguf', 'run a local GGUF model on the demo set too'],
            ['medbench import --annotations dataset_raw.csv --notes discharge.csv.gz', 'import your own MedicalBench + MIMIC-IV-Note files'],
          ]),
        ];
        process.stdout.write(`${out.join('\n')}\n`);
      } finally {
        db.close();
      }
    });
}

/** Runs (or resumes) a demo run until every pair has a prediction; a finished run is left as it is. */
async function runToCompletion(db: Db, name: string, model: string, limit?: number): Promise<string> {
  const existing = findRun(db, name);
  if (existing && existing.done === existing.planned) return name;
  const { run, backend } = existing ? await prepareResume(db, name) : await prepareNewRun(db, { name, model, dataset: DEMO_DATASET, limit });
  const progress = new ProgressLine();
  try {
    await executeRun(db, run, backend, { onProgress: (p) => progress.update(`${name}: ${p.done}/${p.total} pairs`) });
  } finally {
    progress.done();
    await backend.dispose();
  }
  return name;
}

function modelRunName(file: string, limit?: number): string {
  return `${path.basename(file).replace(/\.gguf$/i, '')}${limit ? `-first${limit}` : ''}`;
}

function formatScores(scores: readonly RunScore[]): string {
  const pct = (v: number | null) => (v === null ? 'n/a' : `${(v * 100).toFixed(1)}%`);
  return formatTable(
    ['run', 'pairs', 'precision', 'recall', 'F1 (95% CI)', 'evidence recall', 'invalid'],
    scores.map((s) => [s.name, s.n, pct(s.precision), pct(s.recall), `${pct(s.f1)} [${pct(s.f1Ci[0])}, ${pct(s.f1Ci[1])}]`, pct(s.evidenceRecall), s.invalid]),
  );
}

/** Commands, each followed by what it does, one per line, the explanations aligned. */
function nextSteps(steps: readonly [command: string, purpose: string][]): string[] {
  const width = Math.max(...steps.map(([command]) => command.length));
  return steps.map(([command, purpose]) => `  ${command.padEnd(width)}   ${purpose}`);
}
