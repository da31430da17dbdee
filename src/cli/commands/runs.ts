import { Option, type Command } from 'commander';
import { listRuns } from '../../core/engine/runs';
import { deleteRun, renameRun } from '../../core/engine/run-lifecycle';
import { cliRunsJson, summariseRun } from '../../core/engine/run-summary';
import { SMALL_N_GROUP } from '../../core/scoring/trust';
import { shellQuote } from '../../core/text/shell-quote';
import type { RunWarning } from '../../shared/contract';
import { UsageError } from '../errors';
import { scoreRun } from '../../core/scoring/score-run';
import { withReadStore, withStore } from '../context';
import { formatDuration, formatTable, printJson } from '../output';
import { positiveInt } from './run';
import { probabilityLines } from '../probability-text';

export function registerRuns(program: Command): void {
  program
    .command('runs')
    .description('list runs with status, counts and manifest')
    .option('--db <file>', 'database file')
    .option('--json', 'print a JSON array (each run with its full manifest)')
    .action(async (options: { db?: string; json?: boolean }) => {
      const { runs, dbPath } = await withReadStore(options, (db, dbPath) => ({
        dbPath,
        // The status a reader should see: a run whose writer is gone is "interrupted", not "running".
        runs: listRuns(db).map((run) => summariseRun(db, run)),
      }));
      if (options.json) {
        printJson(runs.map((s) => cliRunsJson(s)));
        return;
      }
      if (runs.length === 0) {
        process.stdout.write('No runs yet. Start one with: medbench run --model baseline --name baseline\n');
        return;
      }
      const rows = runs.map((s) => [
        s.name, s.status, s.dataset, s.modelFile ?? '', `${s.done}/${s.planned}`, s.invalid, s.strategy ?? 'n/a', s.seconds === null ? 'n/a' : formatDuration(s.seconds), s.createdAt.slice(0, 16).replace('T', ' '),
      ]);
      process.stdout.write(`${formatTable(['run', 'status', 'dataset', 'model', 'pairs', 'invalid', 'strategy', 'time', 'created'], rows)}\n`);
      for (const r of runs.filter((s) => s.status === 'interrupted')) {
        process.stdout.write(`\nRun "${r.name}" was interrupted (its process is gone) with ${r.planned - r.done} pairs left. Continue it with:\n  medbench run --resume ${shellQuote(r.name)} --db ${shellQuote(dbPath)}\n`);
      }
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
            ['balanced accuracy', pct(score.balancedAccuracy), ''],
            ['MCC', score.mcc === null ? 'n/a' : score.mcc.toFixed(3), ''],
          ],
        ),
        '',
        `Confusion: TP ${score.tp}  FP ${score.fp}  FN ${score.fn}  TN ${score.tn}`,
        `Evidence over ${score.evidencePairs} pairs with gold evidence: exact ${score.matchTypes.exact}, partial ${score.matchTypes.partial}, proximate ${score.matchTypes.proximate}, none ${score.matchTypes.none}`,
        `(percentile bootstrap, ${score.bootstrap.resamples} resamples of pairs, seed ${score.bootstrap.seed})`,
      ];
      lines.push(...probabilityLines(score, score.bootstrap.level));
      lines.push(
        '',
        'Reference on the same pairs:',
        formatTable(
          ['reference', 'precision', 'recall', 'F1', 'MCC', 'evidence recall'],
          score.references.map((r) => [r.label, pct(r.metrics.precision), pct(r.metrics.recall), pct(r.metrics.f1), r.metrics.mcc === null ? 'n/a' : r.metrics.mcc.toFixed(3), pct(r.metrics.evidenceRecall)]),
        ),
        ...warningLines(score.warnings),
      );
      if (score.breakdown) {
        lines.push(
          '',
          formatTable(
            [score.breakdown.by, 'n', 'TP', 'FP', 'FN', 'TN', 'P', 'R', 'F1', 'evidence recall'],
            score.breakdown.groups.map((g) => [`${g.group}${g.smallN ? ' *' : ''}`, g.metrics.n, g.metrics.tp, g.metrics.fp, g.metrics.fn, g.metrics.tn, pct(g.metrics.precision), pct(g.metrics.recall), pct(g.metrics.f1), pct(g.metrics.evidenceRecall)]),
          ),
        );
        if (score.breakdown.groups.some((g) => g.smallN)) lines.push(`* fewer than ${SMALL_N_GROUP} pairs: read these percentages with care`);
      }
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}

/** "Warning: ..." lines under a run's numbers (degenerate, small n, interrupted, imported). */
export function warningLines(warnings: readonly RunWarning[]): string[] {
  return warnings.length === 0 ? [] : ['', ...warnings.map((w) => `Warning: ${w.message}`)];
}

/** `medbench runs rename OLD NEW` and `medbench runs delete NAME [--yes]`, under the `runs` command. */
export function registerRunsManagement(program: Command): void {
  const runs = program.commands.find((command) => command.name() === 'runs');
  if (!runs) throw new Error('register the runs command first');
  runs
    .command('rename')
    .argument('<old>', 'current run name')
    .argument('<new>', 'new run name')
    .description('rename a run (its predictions, plan and manifest stay)')
    .option('--db <file>', 'database file')
    .option('--json', 'print one JSON object')
    .action(async (oldName: string, newName: string, _options: unknown, command: Command) => {
      // `runs` itself takes --db and --json: commander gives them to it, so read them merged.
      const options = command.optsWithGlobals<{ db?: string; json?: boolean }>();
      const run = await withStore(options, (db) => renameRun(db, oldName, newName), 'existing');
      if (options.json) printJson({ renamed: oldName, name: run.name });
      else process.stdout.write(`Renamed run "${oldName}" to "${run.name}".\n`);
    });
  runs
    .command('delete')
    .argument('<name>', 'run name')
    .description('delete a run with its predictions (the audit log keeps a record)')
    .option('--yes', 'do not ask; needed when not on a terminal')
    .option('--db <file>', 'database file')
    .option('--json', 'print one JSON object')
    .action(async (name: string, _options: unknown, command: Command) => {
      const options = command.optsWithGlobals<{ yes?: boolean; db?: string; json?: boolean }>();
      if (!options.yes) {
        if (!process.stdin.isTTY) throw new UsageError(`deleting run "${name}" cannot be undone: add --yes to confirm`);
        const { createInterface } = await import('node:readline/promises');
        const rl = createInterface({ input: process.stdin, output: process.stderr });
        const reply = await rl.question(`Delete run "${name}" and all its predictions? This cannot be undone. [y/N] `);
        rl.close();
        if (!/^y(es)?$/i.test(reply.trim())) {
          process.stderr.write('Nothing deleted.\n');
          return;
        }
      }
      const result = await withStore(options, (db) => deleteRun(db, name), 'existing');
      if (options.json) printJson(result);
      else process.stdout.write(`Deleted run "${result.deleted}" (${result.predictions} predictions).\n`);
    });
}
