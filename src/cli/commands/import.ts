import path from 'node:path';
import type { Command } from 'commander';
import { importDataset, DEFAULT_DATASET, type ImportReport, type ImportProgress } from '../../core/data/import';
import { withStore } from '../context';
import { formatBytes, formatDuration, formatTable, printJson, ProgressLine } from '../output';
import { UsageError } from '../errors';

interface ImportCommandOptions {
  annotations?: string;
  notes?: string;
  processed?: string;
  dataset: string;
  db?: string;
  json?: boolean;
}

export function registerImport(program: Command): void {
  program
    .command('import')
    .description('import MedicalBench annotations joined with your own MIMIC-IV-Note discharge notes')
    .option('--annotations <file>', "MedicalBench's dataset_raw.csv")
    .option('--notes <file>', "MIMIC-IV-Note's discharge.csv.gz (or .csv), streamed; only the notes the annotations use are kept")
    .option('--processed <file>', "the CSV written by the seed's mimic_data.py (annotations plus note text), instead of the two above")
    .option('--dataset <name>', 'dataset name in the database; re-importing the same name updates it', DEFAULT_DATASET)
    .option('--db <file>', 'database file (default: $MEDBENCH_DB, else the user data folder)')
    .option('--json', 'print one JSON object instead of the summary')
    .addHelpText('after', '\nExamples:\n  medbench import --annotations dataset_raw.csv --notes discharge.csv.gz\n  medbench import --processed medicalbench_processed.csv')
    .action(async (options: ImportCommandOptions) => {
      if (options.processed && (options.annotations || options.notes)) throw new UsageError('use either --processed, or --annotations with --notes, not both');
      if (!options.processed && !(options.annotations && options.notes)) {
        throw new UsageError('import needs --annotations dataset_raw.csv and --notes discharge.csv.gz (or --processed FILE)');
      }
      const report = await withStore(options, async (db, dbPath) => {
        const progress = new ProgressLine();
        try {
          const result = await importDataset(db, {
            dataset: options.dataset,
            annotations: (options.processed ?? options.annotations)!,
            format: options.processed ? 'processed' : 'raw',
            notes: options.notes,
            onProgress: (event) => progress.update(describeProgress(event)),
          });
          return { ...result, db: dbPath };
        } finally {
          progress.done();
        }
      });
      if (options.json) printJson(report);
      else process.stdout.write(`${formatImportReport(report, options.notes)}\n`);
    });
}

const startedAt = Date.now();

function describeProgress(event: ImportProgress): string {
  switch (event.phase) {
    case 'annotations':
      return 'Reading annotations...';
    case 'notes': {
      const fraction = event.fileBytes > 0 ? event.fileBytesRead / event.fileBytes : 0;
      const elapsed = (Date.now() - startedAt) / 1000;
      const eta = fraction > 0.01 ? (elapsed / fraction) * (1 - fraction) : Number.NaN;
      return `Scanning notes ${(fraction * 100).toFixed(1)}% (${formatBytes(event.fileBytesRead)} of ${formatBytes(event.fileBytes)}), ${event.scanned.toLocaleString('en-US')} notes read, ${event.kept} kept, ETA ${formatDuration(eta)}`;
    }
    case 'storing':
      return `Storing ${event.pairs} pairs...`;
  }
}

export function formatImportReport(report: ImportReport & { db: string }, notesFile?: string): string {
  const outcome = {
    new: 'imported',
    changed: `updated (the files changed: ${report.added} added, ${report.updated} changed, ${report.removed} retired)`,
    unchanged: 'unchanged (same content as the last import; nothing written)',
  }[report.outcome];
  const lines = [
    `Dataset "${report.dataset}" ${outcome}`,
    `  database   ${report.db}`,
    `  pairs      ${report.pairs} (${report.positives} positive, ${report.negatives} negative)`,
    `  notes      ${report.notes}` + (notesFile ? ` (from ${report.notesScanned.toLocaleString('en-US')} read in ${path.basename(notesFile)})` : ''),
  ];
  if (report.multipleNotes > 0) lines.push(`  note_seq   ${report.multipleNotes} admissions had several discharge notes; the highest note_seq was used`);
  lines.push(`  time       ${report.seconds.toFixed(1)} s`);
  if (report.problems.length === 0) {
    lines.push('', 'No problems: every row became a pair.');
  } else {
    lines.push('', `${report.problems.length} row(s) not imported:`);
    lines.push(
      formatTable(
        ['kind', 'row', 'line', 'task id', 'code', 'detail'],
        report.problems.map((p) => [p.kind, p.row, p.line, p.taskId, p.code, p.detail]),
      ),
    );
  }
  return lines.join('\n');
}
