/**
 * Inline SVG charts for the standalone HTML report. Plain strings, no library and no external
 * reference of any kind: no xmlns URL (inline SVG in HTML needs none), no fonts, no images.
 * Colours come from CSS classes the report's own <style> defines, so the charts follow its theme.
 */
import { neutraliseBidi } from '../../shared/display-text';
import type { Interval } from '../scoring/bootstrap';

/** HTML/XML text; bidi controls neutralised too, so a name like "<RLO>gnp.exe" cannot read "exe.png" in the report. */
export function escapeXml(text: string): string {
  return neutraliseBidi(text).replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);
}

const round = (value: number) => Math.round(value * 10) / 10;
const percent = (value: number) => `${(value * 100).toFixed(1)}%`;

function svgOpen(width: number, height: number, label: string): string {
  return `<svg class="chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeXml(label)}"><title>${escapeXml(label)}</title>`;
}

export interface MetricValue {
  label: string;
  value: number | null;
  ci: Interval | null;
}

export interface MetricSeries {
  name: string;
  values: MetricValue[];
}

/**
 * Grouped vertical bars on a 0-100% axis, one group per metric and one bar per series, each with
 * its bootstrap interval as a whisker. A null value (e.g. no gold evidence) is drawn as "n/a".
 */
export function metricBarsSvg(series: readonly MetricSeries[], title: string): string {
  const metrics = series[0]?.values.map((v) => v.label) ?? [];
  const width = 640;
  const height = 260;
  const left = 44;
  const top = 16;
  const plotHeight = 190;
  const plotWidth = width - left - 12;
  const groupWidth = plotWidth / Math.max(metrics.length, 1);
  const barWidth = Math.min(48, (groupWidth - 16) / Math.max(series.length, 1));
  const y = (value: number) => round(top + plotHeight * (1 - Math.min(Math.max(value, 0), 1)));
  const parts = [svgOpen(width, height, title)];
  for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
    parts.push(`<line class="grid" x1="${left}" x2="${width - 12}" y1="${y(tick)}" y2="${y(tick)}"/>`);
    parts.push(`<text class="axis" x="${left - 6}" y="${y(tick) + 4}" text-anchor="end">${tick * 100}%</text>`);
  }
  metrics.forEach((metric, m) => {
    const groupX = left + m * groupWidth;
    const barsX = groupX + (groupWidth - barWidth * series.length) / 2;
    series.forEach((s, k) => {
      const point = s.values[m];
      const x = round(barsX + k * barWidth);
      if (!point || point.value === null) {
        parts.push(`<text class="axis" x="${round(x + barWidth / 2)}" y="${y(0) - 6}" text-anchor="middle">n/a</text>`);
        return;
      }
      parts.push(`<rect class="series-${k % 4}" x="${x + 2}" y="${y(point.value)}" width="${round(barWidth - 4)}" height="${round(y(0) - y(point.value))}"><title>${escapeXml(`${s.name} ${metric}: ${percent(point.value)}`)}</title></rect>`);
      if (point.ci) {
        const cx = round(x + barWidth / 2);
        const [lo, hi] = point.ci;
        parts.push(`<path class="whisker" d="M${cx} ${y(lo)}V${y(hi)}M${cx - 5} ${y(lo)}h10M${cx - 5} ${y(hi)}h10"/>`);
      }
      parts.push(`<text class="value" x="${round(x + barWidth / 2)}" y="${Math.max(y(point.ci ? point.ci[1] : point.value) - 4, 10)}" text-anchor="middle">${(point.value * 100).toFixed(1)}</text>`);
    });
    parts.push(`<text class="label" x="${round(groupX + groupWidth / 2)}" y="${top + plotHeight + 18}" text-anchor="middle">${escapeXml(metric)}</text>`);
  });
  if (series.length > 1) {
    series.forEach((s, k) => {
      const x = left + k * 160;
      parts.push(`<rect class="series-${k % 4}" x="${x}" y="${height - 16}" width="10" height="10"/><text class="label" x="${x + 14}" y="${height - 7}">${escapeXml(s.name)}</text>`);
    });
  }
  parts.push('</svg>');
  return parts.join('');
}

/** 2x2 confusion matrix, cells shaded by their share of all pairs. */
export function confusionMatrixSvg(counts: { tp: number; fp: number; fn: number; tn: number }, title: string): string {
  const total = counts.tp + counts.fp + counts.fn + counts.tn;
  const cell = 96;
  const left = 110;
  const top = 40;
  const parts = [svgOpen(left + 2 * cell + 10, top + 2 * cell + 10, title)];
  parts.push(`<text class="label" x="${left + cell}" y="14" text-anchor="middle">predicted</text>`);
  parts.push(`<text class="label" x="${left + cell / 2}" y="32" text-anchor="middle">True</text><text class="label" x="${left + 1.5 * cell}" y="32" text-anchor="middle">False</text>`);
  parts.push(`<text class="label" x="${left - 8}" y="${top + cell / 2 + 4}" text-anchor="end">gold True</text><text class="label" x="${left - 8}" y="${top + 1.5 * cell + 4}" text-anchor="end">gold False</text>`);
  const cells: [name: string, count: number, row: number, col: number, correct: boolean][] = [
    ['TP', counts.tp, 0, 0, true],
    ['FN', counts.fn, 0, 1, false],
    ['FP', counts.fp, 1, 0, false],
    ['TN', counts.tn, 1, 1, true],
  ];
  for (const [name, count, row, col, correct] of cells) {
    const x = left + col * cell;
    const yTop = top + row * cell;
    const share = total === 0 ? 0 : count / total;
    parts.push(`<rect class="${correct ? 'cell-right' : 'cell-wrong'}" x="${x}" y="${yTop}" width="${cell - 4}" height="${cell - 4}" fill-opacity="${round(0.15 + 0.85 * share)}"/>`);
    parts.push(`<text class="cell-count" x="${x + cell / 2 - 2}" y="${yTop + cell / 2}" text-anchor="middle">${count}</text>`);
    parts.push(`<text class="cell-name" x="${x + cell / 2 - 2}" y="${yTop + cell / 2 + 18}" text-anchor="middle">${name}</text>`);
  }
  parts.push('</svg>');
  return parts.join('');
}

