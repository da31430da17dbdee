import { Option, type Command } from 'commander';
import { listRuns } from '../../core/engine/runs';
import { scoreRun } from '../../core/scoring/score-run';
import { withReadStore } from '../context';
import { formatDuration, formatTable, printJson } from '../output';
import { positiveInt, runSummary } from './run';
import { probabilityLines } from '../probability-text';

export function registerRuns(program: Command): void {
  program
    .command('runs')
    .description('list runs with status, counts and manifest')
    .option('--db <file>', 'database file')
    .option('--json', 'print a JSON array (each run with its full manifest)')
    .action(async (options: { db?: string; json?: boolean }) => {
      const runs = await withReadStore(options, (db) => listRuns(db));
      if (options.json) {
        printJson(runs.map((run) => ({ ...runSummary(run), manifest: run.manifest, error: run.error })));
        return;
      }
      if (runs.length === 0) {
        process.stdout.write('No runs yet. Start one with: medbench run --model baseline --name baseline\n');
        return;
      }
      const rows = runs.map((r) => {
        const s = runSummary(r);
        return [s.name, s.status, s.dataset, s.model ?? '', `${s.n}/${s.planned}`, s.invalid, s.strategy, formatDuration(s.seconds), r.createdAt.slice(0, 16).replace('T', ' ')];
      });
      process.stdout.write(`${formatTable(['run', 'status', 'dataset', 'model', 'pairs', 'invalid', 'strategy', 'time', 'created'], rows)}\n`);
    });

  program
    .command('score')
    .argument('<name>', 'run name')
    .description('score a run with the official MedicalBench metrics and bootstrap confidence intervals')
    .addOption(new Option('--by <dimension>', 'also break the metrics down by ICD chapter, CM/PCS kind, or gold label').choices(['chapter', 'kind', 'gold']))
    .option('--resamples <n>', 'bootstrap resamples', positiveInt, 10_000)
    .option('--seed <n>', 'bootstrap seed', positiveInt, 1)
    .option('--db <file>', 'database file')
    .option('--json', 'print one JSON object')
    .action(async (name: string, options: { by?: 'chapter' | 'kind' | 'gold'; resamples: number; seed: number; db?: string; json?: boolean }) => {
      const score = await withReadStore(options, (db) => scoreRun(db, name, { by: options.by, resamples: options.resamples, seed: options.seed }));
      if (options.json) {
        printJson(score);
        return;
      }
      const pct = (v: number | null) => (v === null ? 'n/a' : `${(v * 100).toFixed(1)}%`);
      const ci = (interval: [number, number] | null) => (interval ? `[${pct(interval[0])}, ${pct(interval[1])}]` : '');
      const lines = [
        `Run "${score.name}" on ${score.dataset}: ${score.n} pairs (${score.missing} missing, ${score.invalid} invalid), status ${score.status}`,
        '',
        formatTable(
          ['metric', 'value', `${Math.round(score.bootstrap.level * 100)}% CI`],
          [
            ['precision', pct(score.precision), ci(score.precisionCi)],
            ['recall', pct(score.recall), ci(score.recallCi)],
            ['F1', pct(score.f1), ci(score.f1Ci)],
            ['evidence recall', pct(score.evidenceRecall), ci(score.evidenceRecallCi)],
            ['accuracy', pct(score.accuracy), ''],
            ['specificity', pct(score.specificity), ''],
          ],
        ),
        '',
        `Confusion: TP ${score.tp}  FP ${score.fp}  FN ${score.fn}  TN ${score.tn}`,
        `Evidence over ${score.evidencePairs} pairs with gold evidence: exact ${score.matchTypes.exact}, partial ${score.matchTypes.partial}, proximate ${score.matchTypes.proximate}, none ${score.matchTypes.none}`,
        `(percentile bootstrap, ${score.bootstrap.resamples} resamples of pairs, seed ${score.bootstrap.seed})`,
      ];
      lines.push(...probabilityLines(score, score.bootstrap.level));
      if (score.breakdown) {
        lines.push(
          '',
          formatTable(
            [score.breakdown.by, 'n', 'TP', 'FP', 'FN', 'TN', 'P', 'R', 'F1', 'evidence recall'],
            score.breakdown.groups.map((g) => [g.group, g.metrics.n, g.metrics.tp, g.metrics.fp, g.metrics.fn, g.metrics.tn, pct(g.metrics.precision), pct(g.metrics.recall), pct(g.metrics.f1), pct(g.metrics.evidenceRecall)]),
          ),
        );
      }
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
