import path from 'node:path';
import { Option, type Command } from 'commander';
import { buildReport, renderReportMarkdown, type Report, type ReportFormat } from '../../core/export/report';
import { renderReportHtml } from '../../core/export/report-html';
import { recordAudit, statFile } from '../../core/audit';
import { sha256Hex } from '../../core/data/input-file';
import { writeFileAtomic } from '../../core/export/output-file';
import { withStore } from '../context';
import { UsageError } from '../errors';
import { printJson } from '../output';
import { positiveInt } from './run';

const FORMAT_BY_EXTENSION: Record<string, ReportFormat> = { '.html': 'html', '.htm': 'html', '.md': 'md', '.markdown': 'md', '.json': 'json' };

export function renderReport(report: Report, format: ReportFormat): string {
  if (format === 'json') return `${JSON.stringify(report, null, 2)}\n`;
  return format === 'md' ? renderReportMarkdown(report) : renderReportHtml(report);
}

interface ReportCommandOptions {
  compare?: string;
  format?: ReportFormat;
  out: string;
  includeText?: boolean;
  resamples: number;
  seed: number;
  db?: string;
  json?: boolean;
}

export function registerReport(program: Command): void {
  program
    .command('report')
    .argument('<name>', 'run name')
    .description('write a shareable run report (metrics with CIs, breakdowns, confusion matrix, charts, manifest); DUA-safe unless --include-text')
    .option('--compare <run>', 'add a paired comparison with another run')
    .addOption(new Option('--format <format>', 'report format (default: from the --out extension)').choices(['html', 'md', 'json']))
    .requiredOption('--out <file>', 'the file to write (replaced atomically)')
    .option('--include-text', 'also include rationales and evidence text (note-derived: keep the file under the DUA)')
    .option('--resamples <n>', 'bootstrap resamples', positiveInt, 10_000)
    .option('--seed <n>', 'bootstrap seed', positiveInt, 1)
    .option('--db <file>', 'database file')
    .option('--json', 'print one JSON object describing the file written')
    .addHelpText('after', '\nBy default the report holds no note text, evidence text, rationales or model output: only ids, codes,\nICD descriptions, labels and numbers.\n\nExample:\n  medbench report qwen7b --compare baseline --format html --out qwen7b.html')
    .action(async (name: string, options: ReportCommandOptions) => {
      const format = options.format ?? FORMAT_BY_EXTENSION[path.extname(options.out).toLowerCase()];
      if (!format) throw new UsageError(`cannot tell the report format from "${options.out}": add --format html, md or json`);
      const { report, content } = await withStore(options, (db) => {
        const built = buildReport(db, name, { compare: options.compare, includeText: options.includeText, resamples: options.resamples, seed: options.seed });
        const rendered = renderReport(built, format);
        writeFileAtomic(options.out, rendered);
        recordAudit(db, {
          kind: 'report',
          subject: built.run.name,
          outputs: [statFile('report', options.out, sha256Hex(rendered))],
          facts: { format, includesText: options.includeText === true, compare: options.compare ?? null },
        });
        return { report: built, content: rendered };
      }, 'existing');
      if (options.includeText) process.stderr.write('medbench: warning: the report contains note-derived text (rationales, evidence sentences); keep it where your DUA allows MIMIC data.\n');
      const summary = { out: path.resolve(options.out), format, bytes: Buffer.byteLength(content), run: report.run.name, compare: report.comparison?.runB ?? null, includesText: report.includesText };
      if (options.json) printJson(summary);
      else process.stdout.write(`Wrote ${summary.format} report of run "${summary.run}"${summary.compare ? ` compared with "${summary.compare}"` : ''} to ${summary.out} (${summary.bytes} bytes)${summary.includesText ? ', including note-derived text' : ', no note text'}\n`);
    });
}
