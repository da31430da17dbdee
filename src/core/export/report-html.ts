/**
 * The HTML report: one standalone file with inline CSS and inline SVG charts. It makes no request
 * of any kind (no scripts, fonts, images or URLs), and its Content-Security-Policy forbids loading
 * anything, so opening it can never send a byte anywhere.
 */
import type { BreakdownGroup } from '../scoring/metrics';
import { SMALL_N_GROUP } from '../scoring/trust';
import {
  BREAKDOWN_HEADERS, comparisonMetricRows, REFERENCE_HEADERS, referenceRows, SMALL_N_NOTE, warningTexts, interval, labelText, manifestRows, metricRows, pct, points, pValue, type Report,
} from './report';
import { confusionMatrixSvg, differenceSvg, escapeXml as esc, horizontalBarsSvg, metricBarsSvg, stackedBarSvg, type MetricSeries } from './svg-charts';
import { probabilitySectionHtml } from './report-probability';

const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

const STYLE = `
:root { color-scheme: light; --ink: #1d2430; --muted: #5b6575; --line: #d9dee7; --a: #2f6db5; --b: #d8892b; --c: #4c9a6a; --d: #9b5fc0; --ok: #2e8b57; --bad: #c0392b; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1100px; padding: 24px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #fff; }
h1 { font-size: 22px; margin: 0 0 8px; } h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; } h3 { font-size: 15px; }
.banner { padding: 10px 14px; border-radius: 6px; margin: 12px 0 16px; font-weight: 600; }
.banner.safe { background: #eaf4ec; border: 1px solid #9ccaa9; color: #1f5130; }
.banner.text { background: #fdecea; border: 2px solid var(--bad); color: #7d1d13; font-size: 15px; }
.meta, .note { color: var(--muted); }
table { border-collapse: collapse; margin: 8px 0; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f3f5f9; }
td.num { text-align: right; }
.wrong { background: #fff3f1; }
details summary { cursor: pointer; color: var(--a); margin: 8px 0; }
.charts { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
svg.chart { max-width: 100%; height: auto; font: 11px system-ui, sans-serif; }
svg .grid { stroke: var(--line); } svg .grid-fill { fill: #eef1f6; } svg .zero { stroke: var(--muted); stroke-dasharray: 3 3; }
svg .axis { fill: var(--muted); } svg .label { fill: var(--ink); } svg .value { fill: var(--ink); font-weight: 600; }
svg .whisker { stroke: var(--ink); stroke-width: 1.5; fill: none; }
svg .series-0 { fill: var(--a); } svg .series-1 { fill: var(--b); } svg .series-2 { fill: var(--c); } svg .series-3 { fill: var(--d); }
svg .cell-right { fill: var(--ok); } svg .cell-wrong { fill: var(--bad); }
svg .cell-count { font-size: 20px; font-weight: 700; fill: var(--ink); } svg .cell-name { fill: var(--ink); }
svg .curve { stroke: var(--a); stroke-width: 2; fill: none; } svg .reference-line { stroke: var(--muted); stroke-dasharray: 4 3; fill: none; }
`;

type Cell = string | number | { html: string } | { num: string | number };

function cellHtml(cell: Cell, tag: 'td' | 'th'): string {
  if (typeof cell === 'object' && 'html' in cell) return `<${tag}>${cell.html}</${tag}>`;
  if (typeof cell === 'object') return `<${tag} class="num">${esc(String(cell.num))}</${tag}>`;
  return `<${tag}${typeof cell === 'number' ? ' class="num"' : ''}>${esc(String(cell))}</${tag}>`;
}

function table(headers: readonly string[], rows: readonly (readonly Cell[])[], rowClass?: (index: number) => string): string {
  const head = `<thead><tr>${headers.map((h) => cellHtml(h, 'th')).join('')}</tr></thead>`;
  const body = rows.map((row, i) => `<tr${rowClass?.(i) ? ` class="${rowClass(i)}"` : ''}>${row.map((c) => cellHtml(c, 'td')).join('')}</tr>`).join('\n');
  return `<table>${head}<tbody>${body}</tbody></table>`;
}

