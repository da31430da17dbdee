import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDataset } from '../../../src/core/data/import';
import { executeRun } from '../../../src/core/engine/runner';
import { createRun, savePrediction, type RunSettings } from '../../../src/core/engine/runs';
import { prepareNewRun } from '../../../src/core/engine/start-run';
import { buildReport, INCLUDES_TEXT_NOTICE, renderReportMarkdown, type Report } from '../../../src/core/export/report';
import { renderReportHtml } from '../../../src/core/export/report-html';
import { scoreRun } from '../../../src/core/scoring/score-run';
import { openStore, type Db } from '../../../src/core/store/database';
import { CodePointIndex } from '../../../src/shared/code-points';
import { tempDir } from '../../helpers/mimic-files';

const DEMO = path.resolve('resources/demo');
const BOOTSTRAP = { resamples: 400, seed: 5 };
let dir: string;
let db: Db;
/** Every sentence longer than 25 characters of every demo note in the database. */
let noteSentences: string[];
/** Every rationale the two runs stored. */
let rationales: string[];

const settings: RunSettings = {
  backend: 'baseline', modelId: null, strategy: 'note-major', votes: 1, seed: 42, labels: 'binary', limit: null, gpu: 'auto', gpuLayers: 'auto',
  contextSize: null, threads: null, batchSize: null, promptFile: null, temperature: null, maxTokens: null,
};

