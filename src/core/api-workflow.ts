/**
 * The contract calls of the researcher's workflow (issue 13): many-run comparison, run rename and
 * delete, prompt presets and experiments, the prompt a model saw and how its output was parsed, and
 * the CLI's file-writing commands (export, report, predictions import) with server-side path checks.
 * Kept apart from api.ts so that file stays the wiring; every function here takes an open database.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { failure, type CallHandlers, type CallResponse } from '../shared/contract';
import { CodePointIndex } from '../shared/code-points';
import { recordAudit, statFile } from './audit';
import { importPredictions } from './data/predictions-import';
import { sha256Hex } from './data/input-file';
import { builtInPromptTemplate, promptHash, renderPrompt } from './engine/prompt';
import { findPreset, PRESET_PREFIX, promptPresets } from './engine/prompts/presets';
import { checkPromptText, PLACEHOLDERS } from './engine/prompts/validate';
import { deleteRun, renameRun } from './engine/run-lifecycle';
import { getRun, listRuns, type RunRecord } from './engine/runs';
import { promptOfRun, summariseRun } from './engine/run-summary';
import { buildReport, renderReportMarkdown, type ReportFormat } from './export/report';
import { renderReportHtml } from './export/report-html';
import { exportSubmission, SUBMISSION_WARNING } from './export/submission';
import { writeFileAtomic } from './export/output-file';
import { checkUserPath, requireUserPath } from './path-check';
import { compareManyRuns } from './scoring/compare';
import { computeMetrics } from './scoring/metrics';
import { scoredPairsOfRun } from './scoring/score-run';
import type { Db } from './store/database';

/** The template text a run's model saw, when it can be known exactly. */
function promptTextOfRun(run: RunRecord): { text: string | null; note: string | null } {
  if (run.backend === 'external') return { text: null, note: 'imported predictions: the prompt (if any) was not made here' };
  if (run.backend === 'baseline') return { text: null, note: 'the lexical baseline reads the note directly; it has no prompt' };
  const recorded = run.manifest.prompt as { text?: string; hash?: string } | undefined;
  if (typeof recorded?.text === 'string') return { text: recorded.text, note: null };
  const file = run.settings.promptFile;
  if (file === null) return { text: builtInPromptTemplate().text, note: null };
  if (file.startsWith(PRESET_PREFIX)) {
    const preset = findPreset(file.slice(PRESET_PREFIX.length));
    return preset ? { text: preset.text, note: null } : { text: null, note: `the run used preset "${file.slice(PRESET_PREFIX.length)}", which this version does not have` };
  }
  try {
    const text = fs.readFileSync(file, 'utf8');
    const hash = recorded?.hash;
    if (hash && promptHash(text) !== hash) return { text: null, note: `the template file ${file} changed since the run; its text then is not stored` };
    return { text, note: null };
  } catch {
    return { text: null, note: `the template file ${file} is gone` };
  }
}

type OutputParse = CallResponse<'getPairPrompt'>['outputs'][number]['parse'];

/**
 * Finds the top-level JSON objects in a model's raw output (braces balanced outside strings). An
 * output with two objects is reported as such: the answer parser takes the whole text, so it was
 * invalid, and no object was silently preferred or merged.
 */
