/**
 * Run reports (JSON, Markdown, HTML) that are safe to share under the PhysioNet DUA by default:
 * they hold only ids, codes, ICD descriptions (public ICD text), labels, sentence numbers and
 * statistics. Note text, evidence text, rationales, raw model output and the annotators'
 * reasoning summaries are left out; `includeText` adds rationales and evidence text, and every
 * format then says so at the top.
 */
import { getRun, type RunRecord } from '../engine/runs';
import { reportRunJson, summariseRun } from '../engine/run-summary';
import { compareTwoRuns, runPairsOf, type TwoRunComparison } from '../scoring/compare';
import { conceptGroup } from '../scoring/icd';
import { breakdown, evidenceMatchType, type BreakdownGroup, type EvidenceMatchType } from '../scoring/metrics';
import { scoreRun, type RunScore } from '../scoring/score-run';
import { SMALL_N_GROUP } from '../scoring/trust';
import type { Db } from '../store/database';
import { APP_VERSION } from '../version';
import { NoteSentenceTexts } from './submission';
import { probabilityMarkdown } from './report-probability';
import { neutraliseBidi } from '../../shared/display-text';

export type ReportFormat = 'html' | 'md' | 'json';

export const DUA_SAFE_NOTICE =
  'DUA-safe report: no note text, evidence text, rationales or model output; only pair ids, ICD codes and descriptions, labels, sentence numbers and statistics.';
export const INCLUDES_TEXT_NOTICE =
  'CONTAINS NOTE-DERIVED TEXT: this report includes model rationales and evidence sentences from MIMIC notes. Keep it where your PhysioNet DUA allows MIMIC data and do not share it.';

export interface ReportPair {
  taskId: string;
  code: string;
  desc: string;
  group: string;
  gold: boolean;
  status: 'ok' | 'missing' | 'invalid';
  /** null when missing or invalid (scored as False). */
  predicted: boolean | null;
  correct: boolean;
  evidence: number[];
  goldSentences: number[];
  matchType: EvidenceMatchType | null;
  /** Only with includeText. */
  rationale?: string;
  evidenceText?: string[];
  goldEvidenceText?: string[];
}

/** The run as a report shows it: the stored record without database ids or error text; status as listed (`interrupted` too). */
export type ReportRun = Omit<RunRecord, 'id' | 'datasetId' | 'modelId' | 'error' | 'status'> & { status: string };

export interface Report {
  kind: 'medbench-report';
  version: 1;
  generatedAt: string;
  appVersion: string;
  includesText: boolean;
  notice: string;
  run: ReportRun;
  /** Exactly scoreRun's result (same resamples and seed). */
  score: RunScore;
  breakdowns: { chapter: BreakdownGroup[]; kind: BreakdownGroup[]; gold: BreakdownGroup[] };
  comparison: TwoRunComparison | null;
  pairs: ReportPair[];
}

export interface ReportOptions {
  compare?: string;
  includeText?: boolean;
  resamples?: number;
  seed?: number;
  /** Fixed time for reproducible output (tests); default now. */
  generatedAt?: Date;
}

function reportPairs(db: Db, run: RunRecord, includeText: boolean): ReportPair[] {
  const pairs = runPairsOf(db, run);
  // Text columns are read only when asked for, so a default report cannot leak them by mistake.
  const textRows = includeText
    ? (db
        .prepare(
          `SELECT p.note_id AS noteId, pr.rationale,
             (SELECT json_group_array(text) FROM (SELECT text FROM gold_spans g WHERE g.pair_id = p.id ORDER BY seq)) AS goldJson
           FROM run_pairs rp JOIN pairs p ON p.id = rp.pair_id
           LEFT JOIN predictions pr ON pr.run_id = rp.run_id AND pr.pair_id = rp.pair_id
           WHERE rp.run_id = ? ORDER BY rp.position`,
        )
        .all(run.id) as { noteId: number; rationale: string | null; goldJson: string }[])
    : [];
  const sentences = new NoteSentenceTexts(db);
  return pairs.map((pair, i) => {
    const { scored } = pair;
    const ok = scored.status === 'ok';
    const predicted = ok ? scored.predicted : null;
    const evidence = ok ? [...scored.predictedSentences] : [];
    const base: ReportPair = {
      taskId: pair.taskId,
      code: pair.code,
      desc: pair.desc,
      group: conceptGroup(pair.code),
      gold: scored.gold,
      status: scored.status,
      predicted,
      correct: (predicted ?? false) === scored.gold,
      evidence,
      goldSentences: [...scored.goldSentences],
      matchType: evidenceMatchType(scored.goldSentences, evidence),
    };
    if (!includeText) return base;
    const text = textRows[i]!;
    return {
      ...base,
      rationale: text.rationale ?? '',
      evidenceText: sentences.texts(text.noteId, evidence),
      goldEvidenceText: JSON.parse(text.goldJson) as string[],
    };
  });
}

