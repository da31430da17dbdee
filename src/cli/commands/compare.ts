import type { Command } from 'commander';
import { buildLeaderboard, compareTwoRuns, type Leaderboard, type TwoRunComparison } from '../../core/scoring/compare';
import { withReadStore } from '../context';
import { UsageError } from '../errors';
import { formatTable, printJson } from '../output';
import { positiveInt } from './run';
import { warningLines } from './runs';

const pct = (v: number | null) => (v === null ? 'n/a' : `${(v * 100).toFixed(1)}%`);
const ci = (interval: readonly [number, number] | null) => (interval ? `[${pct(interval[0])}, ${pct(interval[1])}]` : '');
const points = (v: number) => `${v >= 0 ? '+' : ''}${(v * 100).toFixed(1)}`;
const pointsCi = (interval: readonly [number, number]) => `[${points(interval[0])}, ${points(interval[1])}]`;
const pValue = (p: number) => (p < 0.0001 ? '<0.0001' : p.toFixed(4));
const mcc = (v: number | null) => (v === null ? 'n/a' : v.toFixed(3));
const label = (value: boolean | null) => (value === null ? '-' : value ? 'True' : 'False');

export function registerCompare(program: Command): void {
  program
    .command('compare')
    .argument('<runs...>', 'two runs (paired comparison) or more (leaderboard)')
    .description('compare runs on the pairs they share: exact McNemar, paired bootstrap of F1 and evidence recall, disagreements; a leaderboard for 3+ runs')
    .option('--resamples <n>', 'bootstrap resamples', positiveInt, 10_000)
    .option('--seed <n>', 'bootstrap seed', positiveInt, 1)
    .option('--db <file>', 'database file')
    .option('--json', 'print one JSON object')
    .addHelpText('after', '\nExamples:\n  medbench compare baseline qwen7b\n  medbench compare baseline qwen7b llama8b --json')
    .action(async (runs: string[], options: { resamples: number; seed: number; db?: string; json?: boolean }) => {
      if (runs.length < 2) throw new UsageError('compare needs at least two run names');
      const bootstrap = { resamples: options.resamples, seed: options.seed };
      const result = await withReadStore(options, (db) =>
        runs.length === 2 ? compareTwoRuns(db, runs[0]!, runs[1]!, bootstrap) : buildLeaderboard(db, runs, bootstrap),
      );
      if (options.json) printJson(result);
      else process.stdout.write(`${'leaderboard' in result ? formatLeaderboard(result) : formatComparison(result)}\n`);
    });
}

function formatComparison(c: TwoRunComparison): string {
  const level = Math.round(c.bootstrap.level * 100);
  const e = c.evidenceRecallDiff;
  const lines = [
    `"${c.runA}" (A) vs "${c.runB}" (B) on ${c.n} common pairs of ${c.dataset}${c.onlyA || c.onlyB ? ` (left out: ${c.onlyA} only in A, ${c.onlyB} only in B)` : ''}`,
    '',
    formatTable(
      ['metric', 'A', 'B', 'A - B (points)', `${level}% CI (paired bootstrap)`],
      [
        // A and B from the metrics (null = n/a); the bootstrap differences count 0/0 as 0.
        ['precision', pct(c.metricsA.precision), pct(c.metricsB.precision), points(c.precisionDiff.diff), pointsCi(c.precisionDiff.ci)],
        ['recall', pct(c.metricsA.recall), pct(c.metricsB.recall), points(c.recallDiff.diff), pointsCi(c.recallDiff.ci)],
        ['F1', pct(c.metricsA.f1), pct(c.metricsB.f1), points(c.f1Diff.diff), pointsCi(c.f1Diff.ci)],
        e ? ['evidence recall', pct(e.a), pct(e.b), points(e.diff), pointsCi(e.ci)] : ['evidence recall', 'n/a', 'n/a', '', ''],
        ['MCC', mcc(c.metricsA.mcc), mcc(c.metricsB.mcc), '', ''],
      ],
    ),
    `Evidence agreement (mean Jaccard of cited sentences): ${c.evidenceJaccard === null ? 'n/a (neither run cited any sentence)' : c.evidenceJaccard.toFixed(3)}`,
    '',
    `Labels (exact McNemar): both right ${c.bothCorrect}, A right/B wrong b=${c.b}, A wrong/B right c=${c.c}, both wrong ${c.bothWrong}; p = ${pValue(c.mcnemarP)}`,
    `(${c.bootstrap.resamples} paired resamples of pairs, seed ${c.bootstrap.seed})`,
    ...warningLines(c.warnings),
  ];
  if (c.disagreements.length > 0) {
    lines.push(
      '',
      `Disagreements (${c.disagreements.length}):`,
      formatTable(
        ['task_id', 'code', 'gold', 'A', 'A evidence', 'B', 'B evidence'],
        c.disagreements.map((d) => [d.taskId, d.code, label(d.gold), label(d.a.label), d.a.evidence?.join(',') ?? d.a.status, label(d.b.label), d.b.evidence?.join(',') ?? d.b.status]),
      ),
    );
  }
  return lines.join('\n');
}

function formatLeaderboard(board: Leaderboard): string {
  const level = Math.round(board.bootstrap.level * 100);
  return [
    `Leaderboard on the ${board.n} pairs all ${board.runs.length} runs planned (${board.dataset}), best: "${board.best}"`,
    '',
    formatTable(
      ['#', 'run', 'precision', 'recall', `F1 (${level}% CI)`, 'evidence recall', 'missing', 'invalid', 'vs best: b', 'c', 'McNemar p'],
      board.leaderboard.map((r) => [
        r.rank, r.run, pct(r.precision), pct(r.recall), `${pct(r.f1)} ${ci(r.f1Ci)}`, pct(r.evidenceRecall), r.missing, r.invalid,
        r.vsBest ? r.vsBest.b : '', r.vsBest ? r.vsBest.c : '', r.vsBest ? pValue(r.vsBest.mcnemarP) : '',
      ]),
    ),
    '',
    'Reference on the same pairs (not ranked):',
    formatTable(
      ['reference', 'precision', 'recall', `F1 (${level}% CI)`, 'evidence recall', 'MCC', 'vs best: b', 'c', 'McNemar p'],
      board.references.map((r) => [r.run, pct(r.precision), pct(r.recall), `${pct(r.f1)} ${ci(r.f1Ci)}`, pct(r.evidenceRecall), mcc(r.mcc), r.vsBest?.b ?? '', r.vsBest?.c ?? '', r.vsBest ? pValue(r.vsBest.mcnemarP) : '']),
    ),
    '',
    `b = best right and this run wrong, c = the reverse (${board.bootstrap.resamples} resamples, seed ${board.bootstrap.seed})`,
    ...board.coverage.filter((c) => c.comparedOn < c.planned).map((c) => `Note: "${c.run}" is compared on ${c.comparedOn} of its ${c.planned} planned pairs.`),
    ...warningLines(board.warnings.filter((w) => w.kind !== 'fewer-pairs')),
  ].join('\n');
}
