import type { Command } from 'commander';
import { backupStore } from '../../core/store/backup';
import { withStore } from '../context';
import { formatBytes, printJson } from '../output';

export function registerBackup(program: Command): void {
  program
    .command('backup')
    .description('copy the database to a file with SQLite’s online backup (consistent even while a run writes)')
    .requiredOption('--out <file>', 'the backup file to write (never overwritten)')
    .option('--db <file>', 'database file')
    .option('--json', 'print one JSON object')
    .action(async (options: { out: string; db?: string; json?: boolean }) => {
      const report = await withStore(options, (db) => backupStore(db, options.out), 'existing');
      if (options.json) printJson(report);
      else process.stdout.write(`Backed up ${report.source} to ${report.out} (${formatBytes(report.bytes)}, schema ${report.schemaVersion}, integrity ok) sha256 ${report.sha256}\n`);
    });
}
