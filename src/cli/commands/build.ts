import { InvalidArgumentError, type Command } from 'commander';
import { addBackendOptions, backendOptionsFrom } from '../backend-options';
import { runBuild, type BuildProgress, type BuildRequest } from '../../core/build/build';
import type { BuildInputs } from '../../core/build/inputs';
import { buildSummary, type BuildSummary } from '../../core/build/provenance';
import type { ReadableDb } from '../../core/store/database';
import { UsageError } from '../errors';
import { withReadStore, withStore } from '../context';
import { formatDuration, formatTable, printJson, ProgressLine } from '../output';
import { positiveInt } from './run';
import { shellQuote } from '../../core/text/shell-quote';
import { listenForStop } from '../stop-signals';

function wholeNumber(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number of 0 or more');
  return n;
}

/** The input files as flags: either form's tables, each optional until inputsFromFlags checks the combination. */
type InputFlags = Partial<Record<'diagnoses' | 'procedures' | 'icdDiagnoses' | 'icdProcedures' | 'codes' | 'codeTable', string>> & { notes: string };

type BuildFlags = Omit<BuildRequest, 'inputs' | 'backend' | 'backendOptions'> & InputFlags & { db?: string; json?: boolean };

/** The two input forms are exclusive; a mix or a missing table is a usage error before anything is read. */
export function inputsFromFlags(flags: InputFlags): BuildInputs {
  const mimic = [flags.diagnoses, flags.procedures].some((v) => v !== undefined);
  if (flags.codes !== undefined) {
    if (mimic) throw new UsageError('give either the MIMIC-IV hosp tables (--diagnoses, --procedures, ...) or --codes, not both');
    return {
      kind: 'plain',
      codes: flags.codes,
      notes: flags.notes,
      ...(flags.codeTable ? { codeTable: flags.codeTable } : {}),
      ...(flags.icdDiagnoses ? { icdDiagnoses: flags.icdDiagnoses } : {}),
      ...(flags.icdProcedures ? { icdProcedures: flags.icdProcedures } : {}),
    };
  }
  const missing = (['diagnoses', 'procedures', 'icdDiagnoses', 'icdProcedures'] as const).filter((k) => flags[k] === undefined);
  if (missing.length > 0) {
    const flag = (k: string) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    throw new UsageError(`missing ${missing.map(flag).join(', ')}: give the four MIMIC-IV hosp tables and --notes, or --codes and --notes (plain CSVs)`);
  }
  if (flags.codeTable) throw new UsageError('--code-table goes with --codes (plain CSVs); the MIMIC-IV tables take their descriptions from --icd-diagnoses and --icd-procedures');
  return { kind: 'mimic', diagnoses: flags.diagnoses!, procedures: flags.procedures!, icdDiagnoses: flags.icdDiagnoses!, icdProcedures: flags.icdProcedures!, notes: flags.notes };
}

