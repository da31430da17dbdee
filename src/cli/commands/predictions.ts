import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { importPredictions, MAPPABLE_PREDICTION_COLUMNS, type PredictionsImportReport } from '../../core/data/predictions-import';
import { withStore } from '../context';
import { formatTable, printJson } from '../output';
import { shellQuote } from '../../core/text/shell-quote';

interface PredictionsImportOptions {
  name: string;
  dataset?: string;
  map?: Record<string, string>;
  allPairs?: boolean;
  db?: string;
  json?: boolean;
}

/** `--map prediction=pred`, repeatable: collects { prediction: 'pred', ... }. */
function collectColumnMap(value: string, previous: Record<string, string> | undefined): Record<string, string> {
  const match = /^([^=]+)=(.+)$/.exec(value);
  if (!match) throw new InvalidArgumentError(`expected COLUMN=NAME, e.g. prediction=pred (got ${JSON.stringify(value)})`);
  const expected = match[1]!.trim().toLowerCase();
  if (!MAPPABLE_PREDICTION_COLUMNS.includes(expected)) {
    throw new InvalidArgumentError(`"${expected}" is not a column of the format; map one of ${MAPPABLE_PREDICTION_COLUMNS.join(', ')}`);
  }
  return { ...previous, [expected]: match[2]!.trim() };
}

export function registerPredictions(program: Command): void {
  const predictions = program.command('predictions').description("other systems' predictions");
  predictions
    .command('import')
    .argument('<file>', 'CSV with task_id, code, prediction, evidence and optional rationale and probability (see the README)')
    .description("import another system's predictions as a run, to score and compare it like a run made here")
    .requiredOption('--name <name>', 'the new run name')
    .option('--dataset <name>', 'dataset (default: the only one)')
    .option('--map <column=name>', 'read a column from a differently named one, e.g. --map prediction=pred (repeatable)', collectColumnMap)
    .option('--all-pairs', 'plan every pair of the dataset; pairs the file does not predict count as missing')
    .option('--db <file>', 'database file')
    .option('--json', 'print one JSON object instead of the summary')
    .addHelpText('after', '\nExamples:\n  medbench predictions import gpt4o.csv --name gpt4o\n  medbench predictions import out.csv --name other --map task_id=id --map prediction=pred')
    .action(async (file: string, options: PredictionsImportOptions) => {
      const report = await withStore(options, async (db, dbPath) => ({
        ...(await importPredictions(db, { file, name: options.name, dataset: options.dataset, columnMap: options.map, allPairs: options.allPairs })),
        db: dbPath,
      }), 'existing');
      if (options.json) printJson(report);
      else process.stdout.write(`${formatPredictionsReport(report)}\n`);
    });
}

function formatPredictionsReport(report: PredictionsImportReport & { db: string }): string {
  const forms = report.evidenceForms;
  const matches = report.evidenceMatches;
  const skipped = report.problems.filter((p) => p.kind !== 'evidence-not-found').length;
  const lines = [
    `Run "${report.name}" imported from ${path.basename(report.file)} on dataset "${report.dataset}"`,
    `  database     ${report.db}`,
    `  rows         ${report.rows} read, ${report.imported} imported, ${skipped} skipped`,
    `  plan         ${report.n} pairs${report.allPairs ? ` (all pairs; ${report.n - report.imported} without a prediction count as missing)` : ''}`,
    `  evidence     ${forms.text} quoted text, ${forms.spans} spans, ${forms.ids} sentence ids, ${forms.empty} empty`,
    `  quotes       ${matches.exact} exact, ${matches.whitespace} ignoring whitespace, ${matches.case} ignoring case, ${report.evidenceNotFound} not found` +
      (report.evidenceAmbiguous > 0 ? `; ${report.evidenceAmbiguous} found in several places (all used)` : ''),
    `  probability  ${report.withProbability} of ${report.imported} imported rows${report.withProbability > 0 ? ' (score adds AUROC, average precision and calibration)' : ''}`,
    `  file         ${report.format}, sha256 ${report.sha256}`,
  ];
  if (report.problems.length === 0) lines.push('', 'No problems: every row became a prediction.');
  else {
    lines.push('', `${report.problems.length} problem(s) (evidence-not-found rows are imported with the evidence that was found):`);
    lines.push(formatTable(['kind', 'row', 'line', 'task id', 'code', 'detail'], report.problems.map((p) => [p.kind, p.row, p.line, p.taskId, p.code, p.detail])));
  }
  lines.push('', `Score it with: medbench score ${shellQuote(report.name)} --db ${shellQuote(report.db)}`);
  return lines.join('\n');
}