export function buildReport(db: Db, name: string, options: ReportOptions = {}): Report {
  const run = getRun(db, name);
  const bootstrap = { resamples: options.resamples ?? 10000, seed: options.seed ?? 1 };
  const includeText = options.includeText ?? false;
  const pairs = runPairsOf(db, run).map((pair) => pair.scored);
  return {
    kind: 'medbench-report',
    version: 1,
    generatedAt: (options.generatedAt ?? new Date()).toISOString(),
    appVersion: APP_VERSION,
    includesText: includeText,
    notice: includeText ? INCLUDES_TEXT_NOTICE : DUA_SAFE_NOTICE,
    run: reportRunJson(summariseRun(db, run)),
    score: scoreRun(db, name, bootstrap),
    breakdowns: { chapter: breakdown(pairs, 'chapter'), kind: breakdown(pairs, 'kind'), gold: breakdown(pairs, 'gold') },
    comparison: options.compare ? compareTwoRuns(db, name, options.compare, bootstrap) : null,
    pairs: reportPairs(db, run, includeText),
  };
}

// ---- shared formatting (Markdown and HTML show the same numbers) ----

export const pct = (value: number | null): string => (value === null ? 'n/a' : `${(value * 100).toFixed(1)}%`);
export const interval = (ci: readonly [number, number] | null): string => (ci ? `[${pct(ci[0])}, ${pct(ci[1])}]` : '');
export const points = (value: number): string => `${value >= 0 ? '+' : ''}${(value * 100).toFixed(1)}`;
export const pValue = (p: number): string => (p < 0.0001 ? '< 0.0001' : p.toFixed(4));
export const labelText = (label: boolean | null): string => (label === null ? '—' : label ? 'True' : 'False');

export function metricRows(score: RunScore): [string, string, string][] {
  return [
    ['precision', pct(score.precision), interval(score.precisionCi)],
    ['recall', pct(score.recall), interval(score.recallCi)],
    ['F1', pct(score.f1), interval(score.f1Ci)],
    ['evidence recall', pct(score.evidenceRecall), interval(score.evidenceRecallCi)],
    ['evidence precision', pct(score.evidencePrecision), ''],
    ['accuracy', pct(score.accuracy), ''],
    ['specificity', pct(score.specificity), ''],
    ['balanced accuracy', pct(score.balancedAccuracy), ''],
    ['MCC', score.mcc === null ? 'n/a' : score.mcc.toFixed(3), ''],
  ];
}

/** Always True, always False and the baseline on the run's pairs: what the run's numbers must beat. */
export const REFERENCE_HEADERS = ['reference', 'precision', 'recall', 'F1', 'MCC', 'evidence recall'];
export function referenceRows(score: RunScore): string[][] {
  return score.references.map((r) => [r.label, pct(r.metrics.precision), pct(r.metrics.recall), pct(r.metrics.f1), r.metrics.mcc === null ? 'n/a' : r.metrics.mcc.toFixed(3), pct(r.metrics.evidenceRecall)]);
}

/** One sentence per warning (degenerate run, small n, interrupted, imported, fewer pairs compared). */
export function warningTexts(report: Report): string[] {
  return [...report.score.warnings, ...(report.comparison?.warnings.filter((w) => w.kind === 'fewer-pairs' || w.kind === 'degenerate') ?? [])].map((w) => w.message);
}

