import type { Command } from 'commander';
import { listDatasets, resolveDataset } from '../../core/data/datasets';
import { listPairs } from '../../core/data/pairs';
import { withReadStore } from '../context';
import { formatTable, printJson, writeTable } from '../output';

export function registerPairs(program: Command): void {
  program
    .command('pairs')
    .description('list the imported note–concept pairs with gold label, evidence spans and gold sentences')
    .option('--dataset <name>', 'dataset (default: the only one in the database)')
    .option('--db <file>', 'database file')
    .option('--json', 'print a JSON array')
    .action(async (options: { dataset?: string; db?: string; json?: boolean }) => {
      const pairs = await withReadStore(options, (db) => listPairs(db, resolveDataset(db, options.dataset).id));
      if (options.json) {
        printJson(pairs.map(({ taskId, code, desc, gold, evidence, goldSentences, provenance }) => ({ taskId, code, desc, gold, evidence, goldSentences, ...(provenance ? { provenance } : {}) })));
        return;
      }
      const rows = pairs.map((p) => [p.taskId, p.code, p.gold ? 'True' : 'False', p.goldSentences.map((id) => `S${id}`).join(' '), truncate(p.desc, 60)]);
      // A dataset can hold a million pairs: written in blocks, not built as one string.
      await writeTable(['task id', 'code', 'gold', 'gold sentences', 'description'], rows);
      process.stdout.write(`${pairs.length} pairs\n`);
    });

  program
    .command('datasets')
    .description('list the datasets in the database with their counts and last import')
    .option('--db <file>', 'database file')
    .option('--json', 'print a JSON array')
    .action(async (options: { db?: string; json?: boolean }) => {
      const datasets = await withReadStore(options, (db) => listDatasets(db));
      if (options.json) {
        printJson(datasets);
        return;
      }
      if (datasets.length === 0) {
        process.stdout.write('No datasets yet. Import one with: medbench import --annotations dataset_raw.csv --notes discharge.csv.gz\n');
        return;
      }
      const rows = datasets.map((d) => [d.name, d.pairs, d.positives, d.negatives, d.notes, d.lastImport?.problems ?? 0, d.updatedAt]);
      process.stdout.write(`${formatTable(['dataset', 'pairs', 'positive', 'negative', 'notes', 'problems', 'updated'], rows)}\n`);
    });
}

function truncate(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}
