import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { importDataset } from '../../core/data/import';
import { userDataDir } from '../../core/paths';
import { openStore } from '../../core/store/database';
import { printJson } from '../output';
import { formatImportReport } from './import';

export const DEMO_DATASET = 'demo';

/** The synthetic demo set shipped in resources/demo (never MIMIC text). */
export function demoResourcesDir(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../resources/demo');
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('import the bundled synthetic demo set into a demo database in your user data folder and summarize it')
    .option('--db <file>', 'demo database file (default: demo.db in the user data folder, never the repository)')
    .option('--json', 'print one JSON object')
    .action(async (options: { db?: string; json?: boolean }) => {
      const resources = demoResourcesDir();
      const annotations = path.join(resources, 'dataset_raw.csv');
      const notes = path.join(resources, 'discharge.csv.gz');
      const dbPath = path.resolve(options.db ?? path.join(userDataDir(), 'demo.db'));
      const fresh = !fs.existsSync(dbPath);
      const db = openStore(dbPath);
      try {
        const report = await importDataset(db, { dataset: DEMO_DATASET, annotations, notes, format: 'raw' });
        if (options.json) {
          printJson({ db: dbPath, fresh, import: report });
          return;
        }
        const out = [
          `MedBench Local demo: synthetic notes written for this project (no MIMIC data).`,
          `Source files: ${resources}`,
          fresh ? `Created a new demo database: ${dbPath}` : `Using the existing demo database: ${dbPath}`,
          '',
          formatImportReport({ ...report, db: dbPath }, notes),
          '',
          'Next:',
          `  npx medbench pairs --db "${dbPath}"            list the pairs with their gold sentences`,
          `  npx medbench import --annotations dataset_raw.csv --notes discharge.csv.gz   import your own MedicalBench + MIMIC-IV-Note files`,
        ];
        process.stdout.write(`${out.join('\n')}\n`);
      } finally {
        db.close();
      }
    });
}
