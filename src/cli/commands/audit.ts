import { InvalidArgumentError, type Command } from 'commander';
import { AUDIT_KINDS, listAudit, type AuditFile, type AuditKind } from '../../core/audit';
import { withReadStore } from '../context';
import { formatTable, printJson } from '../output';
import { positiveInt } from './run';

function auditKind(value: string): AuditKind {
  if (!(AUDIT_KINDS as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${AUDIT_KINDS.join(', ')}`);
  return value as AuditKind;
}

export function registerAudit(program: Command): void {
  program
    .command('audit')
    .description('the audit log: every import, run, export, report and backup with time, file hashes and output paths (never note text)')
    .option('--kind <kind>', `only events of one kind (${AUDIT_KINDS.join(', ')})`, auditKind)
    .option('--subject <name>', 'only events about one dataset or run')
    .option('--limit <n>', 'only the newest N events', positiveInt)
    .option('--db <file>', 'database file')
    .option('--json', 'print a JSON array')
    .action(async (options: { kind?: AuditKind; subject?: string; limit?: number; db?: string; json?: boolean }) => {
      const events = await withReadStore(options, (db) => listAudit(db, { kind: options.kind, subject: options.subject, limit: options.limit }));
      if (options.json) {
        printJson(events);
        return;
      }
      if (events.length === 0) {
        process.stdout.write('The audit log is empty.\n');
        return;
      }
      const files = (list: AuditFile[]) => list.map((f) => `${f.role}=${f.path}${f.sha256 ? ` (sha256 ${f.sha256.slice(0, 12)}…)` : ''}`).join(' ');
      const facts = (record: Record<string, unknown>) => Object.entries(record).map(([key, value]) => `${key}=${String(value)}`).join(' ');
      const rows = events.map((e) => [e.id, e.at.slice(0, 19).replace('T', ' '), e.kind, e.subject, [files(e.inputs), files(e.outputs) && `→ ${files(e.outputs)}`, facts(e.facts)].filter(Boolean).join(' ')]);
      process.stdout.write(`${formatTable(['id', 'time (UTC)', 'kind', 'subject', 'details'], rows)}\n`);
    });
}