function breakdownSection(title: string, by: string, groups: readonly BreakdownGroup[]): string {
  const rows = groups.map(({ group, metrics: m }): Cell[] => [`${group}${m.n < SMALL_N_GROUP ? ' *' : ''}`, m.n, m.tp, m.fp, m.fn, m.tn, { num: pct(m.precision) }, { num: pct(m.recall) }, { num: pct(m.f1) }, { num: pct(m.evidenceRecall) }]);
  // An undefined F1 draws no bar and says n/a; a group under 10 pairs says so beside its bar.
  const chart = horizontalBarsSvg(groups.map(({ group, metrics: m }) => ({ label: group, value: m.f1 ?? 0, note: `${m.f1 === null ? 'n/a ' : ''}(n=${m.n}${m.n < SMALL_N_GROUP ? ', small n' : ''})` })), `F1 by ${title}`);
  const note = groups.some(({ metrics: m }) => m.n < SMALL_N_GROUP) ? `\n<p class="note">${esc(SMALL_N_NOTE)}</p>` : '';
  return `<h2>By ${esc(title)}</h2>\n${table([by, ...BREAKDOWN_HEADERS], rows)}${note}\n<div class="charts">${chart}</div>`;
}

export function renderReportHtml(report: Report): string {
  const { run, score } = report;
  const level = Math.round(score.bootstrap.level * 100);
  const c = report.comparison;
  const sections: string[] = [];

  sections.push(`<h1>MedBench Local report: run “${esc(run.name)}”</h1>`);
  sections.push(`<div class="banner ${report.includesText ? 'text' : 'safe'}" role="note">${esc(report.notice)}</div>`);
  sections.push(`<p class="meta">Dataset ${esc(run.dataset)}, ${score.n} pairs (${score.missing} missing, ${score.invalid} invalid), status ${esc(run.status)}. Generated ${esc(report.generatedAt)} by MedBench Local ${esc(report.appVersion)}.</p>`);

  const series: MetricSeries[] = [{
    name: run.name,
    values: [
      { label: 'precision', value: score.precision, ci: score.precisionCi },
      { label: 'recall', value: score.recall, ci: score.recallCi },
      { label: 'F1', value: score.f1, ci: score.f1Ci },
      { label: 'evidence recall', value: score.evidenceRecall, ci: score.evidenceRecallCi },
    ],
  }];
  sections.push('<h2>Metrics</h2>');
  sections.push(table(['metric', 'value', `${level}% CI`], metricRows(score).map(([name, value, ci]) => [name, { num: value }, { num: ci }])));
  sections.push(`<p class="note">Percentile bootstrap over pairs, ${score.bootstrap.resamples} resamples, seed ${score.bootstrap.seed}.</p>`);
  for (const text of warningTexts(report)) sections.push(`<p class="banner text" role="alert"><strong>Warning:</strong> ${esc(text)}</p>`);
  sections.push('<h3>Reference on the same pairs</h3>');
  sections.push(table(REFERENCE_HEADERS, referenceRows(score).map(([name, ...values]) => [name!, ...values.map((value) => ({ num: value }))])));
  sections.push(`<div class="charts">${metricBarsSvg(series, `Metrics of ${run.name} with ${level}% intervals`)}</div>`);

  sections.push('<h2>Confusion matrix and evidence</h2>');
  sections.push(`<div class="charts">${confusionMatrixSvg(score, 'Confusion matrix')}<div>${table(['', 'predicted True', 'predicted False'], [['gold True', `TP ${score.tp}`, `FN ${score.fn}`], ['gold False', `FP ${score.fp}`, `TN ${score.tn}`]])}</div></div>`);
  sections.push(`<h3>Evidence match types</h3><p class="note">Over the ${score.evidencePairs} pairs with gold evidence.</p>`);
  sections.push(table(['exact', 'partial', 'proximate', 'none'], [[score.matchTypes.exact, score.matchTypes.partial, score.matchTypes.proximate, score.matchTypes.none]]));
  const matchSegments = (['exact', 'partial', 'proximate', 'none'] as const).map((type) => ({ label: type, value: score.matchTypes[type] }));
  sections.push(`<div class="charts">${stackedBarSvg(matchSegments, 'Evidence match types')}</div>`);

  sections.push(probabilitySectionHtml(score, level, table, esc));
  sections.push(breakdownSection('ICD-10 chapter / PCS section', 'chapter', report.breakdowns.chapter));
  sections.push(breakdownSection('code kind', 'kind', report.breakdowns.kind));
  sections.push(breakdownSection('gold label', 'gold', report.breakdowns.gold));

  if (c) {
    sections.push(`<h2>Comparison: “${esc(c.runA)}” (A) vs “${esc(c.runB)}” (B)</h2>`);
    sections.push(`<p>On the ${c.n} pairs both runs planned (${c.onlyA} only in A, ${c.onlyB} only in B). Exact McNemar on the label: b = ${c.b} (A right, B wrong), c = ${c.c} (A wrong, B right), <strong>p = ${esc(pValue(c.mcnemarP))}</strong>.</p>`);
    sections.push(table(['metric', 'A', 'B', 'A − B (points)', `${level}% CI (paired bootstrap)`], comparisonMetricRows(c).map(([name, ...rest]) => [name, ...rest.map((v) => ({ num: v }))])));
    const diffs = [
      { label: 'precision', diff: c.precisionDiff.diff, ci: c.precisionDiff.ci },
      { label: 'recall', diff: c.recallDiff.diff, ci: c.recallDiff.ci },
      { label: 'F1', diff: c.f1Diff.diff, ci: c.f1Diff.ci },
      ...(c.evidenceRecallDiff ? [{ label: 'evidence recall', diff: c.evidenceRecallDiff.diff, ci: c.evidenceRecallDiff.ci }] : []),
    ];
    const both: MetricSeries[] = [
      { name: `A: ${c.runA}`, values: [{ label: 'precision', value: c.metricsA.precision, ci: null }, { label: 'recall', value: c.metricsA.recall, ci: null }, { label: 'F1', value: c.metricsA.f1, ci: null }, { label: 'evidence recall', value: c.metricsA.evidenceRecall, ci: null }] },
      { name: `B: ${c.runB}`, values: [{ label: 'precision', value: c.metricsB.precision, ci: null }, { label: 'recall', value: c.metricsB.recall, ci: null }, { label: 'F1', value: c.metricsB.f1, ci: null }, { label: 'evidence recall', value: c.metricsB.evidenceRecall, ci: null }] },
    ];
    sections.push(`<div class="charts">${metricBarsSvg(both, 'Both runs on their common pairs')}${differenceSvg(diffs, `A − B in points with ${level}% paired intervals`)}</div>`);
    sections.push(`<h3>Disagreements (${c.disagreements.length})</h3>`);
    sections.push(table(
      ['task_id', 'code', 'description', 'gold', 'A', 'A evidence', 'B', 'B evidence'],
      c.disagreements.map((d) => [d.taskId, d.code, d.desc, labelText(d.gold), labelText(d.a.label), d.a.evidence?.join(' ') ?? '—', labelText(d.b.label), d.b.evidence?.join(' ') ?? '—']),
    ));
  }

  sections.push('<h2>Run manifest</h2>');
  sections.push(table(['key', 'value'], manifestRows(run)));

  const withText = report.includesText;
  sections.push(`<h2>Pairs (${report.pairs.length})</h2>`);
  sections.push(`<details${report.pairs.length <= 200 ? ' open' : ''}><summary>Every planned pair; wrong labels are shaded</summary>`);
  sections.push(table(
    ['task_id', 'code', 'description', 'gold', 'predicted', 'status', 'evidence', 'gold sentences', 'match', ...(withText ? ['rationale', 'evidence text'] : [])],
    report.pairs.map((p) => [
      p.taskId, p.code, p.desc, labelText(p.gold), labelText(p.predicted), p.status, p.evidence.join(' '), p.goldSentences.join(' '), p.matchType ?? '',
      ...(withText ? [p.rationale ?? '', { html: (p.evidenceText ?? []).map((t) => esc(t)).join('<br>') }] : []),
    ]),
    (i) => (report.pairs[i]!.correct ? '' : 'wrong'),
  ));
  sections.push('</details>');
  sections.push(`<p class="note">Intervals: ${level}% percentile bootstrap (${score.bootstrap.resamples} resamples, seed ${score.bootstrap.seed}); comparison differences in percentage points. Overall ${pct(score.f1)} F1 ${interval(score.f1Ci)}${c ? `; F1 difference ${points(c.f1Diff.diff)}` : ''}.</p>`);

  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${CSP}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="referrer" content="no-referrer">',
    `<title>MedBench Local report: ${esc(run.name)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    ...sections,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
