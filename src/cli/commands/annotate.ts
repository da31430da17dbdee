import { InvalidArgumentError, type Command } from 'commander';
import type { Span } from '../../core/annotation/agreement';
import {
  AnnotationError,
  adjudicate,
  agreementReport,
  annotationTask,
  annotatorQueue,
  disagreementQueue,
  saveAnnotation,
  setupAnnotation,
} from '../../core/annotation/workspace';
import { CodePointIndex } from '../../shared/code-points';
import { withReadStore, withStore } from '../context';
import { formatTable, printJson } from '../output';

/** "related" / "unrelated" (also true/false, yes/no) → boolean. */
function labelArg(value: string): boolean {
  const v = value.trim().toLowerCase();
  if (['related', 'true', 'yes', 'r'].includes(v)) return true;
  if (['unrelated', 'false', 'no', 'u'].includes(v)) return false;
  throw new InvalidArgumentError('expected related or unrelated');
}

/** "120-180,300-320": code-point offsets into the note, end exclusive (as the benchmark's spans). */
function spansArg(value: string): Span[] {
  if (value.trim() === '') return [];
  return value.split(',').map((part) => {
    const match = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(part);
    if (!match) throw new InvalidArgumentError(`"${part}" is not START-END (code-point offsets)`);
    return { start: Number(match[1]), end: Number(match[2]) };
  });
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

const pct = (v: number | null) => (v === null ? 'n/a' : v.toFixed(3));

export function registerAnnotate(program: Command): void {
  const annotate = program.command('annotate').description('dual blind annotation of a dataset: annotators, labels, evidence, agreement, adjudication');

  annotate
    .command('setup')
    .description('name the annotators of a dataset and give every pair two of them')
    .argument('<dataset>', 'dataset name')
    .requiredOption('--annotators <names>', 'comma-separated annotator names (at least two)')
    .option('--not-blind', 'let each annotator see the other one\'s work')
    .option('--show-triage', 'show the triage votes and outcome to annotators')
    .option('--db <file>', 'database file')
    .option('--json', 'print one JSON object')
    .action(async (dataset: string, options: { annotators: string; notBlind?: boolean; showTriage?: boolean; db?: string; json?: boolean }) => {
      const result = await withStore(options, (db) =>
        setupAnnotation(db, dataset, {
          annotators: options.annotators.split(','),
          ...(options.notBlind ? { blind: false } : {}),
          ...(options.showTriage ? { showTriage: true } : {}),
        }),
        'existing',
      );
      if (options.json) return printJson(result);
      process.stdout.write(
        `Dataset "${result.dataset}": ${result.assigned} pairs newly assigned to two of ${result.annotators.join(', ')} (${result.pairs} pairs in all); ` +
          `${result.blind ? 'blind' : 'not blind'}, triage ${result.showTriage ? 'shown' : 'hidden'}.\n`,
      );
    });

  annotate
    .command('queue')
    .description("an annotator's pairs and where each stands (todo, draft, submitted)")
    .argument('<dataset>', 'dataset name')
    .requiredOption('--annotator <name>', 'annotator')
    .option('--db <file>', 'database file')
    .option('--json', 'print a JSON array')
    .action(async (dataset: string, options: { annotator: string; db?: string; json?: boolean }) => {
      const queue = await withReadStore(options, (db) => annotatorQueue(db, dataset, options.annotator));
      if (options.json) return printJson(queue);
      const done = queue.filter((q) => q.status === 'submitted').length;
      const rows = queue.map((q) => [q.taskId, q.code, q.status, q.label === null ? '' : q.label ? 'Related' : 'Unrelated', q.desc.slice(0, 60)]);
      process.stdout.write(`${formatTable(['task id', 'code', 'status', 'label', 'description'], rows)}\n${done}/${queue.length} submitted\n`);
    });

  annotate
    .command('show')
    .description('one pair as its annotator sees it: the concept, the note with numbered sentences, their own annotation')
    .argument('<dataset>', 'dataset name')
    .requiredOption('--annotator <name>', 'annotator')
    .requiredOption('--task <task_id>', 'task id (subject_hadm)')
    .requiredOption('--code <code>', 'code as listed (with its dot)')
    .option('--db <file>', 'database file')
    .option('--json', 'print one JSON object')
    .action(async (dataset: string, options: { annotator: string; task: string; code: string; db?: string; json?: boolean }) => {
      const task = await withReadStore(options, (db) => annotationTask(db, dataset, options.annotator, options.task, options.code));
      if (options.json) return printJson(task);
      const index = new CodePointIndex(task.noteText);
      const lines = [`${task.code}  ${task.desc}  (${task.taskId})`, ''];
      for (const s of task.sentences) lines.push(`[S${s.id} ${s.start}-${s.end}] ${index.slice(s.start, s.end).replace(/\s+/g, ' ')}`);
      lines.push('', task.mine ? `Yours (${task.mine.status}): ${task.mine.label === null ? 'no label' : task.mine.label ? 'Related' : 'Unrelated'}; evidence ${task.mine.spans.map((s) => `${s.start}-${s.end}`).join(',') || 'none'}; ${task.mine.rationale}` : 'Not annotated yet.');
      process.stdout.write(`${lines.join('\n')}\n`);
    });

  annotate
    .command('save')
    .description("save an annotator's label, evidence and rationale for a pair (a draft unless --submit)")
    .argument('<dataset>', 'dataset name')
    .requiredOption('--annotator <name>', 'annotator')
    .requiredOption('--task <task_id>', 'task id (subject_hadm)')
    .requiredOption('--code <code>', 'code as listed (with its dot)')
    .option('--label <label>', 'related or unrelated', labelArg)
    .option('--evidence <spans>', 'evidence spans as START-END[,START-END...] in code points of the note', spansArg)
    .option('--quote <text>', 'evidence as an exact quote of the note (repeatable; its first occurrence)', collect)
    .option('--rationale <text>', 'a short clinical justification')
    .option('--submit', 'make it final')
    .option('--db <file>', 'database file')
    .option('--json', 'print one JSON object')
    .action(async (dataset: string, options: { annotator: string; task: string; code: string; label?: boolean; evidence?: Span[]; quote?: string[]; rationale?: string; submit?: boolean; db?: string; json?: boolean }) => {
      const saved = await withStore(options, (db) => {
        let spans = options.evidence;
        if (options.quote) {
          const task = annotationTask(db, dataset, options.annotator, options.task, options.code);
          spans = [...(spans ?? []), ...options.quote.map((quote) => quoteSpan(task.noteText, quote))];
        }
        return saveAnnotation(db, {
          dataset,
          annotator: options.annotator,
          taskId: options.task,
          code: options.code,
          ...(options.label !== undefined ? { label: options.label } : {}),
          ...(spans !== undefined ? { spans } : {}),
          ...(options.rationale !== undefined ? { rationale: options.rationale } : {}),
          ...(options.submit ? { submit: true } : {}),
        });
      }, 'existing');
      if (options.json) return printJson(saved);
      process.stdout.write(`Saved (${saved.status}): ${saved.label === null ? 'no label' : saved.label ? 'Related' : 'Unrelated'}, ${saved.spans.length} evidence span(s) in sentence(s) ${saved.sentences.map((id) => `S${id}`).join(' ') || '-'}\n`);
    });

  annotate
    .command('agreement')
    .description("Cohen's kappa and evidence overlap per annotator pair")
    .argument('<dataset>', 'dataset name')
    .option('--db <file>', 'database file')
    .option('--json', 'print one JSON object')
    .action(async (dataset: string, options: { db?: string; json?: boolean }) => {
      const report = await withReadStore(options, (db) => agreementReport(db, dataset));
      if (options.json) return printJson(report);
      const rows = report.byAnnotatorPair.map((r) => [r.annotators.join(' / '), r.n, pct(r.agreement), pct(r.kappa), pct(r.evidenceOverlap), pct(r.sentenceOverlap)]);
      process.stdout.write(
        `${formatTable(['annotators', 'pairs', 'agreement', 'kappa', 'evidence overlap', 'sentence overlap'], rows)}\n` +
          `Overall: kappa ${pct(report.overall.kappa)} on ${report.overall.n} pairs; ${report.disagreements} disagreements, ${report.adjudicated} adjudicated, ${report.unresolvable} unresolvable\n`,
      );
    });

  annotate
    .command('disagreements')
    .description('the pairs whose two annotators disagree, with both annotations (the adjudication queue)')
    .argument('<dataset>', 'dataset name')
    .option('--open', 'only those not adjudicated yet')
    .option('--db <file>', 'database file')
    .option('--json', 'print a JSON array')
    .action(async (dataset: string, options: { open?: boolean; db?: string; json?: boolean }) => {
      const queue = await withReadStore(options, (db) => disagreementQueue(db, dataset, { open: options.open ?? false }));
      if (options.json) return printJson(queue);
      const rows = queue.map((d) => [d.taskId, d.code, d.annotations.map((a) => `${a.annotator}: ${a.label ? 'Related' : 'Unrelated'}`).join('; '), d.adjudication ? d.adjudication.outcome : 'open']);
      process.stdout.write(`${formatTable(['task id', 'code', 'labels', 'adjudication'], rows)}\n${queue.length} disagreements\n`);
    });

  annotate
    .command('adjudicate')
    .description('decide a disagreement: the final label (with evidence and rationale), or --unresolvable to exclude the pair')
    .argument('<dataset>', 'dataset name')
    .requiredOption('--task <task_id>', 'task id')
    .requiredOption('--code <code>', 'code')
    .requiredOption('--by <name>', 'adjudicator')
    .option('--label <label>', 'related or unrelated', labelArg)
    .option('--unresolvable', 'no clear final decision: the pair is excluded from the export')
    .option('--evidence <spans>', 'evidence spans START-END[,...] (default: the evidence of the annotator(s) with that label)', spansArg)
    .option('--rationale <text>', 'justification (default: the rationale of the annotator with that label)')
    .option('--db <file>', 'database file')
    .option('--json', 'print one JSON object')
    .action(async (dataset: string, options: { task: string; code: string; by: string; label?: boolean; unresolvable?: boolean; evidence?: Span[]; rationale?: string; db?: string; json?: boolean }) => {
      const result = await withStore(options, (db) =>
        adjudicate(db, {
          dataset,
          taskId: options.task,
          code: options.code,
          adjudicator: options.by,
          outcome: options.unresolvable ? 'unresolvable' : 'resolved',
          ...(options.label !== undefined ? { label: options.label } : {}),
          ...(options.evidence ? { spans: options.evidence } : {}),
          ...(options.rationale !== undefined ? { rationale: options.rationale } : {}),
        }),
        'existing',
      );
      if (options.json) return printJson(result);
      process.stdout.write(`${result.taskId} / ${result.code}: ${result.outcome}${result.label === null ? '' : `, ${result.label ? 'Related' : 'Unrelated'}`}\n`);
    });
}

/** The code-point span of the first occurrence of a quote in the note. */
function quoteSpan(text: string, quote: string): Span {
  const at = text.indexOf(quote);
  if (at < 0 || quote === '') throw new AnnotationError(`--quote ${JSON.stringify(quote.slice(0, 60))} is not in the note`);
  const start = Array.from(text.slice(0, at)).length;
  return { start, end: start + Array.from(quote).length };
}
