import { createRequire } from 'node:module';
import type { Command } from 'commander';
import { defaultDoctorEnvironment, runDoctor, type DoctorCheck, type DoctorReport } from '../../core/doctor';
import { UserError } from '../../core/errors';
import { resolveDbPath, userDataDir } from '../../core/paths';
import { printJson } from '../output';
import { openaiDoctorPart } from './doctor-openai';

/** Something must be fixed: exit 1 after the report. */
export class DoctorFailedError extends UserError {}

/** The options every doctor part sees (a part may add its own options to the command). */
export interface DoctorOptions {
  db?: string;
  json?: boolean;
  [option: string]: unknown;
}

/**
 * One group of checks. The machine checks below are always run; a backend adds its own part
 * (its options, e.g. `--backend openai --base-url URL`, and checks that run only when asked).
 */
export interface DoctorPart {
  addOptions?(command: Command): void;
  run(options: DoctorOptions): Promise<DoctorCheck[]>;
}

/** The Electron package installed next to the CLI (a devDependency), for the ABI note; never loaded. */
function installedElectronVersion(): string | null {
  try {
    return (createRequire(import.meta.url)('electron/package.json') as { version: string }).version;
  } catch {
    return null;
  }
}

const machineChecks: DoctorPart = {
  async run(options) {
    const env = defaultDoctorEnvironment({ dbPath: resolveDbPath(options.db), userDataDir: userDataDir(), electronVersion: installedElectronVersion() });
    return (await runDoctor(env)).checks;
  },
};

/** The parts `medbench doctor` runs, in order. */
export const doctorParts: DoctorPart[] = [machineChecks, openaiDoctorPart];

const MARK = { ok: 'ok  ', warn: 'warn', fail: 'FAIL' } as const;

export function formatDoctorReport(report: DoctorReport): string {
  const lines = report.checks.flatMap((check) => [
    `${MARK[check.status]}  ${check.title}: ${check.detail}`,
    ...(check.fix ? [`      fix: ${check.fix}`] : []),
  ]);
  const failed = report.checks.filter((check) => check.status === 'fail').length;
  lines.push('', report.ok ? 'Nothing needs fixing.' : `${failed} thing(s) must be fixed (see "fix:" above).`);
  return `${lines.join('\n')}\n`;
}

export function registerDoctor(program: Command): void {
  const command = program
    .command('doctor')
    .description('check this machine: Node, native modules (Node and Electron ABIs), build toolchain, llama.cpp compute backends, the database and its integrity, the user data folder; exit 1 when something must be fixed')
    .option('--db <file>', 'database file to check')
    .option('--json', 'print one JSON object');
  for (const part of doctorParts) part.addOptions?.(command);
  command.action(async (options: DoctorOptions) => {
    const checks: DoctorCheck[] = [];
    for (const part of doctorParts) checks.push(...(await part.run(options)));
    const report: DoctorReport = { ok: checks.every((check) => check.status !== 'fail'), checks };
    if (options.json) printJson(report);
    else process.stdout.write(formatDoctorReport(report));
    if (!report.ok) throw new DoctorFailedError(`doctor: ${checks.filter((c) => c.status === 'fail').map((c) => c.id).join(', ')} must be fixed`);
  });
}