/** Flattens the manifest and settings to key/value rows (nested values as compact JSON). */
export function manifestRows(run: ReportRun): [string, string][] {
  const value = (v: unknown) => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  return [
    ['run', run.name],
    ['dataset', run.dataset],
    ['status', run.status],
    ['backend', run.backend],
    ['created', run.createdAt],
    ['finished', value(run.finishedAt)],
    ['active seconds', run.backend === 'external' ? 'n/a (imported)' : run.activeSeconds.toFixed(1)],
    ['pairs predicted / planned', `${run.done} / ${run.planned}`],
    ['invalid', String(run.invalid)],
    ['tokens (prompt / reused / generated)', `${run.promptTokens} / ${run.reusedTokens} / ${run.generatedTokens}`],
    // Imported predictions used no strategy here: the stored placeholder would read as a fact.
    ...Object.entries(run.settings).map(([key, v]): [string, string] => [`setting ${key}`, run.backend === 'external' && key === 'strategy' ? 'n/a (imported)' : value(v)]),
    ...Object.entries(run.manifest).map(([key, v]): [string, string] => [`manifest ${key}`, value(v)]),
  ];
}

// ---- Markdown ----

/**
 * Text from files, models and users as inert Markdown: raw HTML and autolinks cannot form (< and > become
 * entities), nor inline links or images ("](" and "![" are escaped); a javascript:, vbscript: or data: scheme
 * loses its colon to an entity so no autolinker takes it; line breaks become spaces, "|" cannot end a table cell,
 * backslashes stay backslashes, and bidi controls are neutralised. Other characters stay, so the text reads as it was.
 */
export function mdText(value: string | number): string {
  return neutraliseBidi(String(value))
    .replace(/\r\n?|\n/g, ' ')
    .replace(/\\/g, '\\\\')
    .replace(/[<>]/g, (ch) => (ch === '<' ? '&lt;' : '&gt;'))
    .replace(/\|/g, '\\|')
    .replace(/\]\(/g, ']\\(')
    .replace(/!\[/g, '!\\[')
    .replace(/\b(javascript|vbscript|data)(\s*):/gi, '$1$2&#58;');
}

function mdCell(value: string | number): string {
  return mdText(value);
}

function mdTable(headers: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  return [
    `| ${headers.map(mdCell).join(' | ')} |`,
    `| ${headers.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.map(mdCell).join(' | ')} |`),
  ].join('\n');
}

function breakdownRows(groups: readonly BreakdownGroup[]): (string | number)[][] {
  // "*": fewer than SMALL_N_GROUP pairs (the note under each table says so).
  return groups.map(({ group, metrics: m }) => [`${group}${m.n < SMALL_N_GROUP ? ' *' : ''}`, m.n, m.tp, m.fp, m.fn, m.tn, pct(m.precision), pct(m.recall), pct(m.f1), pct(m.evidenceRecall)]);
}
export const SMALL_N_NOTE = `* fewer than ${SMALL_N_GROUP} pairs: read these percentages with care.`;
export const BREAKDOWN_HEADERS = ['n', 'TP', 'FP', 'FN', 'TN', 'precision', 'recall', 'F1', 'evidence recall'];

export function comparisonMetricRows(c: TwoRunComparison): [string, string, string, string, string][] {
  const rows: [string, string, string, string, string][] = [
    ['precision', pct(c.metricsA.precision), pct(c.metricsB.precision), points(c.precisionDiff.diff), `[${points(c.precisionDiff.ci[0])}, ${points(c.precisionDiff.ci[1])}]`],
    ['recall', pct(c.metricsA.recall), pct(c.metricsB.recall), points(c.recallDiff.diff), `[${points(c.recallDiff.ci[0])}, ${points(c.recallDiff.ci[1])}]`],
    ['F1', pct(c.metricsA.f1), pct(c.metricsB.f1), points(c.f1Diff.diff), `[${points(c.f1Diff.ci[0])}, ${points(c.f1Diff.ci[1])}]`],
  ];
  const e = c.evidenceRecallDiff;
  rows.push(e ? ['evidence recall', pct(e.a), pct(e.b), points(e.diff), `[${points(e.ci[0])}, ${points(e.ci[1])}]`] : ['evidence recall', 'n/a', 'n/a', '', '']);
  return rows;
}