export interface Segment {
  label: string;
  value: number;
}

/** One horizontal bar split into segments (e.g. evidence match types), with a legend below. */
export function stackedBarSvg(segments: readonly Segment[], title: string): string {
  const width = 640;
  const barWidth = width - 20;
  const total = segments.reduce((sum, s) => sum + s.value, 0);
  const parts = [svgOpen(width, 70, title)];
  let x = 10;
  segments.forEach((segment, k) => {
    const w = total === 0 ? 0 : (barWidth * segment.value) / total;
    if (w > 0) parts.push(`<rect class="series-${k % 4}" x="${round(x)}" y="8" width="${round(w)}" height="26"><title>${escapeXml(`${segment.label}: ${segment.value}`)}</title></rect>`);
    x += w;
    const legendX = 10 + k * 150;
    parts.push(`<rect class="series-${k % 4}" x="${legendX}" y="46" width="10" height="10"/><text class="label" x="${legendX + 14}" y="55">${escapeXml(`${segment.label} ${segment.value}`)}</text>`);
  });
  if (total === 0) parts.push(`<rect class="grid-fill" x="10" y="8" width="${barWidth}" height="26"/>`);
  parts.push('</svg>');
  return parts.join('');
}

export interface LabeledValue {
  label: string;
  value: number;
  note: string;
}

/** Horizontal 0-100% bars, one row per group (e.g. F1 by ICD chapter). */
export function horizontalBarsSvg(rows: readonly LabeledValue[], title: string): string {
  const rowHeight = 22;
  const labelWidth = 300;
  const barMax = 260;
  const width = labelWidth + barMax + 90;
  const parts = [svgOpen(width, rows.length * rowHeight + 8, title)];
  rows.forEach((row, i) => {
    const y = 4 + i * rowHeight;
    const label = row.label.length > 46 ? `${row.label.slice(0, 45)}…` : row.label;
    parts.push(`<text class="label" x="${labelWidth - 8}" y="${y + 14}" text-anchor="end"><title>${escapeXml(row.label)}</title>${escapeXml(label)}</text>`);
    parts.push(`<rect class="grid-fill" x="${labelWidth}" y="${y + 3}" width="${barMax}" height="14"/>`);
    parts.push(`<rect class="series-0" x="${labelWidth}" y="${y + 3}" width="${round(barMax * Math.min(Math.max(row.value, 0), 1))}" height="14"/>`);
    parts.push(`<text class="value" x="${labelWidth + barMax + 6}" y="${y + 14}">${escapeXml(`${percent(row.value)} ${row.note}`)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

export interface DiffRow {
  label: string;
  diff: number;
  ci: Interval;
}

/** Forest plot of paired differences (A - B) with their intervals around a zero line. */
export function differenceSvg(rows: readonly DiffRow[], title: string): string {
  const rowHeight = 28;
  const left = 140;
  const plotWidth = 420;
  const width = left + plotWidth + 20;
  const height = rows.length * rowHeight + 30;
  const extent = Math.max(0.05, ...rows.flatMap((row) => [Math.abs(row.ci[0]), Math.abs(row.ci[1]), Math.abs(row.diff)]));
  const x = (value: number) => round(left + plotWidth * (0.5 + value / (2 * extent)));
  const parts = [svgOpen(width, height, title)];
  parts.push(`<line class="zero" x1="${x(0)}" x2="${x(0)}" y1="4" y2="${height - 22}"/>`);
  for (const tick of [-extent, 0, extent]) {
    parts.push(`<text class="axis" x="${x(tick)}" y="${height - 6}" text-anchor="middle">${tick > 0 ? '+' : ''}${(tick * 100).toFixed(1)}</text>`);
  }
  rows.forEach((row, i) => {
    const y = 4 + i * rowHeight + rowHeight / 2;
    parts.push(`<text class="label" x="${left - 8}" y="${y + 4}" text-anchor="end">${escapeXml(row.label)}</text>`);
    parts.push(`<path class="whisker" d="M${x(row.ci[0])} ${y}H${x(row.ci[1])}M${x(row.ci[0])} ${y - 5}v10M${x(row.ci[1])} ${y - 5}v10"/>`);
    parts.push(`<circle class="series-0" cx="${x(row.diff)}" cy="${y}" r="5"><title>${escapeXml(`${row.label}: ${(row.diff * 100).toFixed(1)} points [${(row.ci[0] * 100).toFixed(1)}, ${(row.ci[1] * 100).toFixed(1)}]`)}</title></circle>`);
  });
  parts.push('</svg>');
  return parts.join('');
}