export function registerBuild(program: Command): void {
  const command = program
    .command('build')
    .description("build a MedicalBench-style dataset from your own notes and ICD-10 codes: sample admissions, triage their codes with a model (3 votes, 3-way labels), re-judge disagreements, add prevalence and similar negatives")
    .requiredOption('--name <name>', 'name of the dataset (and of its build); the same command continues a stopped build')
    .requiredOption('--admissions <n>', 'admissions to sample (with a discharge note and ICD-10 codes)', positiveInt)
    .option('--seed <n>', 'seed of every random draw', wholeNumber, 42)
    .requiredOption('--triage <model>', "triage model: 'baseline', a GGUF file or a registered model")
    .option('--rejudge <model>', 'second model for the disagreements of the triage')
    .option('--negatives-prevalence <k>', 'negatives per admission drawn by code prevalence', wholeNumber, 2)
    .option('--negatives-similar <k>', 'negatives per admission most similar to its assigned codes', wholeNumber, 2)
    .option('--embed <model>', 'GGUF embedding model for the similar negatives (default: TF-IDF cosine of descriptions)')
    .option('--diagnoses <file>', 'MIMIC-IV hosp diagnoses_icd.csv[.gz]')
    .option('--procedures <file>', 'MIMIC-IV hosp procedures_icd.csv[.gz]')
    .option('--icd-diagnoses <file>', 'MIMIC-IV hosp d_icd_diagnoses.csv[.gz]')
    .option('--icd-procedures <file>', 'MIMIC-IV hosp d_icd_procedures.csv[.gz]')
    .requiredOption('--notes <file>', 'MIMIC-IV-Note discharge.csv[.gz], or a plain notes CSV (note_id, admission_id, text) with --codes')
    .option('--codes <file>', 'plain codes CSV: admission_id, code, system (CM|PCS), optional description')
    .option('--code-table <file>', 'plain code table CSV: code, system, description')
    .option('--db <file>', 'database file')
    .option('--json', 'print one JSON object')
    .addHelpText(
      'after',
      '\nExamples:\n  medbench build --name mybench --admissions 200 --seed 1 --triage baseline \\\n    --diagnoses diagnoses_icd.csv.gz --procedures procedures_icd.csv.gz \\\n    --icd-diagnoses d_icd_diagnoses.csv.gz --icd-procedures d_icd_procedures.csv.gz --notes discharge.csv.gz\n  medbench build --name local --admissions 50 --triage model.gguf --rejudge other.gguf --codes codes.csv --notes notes.csv --code-table codes-table.csv\n  medbench build --name served --admissions 50 --backend openai --base-url http://127.0.0.1:8000/v1 --triage small-model --rejudge big-model ...',
    );
  // --backend and its flags come from the backend registry, as for `medbench run`; they apply to both models.
  addBackendOptions(command);
  command.action(async (flags: BuildFlags & { backend?: string }) => {
      const inputs = inputsFromFlags(flags);
      const backendOptions = flags.backend ? backendOptionsFrom(command, flags.backend) : {};
      const request: BuildRequest = {
        name: flags.name,
        admissions: flags.admissions,
        seed: flags.seed,
        triage: flags.triage,
        ...(flags.rejudge ? { rejudge: flags.rejudge } : {}),
        negativesPrevalence: flags.negativesPrevalence,
        negativesSimilar: flags.negativesSimilar,
        ...(flags.embed ? { embed: flags.embed } : {}),
        ...(flags.backend ? { backend: flags.backend, backendOptions } : {}),
        inputs,
      };
      await withStore(flags, async (db, dbPath) => {
        const stop = listenForStop('triaged pairs');
        const progress = new ProgressLine();
        try {
          const result = await runBuild(db, request, { signal: stop.signal, onProgress: (p) => progress.update(describeBuildProgress(p)) });
          progress.done();
          const summary = buildSummary(db, flags.name);
          if (flags.json) printJson({ ...summary, status: result.status, resumed: result.resumed });
          else process.stdout.write(`${formatBuildSummary(summary)}\n`);
          if (result.status === 'stopped') {
            process.stderr.write(`Build "${flags.name}" stopped in its ${result.stage} stage. Continue it with the same command (--db ${shellQuote(dbPath)}).\n`);
            process.exitCode = 130;
          }
        } finally {
          progress.done();
          stop.dispose();
        }
      });
    });

  program
    .command('builds')
    .description('show a build: pairs by kind, triage outcomes and agreement, chapter coverage, inputs and models')
    .argument('<name>', 'build name')
    .option('--db <file>', 'database file')
    .option('--json', 'print one JSON object')
    .action(async (name: string, options: { db?: string; json?: boolean }) => {
      const summary = await withReadStore(options, (db) => summaryOrError(db, name));
      if (options.json) printJson(summary);
      else process.stdout.write(`${formatBuildSummary(summary)}\n`);
    });
}

function summaryOrError(db: ReadableDb, name: string): BuildSummary {
  const known = (db.prepare('SELECT name FROM builds ORDER BY id').all() as { name: string }[]).map((r) => r.name);
  if (!known.includes(name)) throw new UsageError(`no build named "${name}" (${known.length ? `builds: ${known.join(', ')}` : 'there are no builds yet'})`);
  return buildSummary(db, name);
}

export function describeBuildProgress(p: BuildProgress): string {
  if (p.stage === 'read') return `reading ${p.file}: ${p.rows} rows (${Math.round((100 * p.fileBytesRead) / Math.max(1, p.fileBytes))}%)`;
  if (p.stage === 'plan') return `planning: ${p.detail}`;
  const left = Number.isFinite(p.progress.eta) ? `, about ${formatDuration(p.progress.eta)} left` : '';
  return `${p.stage} (${p.run}): ${p.progress.done}/${p.progress.total} pairs${left}`;
}

export function formatBuildSummary(s: BuildSummary): string {
  const pct = (v: number | null) => (v === null ? 'n/a' : `${(v * 100).toFixed(1)}%`);
  const lines = [
    `Build "${s.name}" (${s.stage}): ${s.admissions} admissions, ${s.pairs} pairs = ${s.candidates} assigned candidates + ${s.negatives.prevalence} prevalence + ${s.negatives.similar} similar negatives`,
    '',
    formatTable(['triage outcome', 'pairs'], Object.entries(s.triage).filter(([, n]) => n > 0).map(([k, n]) => [k, n])),
    '',
    `Triage votes unanimous: ${pct(s.triageUnanimous)}; re-judged: ${s.rejudged} (second model agreed with the first on ${pct(s.rejudgeAgreement)})`,
    `Mean ICD hops to the nearest assigned code: prevalence negatives ${s.hops.prevalence ?? 'n/a'}, similar negatives ${s.hops.similar ?? 'n/a'}; mean similarity of similar negatives ${s.meanSimilarity ?? 'n/a'}`,
    `Mean prevalence (admissions per code): candidates ${s.prevalence.candidates ?? 'n/a'}, negatives ${s.prevalence.negatives ?? 'n/a'}`,
    `Chapters: ${Object.entries(s.chapters).map(([k, n]) => `${k} ${n}`).join(', ')}`,
    '',
    'Next:',
    `  medbench pairs --dataset ${s.name} --json      each pair with its provenance`,
    `  medbench annotate setup ${s.name} --annotators NAME1,NAME2   two blind annotators per pair`,
  ];
  return lines.join('\n');
}