export function renderReportMarkdown(report: Report): string {
  const { run, score } = report;
  const level = Math.round(score.bootstrap.level * 100);
  const out: string[] = [
    `# MedBench Local report: run "${mdText(run.name)}"`,
    '',
    `> ${report.includesText ? `**${report.notice}**` : report.notice}`,
    '',
    `Dataset ${mdText(run.dataset)}, ${score.n} pairs (${score.missing} missing, ${score.invalid} invalid), status ${score.status}. Generated ${report.generatedAt} by MedBench Local ${report.appVersion}.`,
    '',
    '## Metrics',
    '',
    mdTable(['metric', 'value', `${level}% CI`], metricRows(score)),
    '',
    `Percentile bootstrap over pairs, ${score.bootstrap.resamples} resamples, seed ${score.bootstrap.seed}.`,
    ...warningTexts(report).flatMap((text) => ['', `> **Warning:** ${mdText(text)}`]),
    '',
    '## Reference on the same pairs',
    '',
    mdTable(REFERENCE_HEADERS, referenceRows(score)),
    '',
    '## Confusion matrix',
    '',
    mdTable(['', 'predicted True', 'predicted False'], [['gold True', `TP ${score.tp}`, `FN ${score.fn}`], ['gold False', `FP ${score.fp}`, `TN ${score.tn}`]]),
    '',
    '## Evidence match types',
    '',
    `Over the ${score.evidencePairs} pairs with gold evidence.`,
    '',
    mdTable(['exact', 'partial', 'proximate', 'none'], [[score.matchTypes.exact, score.matchTypes.partial, score.matchTypes.proximate, score.matchTypes.none]]),
  ];
  out.push(...probabilityMarkdown(score, level, mdTable));
  for (const [by, title] of [['chapter', 'ICD-10 chapter / PCS section'], ['kind', 'code kind'], ['gold', 'gold label']] as const) {
    const groups = report.breakdowns[by];
    out.push('', `## By ${title}`, '', mdTable([by, ...BREAKDOWN_HEADERS], breakdownRows(groups)));
    if (groups.some((g) => g.metrics.n < SMALL_N_GROUP)) out.push('', mdText(SMALL_N_NOTE));
  }
  const c = report.comparison;
  if (c) {
    out.push(
      '',
      `## Comparison: "${mdText(c.runA)}" (A) vs "${mdText(c.runB)}" (B)`,
      '',
      `On the ${c.n} pairs both runs planned (${c.onlyA} only in A, ${c.onlyB} only in B). Exact McNemar on the label: b = ${c.b} (A right, B wrong), c = ${c.c} (A wrong, B right), p = ${pValue(c.mcnemarP)}.`,
      '',
      mdTable(['metric', 'A', 'B', 'A - B (points)', `${level}% CI (paired bootstrap)`], comparisonMetricRows(c)),
      '',
      `### Disagreements (${c.disagreements.length})`,
      '',
      mdTable(
        ['task_id', 'code', 'description', 'gold', 'A', 'A evidence', 'B', 'B evidence'],
        c.disagreements.map((d) => [d.taskId, d.code, d.desc, labelText(d.gold), labelText(d.a.label), d.a.evidence?.join(' ') ?? '—', labelText(d.b.label), d.b.evidence?.join(' ') ?? '—']),
      ),
    );
  }
  out.push('', '## Run manifest', '', mdTable(['key', 'value'], manifestRows(run)));
  out.push(
    '',
    '## Pairs',
    '',
    mdTable(
      ['task_id', 'code', 'description', 'gold', 'predicted', 'status', 'evidence', 'gold sentences', 'match', ...(report.includesText ? ['rationale', 'evidence text'] : [])],
      report.pairs.map((p) => [
        p.taskId, p.code, p.desc, labelText(p.gold), labelText(p.predicted), p.status, p.evidence.join(' '), p.goldSentences.join(' '), p.matchType ?? '',
        ...(report.includesText ? [p.rationale ?? '', (p.evidenceText ?? []).join(' / ')] : []),
      ]),
    ),
  );
  return `${out.join('\n')}\n`;
}
