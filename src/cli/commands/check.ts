import type { Command } from 'commander';
import { UserError } from '../../core/errors';
import { resolveDbPath } from '../../core/paths';
import { checkStore, type CheckFinding } from '../../core/store/check';
import { formatTable, printJson } from '../output';

/** `medbench check` found damage: exit 1 after the report. */
export class CheckFailedError extends UserError {}

export function registerCheck(program: Command): void {
  program
    .command('check')
    .description('check the database without changing it: integrity, foreign keys, counts per table, orphans; exit 1 on problems')
    .option('--db <file>', 'database file')
    .option('--json', 'print one JSON object')
    .action((options: { db?: string; json?: boolean }) => {
      const report = checkStore(resolveDbPath(options.db));
      if (options.json) printJson(report);
      else {
        const findings = (title: string, list: CheckFinding[]) =>
          list.length ? [`${title}:`, ...list.map((f) => `  ${f.kind}${f.table ? ` (${f.table})` : ''}: ${f.count} — ${f.detail}`)] : [];
        const lines = [
          `Database ${report.db}: schema ${report.schemaVersion} (this version knows ${report.latestSchemaVersion}), integrity ${report.integrity.join('; ')}`,
          '',
          formatTable(['table', 'rows'], Object.entries(report.counts)),
          '',
          ...findings('Problems', report.problems),
          ...findings('Warnings', report.warnings),
          report.ok ? 'No problems found.' : `${report.problems.length} problem(s) found.`,
        ];
        process.stdout.write(`${lines.join('\n')}\n`);
      }
      if (!report.ok) throw new CheckFailedError(`${report.db}: ${report.problems.map((p) => p.kind).join(', ')}`);
    });
}