export function parseRawOutput(raw: string, status: 'ok' | 'invalid', rawLabel: string | null): OutputParse {
  if (raw.trim() === '') return { kind: 'empty', objects: [], used: null, message: 'the model produced no output' };
  const objects: OutputParse['objects'] = [];
  const units = Array.from(raw);
  let depth = 0;
  let start = -1;
  let inString = false;
  let escaped = false;
  for (let i = 0; i < units.length; i++) {
    const ch = units[i]!;
    if (inString) {
      if (escaped) escaped = false;
      else if (ch === '\\') escaped = true;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"' && depth > 0) inString = true;
    else if (ch === '{') {
      if (depth === 0) start = i;
      depth++;
    } else if (ch === '}' && depth > 0) {
      depth--;
      if (depth === 0) {
        const text = units.slice(start, i + 1).join('');
        let valid = true;
        try {
          JSON.parse(text);
        } catch {
          valid = false;
        }
        // Code point offsets, like every offset in the contract.
        objects.push({ start, end: i + 1, text, valid });
      }
    }
  }
  const labelOf = (text: string): unknown => {
    try {
      return (JSON.parse(text) as { label?: unknown }).label;
    } catch {
      return undefined;
    }
  };
  const used = status === 'ok' ? objects.findIndex((o) => o.valid && labelOf(o.text) === rawLabel) : -1;
  if (objects.length === 0) return { kind: 'no-json', objects, used: null, message: `no JSON object in the output; the answer is ${status}` };
  if (objects.length === 1) {
    const whole = objects[0]!.text.length === raw.trim().length;
    return {
      kind: 'json',
      objects,
      used: used >= 0 ? used : null,
      message: status === 'ok' ? (whole ? 'one JSON object: the answer' : 'one JSON object inside other text: the answer') : `one JSON object, rejected: the answer is invalid`,
    };
  }
  return {
    kind: 'multiple-json',
    objects,
    used: used >= 0 ? used : null,
    message:
      used >= 0
        ? `${objects.length} JSON objects in the output; the answer came from object ${used + 1} only`
        : `${objects.length} JSON objects in the output; none was taken as the answer (the pair is ${status}), and they are not merged`,
  };
}

function pairPrompt(db: Db, pairId: number, runName: string): CallResponse<'getPairPrompt'> | ReturnType<typeof failure> {
  const run = getRun(db, runName);
  const pair = db
    .prepare('SELECT p.id, p.code, p.desc, p.note_id AS noteKey, p.dataset_id AS datasetId FROM pairs p WHERE p.id = ?')
    .get(pairId) as { id: number; code: string; desc: string; noteKey: number; datasetId: number } | undefined;
  if (!pair) return failure('not-found', `no pair with id ${pairId} in this database`);
  if (pair.datasetId !== run.datasetId) return failure('not-found', `pair ${pairId} is not in run "${run.name}"'s dataset ${run.dataset}`);
  const template = promptTextOfRun(run);
  let text: string | null = null;
  if (template.text !== null) {
    const note = (db.prepare('SELECT text FROM notes WHERE id = ?').get(pair.noteKey) as { text: string }).text;
    const index = new CodePointIndex(note);
    const sentences = (db.prepare('SELECT sentence_id AS id, span_start AS start, span_end AS end FROM sentences WHERE note_id = ? ORDER BY sentence_id').all(pair.noteKey) as { id: number; start: number; end: number }[]).map((s) => ({
      id: s.id,
      text: index.slice(s.start, s.end),
    }));
    const rendered = renderPrompt(template.text, sentences, { code: pair.code, desc: pair.desc }, run.settings.labels);
    text = rendered.prefix + rendered.suffix;
  }
  const prediction = db.prepare('SELECT id, status, raw_label AS rawLabel, raw_output AS rawOutput FROM predictions WHERE run_id = ? AND pair_id = ?').get(run.id, pairId) as
    | { id: number; status: 'ok' | 'invalid'; rawLabel: string | null; rawOutput: string | null }
    | undefined;
  const outputs: CallResponse<'getPairPrompt'>['outputs'] = [];
  if (prediction) {
    const samples = db.prepare('SELECT sample_index AS sampleIndex, status, raw_label AS rawLabel, raw_output AS rawOutput FROM prediction_samples WHERE prediction_id = ? ORDER BY sample_index').all(prediction.id) as {
      sampleIndex: number;
      status: 'ok' | 'invalid';
      rawLabel: string | null;
      rawOutput: string | null;
    }[];
    const external = run.backend === 'external';
    const parseOf = (raw: string, status: 'ok' | 'invalid', rawLabel: string | null): OutputParse =>
      external ? { kind: 'imported', objects: [], used: null, message: 'imported from a predictions file: the row as read' } : parseRawOutput(raw, status, rawLabel);
    if (samples.length === 0) outputs.push({ sampleIndex: null, rawOutput: prediction.rawOutput ?? '', parse: parseOf(prediction.rawOutput ?? '', prediction.status, prediction.rawLabel) });
    for (const s of samples) outputs.push({ sampleIndex: s.sampleIndex, rawOutput: s.rawOutput ?? '', parse: parseOf(s.rawOutput ?? '', s.status, s.rawLabel) });
  }
  const recorded = promptOfRun(run);
  return {
    run: run.name,
    pairId,
    backend: run.backend,
    prompt: { name: recorded?.name ?? null, hash: recorded?.hash ?? null, text, note: template.note },
    outputs,
  };
}

/** Settings that make two runs "the same experiment" except for the prompt. */
function experimentKey(run: RunRecord): { key: string; settings: Record<string, unknown> } {
  const { promptFile: _prompt, ...rest } = run.settings as unknown as Record<string, unknown>;
  // The plan's size too: runs over different pairs are not one experiment even with equal settings.
  const settings = { dataset: run.dataset, backend: run.backend, planned: run.planned, ...rest };
  const sorted = Object.fromEntries(Object.entries(settings).sort(([a], [b]) => a.localeCompare(b)));
  return { key: JSON.stringify(sorted), settings: sorted };
}

function promptExperiments(db: Db, dataset: string | undefined): CallResponse<'promptExperiments'> {
  const runs = listRuns(db).filter((run) => run.backend !== 'external' && run.backend !== 'baseline' && (dataset === undefined || run.dataset === dataset));
  const groups = new Map<string, { settings: Record<string, unknown>; dataset: string; runs: RunRecord[] }>();
  for (const run of runs) {
    const { key, settings } = experimentKey(run);
    const group = groups.get(key) ?? { settings, dataset: run.dataset, runs: [] };
    group.runs.push(run);
    groups.set(key, group);
  }
  return {
    groups: [...groups.values()]
      .filter((group) => new Set(group.runs.map((run) => promptOfRun(run)?.hash ?? promptOfRun(run)?.name)).size > 1)
      .map((group) => ({
        dataset: group.dataset,
        settings: group.settings,
        runs: group.runs.map((run) => {
          // Status and warnings exactly as every other view of a run shows them.
          const summary = summariseRun(db, run);
          return {
            run: run.name,
            prompt: summary.prompt?.name ?? 'default',
            promptHash: summary.prompt?.hash ?? null,
            status: summary.status,
            n: run.done,
            planned: run.planned,
            metrics: computeMetrics(scoredPairsOfRun(db, run.id)),
            warnings: summary.warnings,
          };
        }),
      })),
  };
}

const FORMAT_BY_EXTENSION: Record<string, ReportFormat> = { '.html': 'html', '.htm': 'html', '.md': 'md', '.markdown': 'md', '.json': 'json' };

/** A UI-edited template, stored once by content under userData so a resumed run reads the same text. */
export function storePromptText(userDataDir: string, text: string): string {
  const folder = path.join(userDataDir, 'prompts');
  fs.mkdirSync(folder, { recursive: true });
  const file = path.join(folder, `prompt-${crypto.createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 16)}.txt`);
  if (!fs.existsSync(file)) writeFileAtomic(file, text);
  return file;
}

type WorkflowCalls =
  | 'compareMany'
  | 'renameRun'
  | 'deleteRun'
  | 'listPromptPresets'
  | 'validatePrompt'
  | 'promptExperiments'
  | 'getPairPrompt'
  | 'exportSubmission'
  | 'writeReport'
  | 'importPredictions'
  | 'checkPath';

export function workflowHandlers(db: Db, options: { activeRun: () => string | null }): Pick<CallHandlers, WorkflowCalls> {
  const notActive = (name: string) => {
    if (options.activeRun() === name) return failure('busy', `run "${name}" is running; cancel it first`, { action: 'wait-for-run', run: name });
    return null;
  };
  return {
    compareMany: ({ runs, resamples, filter }) => compareManyRuns(db, runs, { resamples: resamples ?? 10_000, ...(filter ? { filter } : {}) }),
    renameRun: ({ name, newName }) => notActive(name) ?? { run: renameRun(db, name, newName).name },
    deleteRun: ({ name }) => notActive(name) ?? deleteRun(db, name),
    listPromptPresets: () => ({
      presets: promptPresets().map((preset) => ({ ...preset, hash: promptHash(preset.text), placeholders: checkPromptText(preset.text).placeholders })),
      placeholders: PLACEHOLDERS.map((p) => ({ ...p })),
    }),
    validatePrompt: ({ text }) => checkPromptText(text),
    promptExperiments: ({ dataset }) => promptExperiments(db, dataset),
    getPairPrompt: ({ pairId, run }) => pairPrompt(db, pairId, run),
    exportSubmission: ({ run, path: target }) => {
      const out = requireUserPath(target, 'write-file');
      const result = exportSubmission(db, run, out);
      return { path: out, bytes: result.bytes, rows: result.rows, missing: result.missing, invalid: result.invalid, warning: SUBMISSION_WARNING };
    },
    writeReport: ({ run, path: target, compare, format, includeText, resamples }) => {
      const out = requireUserPath(target, 'write-file');
      const chosen = format ?? FORMAT_BY_EXTENSION[path.extname(out).toLowerCase()];
      if (!chosen) return failure('invalid-request', `cannot tell the report format from "${path.basename(out)}": choose HTML, Markdown or JSON, or end the name in .html, .md or .json`, { action: 'choose-other-path', path: out });
      const report = buildReport(db, run, { compare, includeText, resamples: resamples ?? 10_000 });
      const content = chosen === 'json' ? `${JSON.stringify(report, null, 2)}\n` : chosen === 'md' ? renderReportMarkdown(report) : renderReportHtml(report);
      writeFileAtomic(out, content);
      recordAudit(db, { kind: 'report', subject: report.run.name, outputs: [statFile('report', out, sha256Hex(content))], facts: { format: chosen, includesText: includeText === true, compare: compare ?? null } });
      return { path: out, format: chosen, bytes: Buffer.byteLength(content), includesText: report.includesText };
    },
    importPredictions: async ({ file, name, dataset, allPairs }) => {
      const source = requireUserPath(file, 'read-file');
      const report = await importPredictions(db, { file: source, name, ...(dataset ? { dataset } : {}), ...(allPairs ? { allPairs } : {}) });
      return { name: report.name, dataset: report.dataset, rows: report.rows, imported: report.imported, n: report.n, problems: report.problems };
    },
    checkPath: ({ path: input, purpose }) => checkUserPath(input, purpose),
  };
}

/** For api.ts's run list: the same run, by name, or a not-found CallError naming the runs there are. */
export function runOrNotFound(db: Db, name: string): RunRecord | ReturnType<typeof failure> {
  try {
    return getRun(db, name);
  } catch (error) {
    return failure('not-found', (error as Error).message);
  }
}