beforeAll(async () => {
  dir = tempDir('medbench-report-');
  db = openStore(path.join(dir, 'report.db'));
  await importDataset(db, { dataset: 'demo', annotations: path.join(DEMO, 'dataset_raw.csv'), notes: path.join(DEMO, 'discharge.csv.gz'), format: 'raw' });
  const { run, backend } = await prepareNewRun(db, { name: 'baseline', model: 'baseline', dataset: 'demo' });
  await executeRun(db, run, backend, {});
  // A second run that cites the first sentence of each note and quotes it in its rationale, as a model might.
  const datasetId = (db.prepare("SELECT id FROM datasets WHERE name = 'demo'").get() as { id: number }).id;
  const other = createRun(db, { name: 'quoter', datasetId, backend: 'external', settings, manifest: { source: 'test' } });
  const planned = db.prepare('SELECT p.id, p.gold, p.note_id AS noteId FROM run_pairs rp JOIN pairs p ON p.id = rp.pair_id WHERE rp.run_id = ? ORDER BY rp.position').all(other.id) as { id: number; gold: number; noteId: number }[];
  planned.forEach((pair, i) => {
    const [sentenceId, quote] = longestSentence(pair.noteId);
    savePrediction(db, other.id, pair.id, {
      status: 'ok', label: i % 4 === 0 ? pair.gold === 0 : pair.gold === 1, rawLabel: 'True', evidence: [sentenceId], rationale: `The note says: ${quote}`,
      rawOutput: `{"quote": ${JSON.stringify(quote)}}`, error: null, promptTokens: 1, reusedTokens: 0, generatedTokens: 1, ms: 1, windows: 1,
    }, []);
  });

  noteSentences = [];
  const descriptions = (db.prepare('SELECT DISTINCT desc FROM pairs').all() as { desc: string }[]).map((r) => r.desc);
  for (const note of db.prepare('SELECT id, text FROM notes').all() as { id: number; text: string }[]) {
    const index = new CodePointIndex(note.text);
    for (const s of db.prepare('SELECT span_start AS start, span_end AS end FROM sentences WHERE note_id = ?').all(note.id) as { start: number; end: number }[]) {
      const text = index.slice(s.start, s.end).trim();
      // A diagnosis line that is word for word an ICD description ("Paroxysmal atrial fibrillation") is
      // public ICD text the report may show; every other sentence must stay out.
      if (text.length > 25 && !descriptions.some((desc) => desc.includes(text))) noteSentences.push(text);
    }
  }
  rationales = (db.prepare("SELECT DISTINCT rationale FROM predictions WHERE rationale <> ''").all() as { rationale: string }[]).map((r) => r.rationale);
});
afterAll(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function longestSentence(noteId: number): [number, string] {
  const text = (db.prepare('SELECT text FROM notes WHERE id = ?').get(noteId) as { text: string }).text;
  const index = new CodePointIndex(text);
  const sentences = db.prepare('SELECT sentence_id AS id, span_start AS start, span_end AS end FROM sentences WHERE note_id = ?').all(noteId) as { id: number; start: number; end: number }[];
  const best = sentences.reduce((a, b) => (b.end - b.start > a.end - a.start ? b : a));
  return [best.id, index.slice(best.start, best.end)];
}

const htmlEscape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
/** The forms a text can take in the three outputs: as is, JSON-escaped, HTML-escaped, Markdown table cell. */
const variants = (text: string) => [text, JSON.stringify(text).slice(1, -1), htmlEscape(text), text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ')];
const leaks = (output: string, texts: readonly string[]) => texts.filter((text) => variants(text).some((form) => output.includes(form)));

function outputs(report: Report): Record<'json' | 'md' | 'html', string> {
  return { json: JSON.stringify(report, null, 2), md: renderReportMarkdown(report), html: renderReportHtml(report) };
}

/** Balanced tags: every non-void element that opens is closed, in order. */
function unbalancedTags(html: string): string[] {
  const voidElements = new Set(['meta', 'br', 'hr', 'img', 'input', 'link']);
  const stack: string[] = [];
  const problems: string[] = [];
  const body = html.replace(/<style>[\s\S]*?<\/style>/, '<style></style>');
  for (const match of body.matchAll(/<(\/?)([a-zA-Z][a-zA-Z0-9]*)\b[^>]*?(\/?)>/g)) {
    const [, closing, rawName, selfClosing] = match;
    const name = rawName!.toLowerCase();
    if (voidElements.has(name) || selfClosing) continue;
    if (!closing) stack.push(name);
    else if (stack.pop() !== name) problems.push(`unexpected </${name}>`);
  }
  return [...problems, ...stack.map((name) => `unclosed <${name}>`)];
}

describe('buildReport (DUA-safe by default)', () => {
  it('the test material is real: many note sentences, rationales quoting the notes', () => {
    expect(noteSentences.length).toBeGreaterThan(300);
    expect(rationales.length).toBeGreaterThan(20);
  });

  it('contains no note sentence and no rationale in any format', () => {
    const report = buildReport(db, 'quoter', { compare: 'baseline', ...BOOTSTRAP });
    expect(report.includesText).toBe(false);
    for (const [format, output] of Object.entries(outputs(report))) {
      expect(leaks(output, noteSentences), `${format} leaks note text`).toEqual([]);
      expect(leaks(output, rationales), `${format} leaks rationales`).toEqual([]);
      expect(output, format).not.toContain('The note says');
    }
    expect(report.pairs[0]).not.toHaveProperty('rationale');
    expect(report.pairs[0]).not.toHaveProperty('evidenceText');
  });

  it('includes rationales and evidence text with includeText, and says so at the top', () => {
    const report = buildReport(db, 'quoter', { includeText: true, ...BOOTSTRAP });
    const { json, md, html } = outputs(report);
    const [, quote] = longestSentence((db.prepare('SELECT note_id AS noteId FROM pairs ORDER BY source_row LIMIT 1').get() as { noteId: number }).noteId);
    expect(report.pairs[0]!.evidenceText).toEqual([quote]);
    expect(report.pairs[0]!.rationale).toBe(`The note says: ${quote}`);
    expect(json).toContain(JSON.stringify(quote).slice(1, -1));
    expect(md).toContain(quote.replace(/\r?\n/g, ' '));
    expect(html).toContain(htmlEscape(quote));
    expect(md.split('\n').slice(0, 4).join('\n')).toContain(INCLUDES_TEXT_NOTICE);
    expect(html.indexOf('class="banner text"')).toBeGreaterThan(0);
    expect(html.indexOf('class="banner text"')).toBeLessThan(html.indexOf('<h2>'));
    const baseline = outputs(buildReport(db, 'baseline', { includeText: true, ...BOOTSTRAP })).md;
    expect(leaks(baseline, rationales).length).toBeGreaterThan(0);
  });
});

describe('report formats', () => {
  it('JSON carries exactly scoreRun, and Markdown shows the same numbers', () => {
    const report = buildReport(db, 'baseline', BOOTSTRAP);
    const score = scoreRun(db, 'baseline', BOOTSTRAP);
    expect(JSON.parse(JSON.stringify(report)).score).toEqual(JSON.parse(JSON.stringify(score)));
    const md = renderReportMarkdown(report);
    const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
    expect(md).toContain(`| F1 | ${pct(score.f1!)} | [${pct(score.f1Ci[0])}, ${pct(score.f1Ci[1])}] |`);
    expect(md).toContain(`| precision | ${pct(score.precision!)} | [${pct(score.precisionCi[0])}, ${pct(score.precisionCi[1])}] |`);
    expect(md).toContain(`| recall | ${pct(score.recall!)} | [${pct(score.recallCi[0])}, ${pct(score.recallCi[1])}] |`);
    expect(md).toContain(`| evidence recall | ${pct(score.evidenceRecall!)} | [${pct(score.evidenceRecallCi![0])}, ${pct(score.evidenceRecallCi![1])}] |`);
    expect(md).toContain(`| gold True | TP ${score.tp} | FN ${score.fn} |`);
    expect(md).toContain(`| gold False | FP ${score.fp} | TN ${score.tn} |`);
    const m = score.matchTypes;
    expect(md).toContain(`| ${m.exact} | ${m.partial} | ${m.proximate} | ${m.none} |`);
    expect(report.breakdowns.kind.reduce((n, g) => n + g.metrics.n, 0)).toBe(score.n);
    expect(report.pairs).toHaveLength(score.n);
  });

  it('HTML is standalone: doctype, CSP, inline SVG charts, balanced tags, no URL at all', () => {
    const html = renderReportHtml(buildReport(db, 'quoter', { compare: 'baseline', ...BOOTSTRAP }));
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<meta http-equiv="Content-Security-Policy" content="default-src \'none\';');
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<script|<link|<img|@import|url\(/i);
    expect((html.match(/<svg /g) ?? []).length).toBeGreaterThanOrEqual(7);
    expect(unbalancedTags(html)).toEqual([]);
    expect(html).toContain('Comparison: “quoter” (A) vs “baseline” (B)');
  });

  it('adds the paired comparison when asked', () => {
    const report = buildReport(db, 'quoter', { compare: 'baseline', ...BOOTSTRAP });
    expect(report.comparison).toMatchObject({ runA: 'quoter', runB: 'baseline', n: report.score.n });
    expect(report.comparison!.disagreements.length).toBe(report.comparison!.b + report.comparison!.c);
    expect(renderReportMarkdown(report)).toContain(`b = ${report.comparison!.b} (A right, B wrong), c = ${report.comparison!.c}`);
  });
});
