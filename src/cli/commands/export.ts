import { Option, type Command } from 'commander';
import { exportDatasetRaw } from '../../core/annotation/export-dataset-raw';
import { exportSubmission, SUBMISSION_WARNING } from '../../core/export/submission';
import { withStore } from '../context';
import { printJson } from '../output';

export function registerExport(program: Command): void {
  program
    .command('export')
    .argument('<name>', 'run name (with --format dataset-raw: an annotated dataset)')
    .description("export a run's predictions as the benchmark's submission ZIP (CSV: task_id, code, prediction, evidence, rationale)")
    .addOption(new Option('--format <format>', 'export format').choices(['submission', 'dataset-raw']).default('submission'))
    .requiredOption('--out <file>', 'the ZIP file to write (replaced atomically)')
    .option('--db <file>', 'database file')
    .option('--json', 'print one JSON object describing the file written')
    .addHelpText('after', '\nThe file contains note-derived text (evidence sentences, rationales): send it only through the benchmark\'s own credentialed channel.\n\nExample:\n  medbench export qwen7b --format submission --out qwen7b-submission.zip')
    .action(async (name: string, options: { format: 'submission' | 'dataset-raw'; out: string; db?: string; json?: boolean }) => {
      if (options.format === 'dataset-raw') {
        // The annotated set in MedicalBench's dataset_raw.csv format (no note text): see core/annotation/export-dataset-raw.ts.
        const written = await withStore(options, (db) => exportDatasetRaw(db, name, options.out), 'existing');
        if (options.json) return printJson({ ...written, format: options.format });
        const left = Object.entries(written.excluded).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`).join(', ');
        process.stdout.write(`Wrote ${written.out} (${written.bytes} bytes): ${written.rows} pairs of "${written.dataset}" (${written.positives} True, ${written.negatives} False)${left ? `; left out: ${left}` : ''}\n`);
        return;
      }
      const result = await withStore(options, (db) => exportSubmission(db, name, options.out), 'existing');
      // The warning goes to stderr so that --json keeps stdout to one JSON document.
      process.stderr.write(`medbench: ${SUBMISSION_WARNING}\n`);
      if (options.json) {
        printJson({ ...result, format: options.format });
        return;
      }
      process.stdout.write(
        `Wrote ${result.out} (${result.bytes} bytes): ${result.rows} rows of run "${result.run}" in ${result.entry}` +
          `${result.missing || result.invalid ? `; ${result.missing} without prediction and ${result.invalid} invalid written as False with no evidence` : ''}\n`,
      );
    });
}
