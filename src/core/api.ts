import {
  failure,
  type CallError,
  type CallHandlers,
  type CallRequest,
  type CallResponse,
  type EventName,
  type EventPayload,
  type PairOutcome,
} from '../shared/contract';
import { DatasetNotFoundError, lastImportProblems, listDatasets, resolveDataset } from './data/datasets';
import { importDataset } from './data/import';
import { InputFileError } from './data/input-file';
import { describeBackends } from './engine/backends/registry';
import { getRun, listRuns, RunError } from './engine/runs';
import { contractRunSummary, summariseRun } from './engine/run-summary';
import { createRunManager, RunBusyError } from './run-manager';
import { codeKind, conceptGroupInfo } from './scoring/icd';
import { CompareError, compareTwoRuns } from './scoring/compare';
import { breakdown, evidenceMatchType } from './scoring/metrics';
import { scoredPairsOfRun, scoreRun } from './scoring/score-run';
import type { Db } from './store/database';
import { UserError } from './errors';
import { storePromptText, workflowHandlers } from './api-workflow';
import { PathCheckError, resolveUserPath } from './path-check';
import { withSmallN } from './scoring/trust';
import { assertPromptText, resolvePromptReference } from './engine/prompts/validate';
import { neutralError } from './ui-errors';
import { buildHandlers } from './build/api-handlers';
import { typedApiKeyEnv, withTypedApiKey } from './typed-api-key';

export type EventListener = <E extends EventName>(event: E, payload: EventPayload<E>) => void;

export interface CoreApi {
  handlers: CallHandlers;
  /** Every event of the core (run progress, run finished); returns the function that unsubscribes. */
  subscribe(listener: (event: EventName, payload: EventPayload<EventName>) => void): () => void;
  /** The run going in this process, if any. */
  activeRun(): string | null;
  /** Stops a run in progress and waits for it to release the database. Does not close the database. */
  dispose(): Promise<void>;
}

export interface CoreApiOptions {
  db: Db;
  dbPath: string;
  /** Where copied models would go; the UI registers models in place. */
  userDataDir: string;
}

/** Errors the user can act on: their message is the whole answer. */
const EXPECTED_ERRORS: { type: new (...args: never[]) => Error; kind: CallError['error']['kind'] }[] = [
  { type: DatasetNotFoundError, kind: 'not-found' },
  { type: InputFileError, kind: 'failed' },
  { type: RunError, kind: 'failed' },
  { type: RunBusyError, kind: 'busy' },
  { type: CompareError, kind: 'invalid-request' },
  { type: PathCheckError, kind: 'invalid-request' },
  { type: UserError, kind: 'failed' },
];

/**
 * The core's side of the UI contract: plain functions over an open database, so the Electron
 * main process and `medbench serve` run exactly the same code.
 */
export function createCoreApi({ db, dbPath, userDataDir }: CoreApiOptions): CoreApi {
  const listeners = new Set<(event: EventName, payload: EventPayload<EventName>) => void>();
  const emit: EventListener = (event, payload) => {
    for (const listener of listeners) listener(event, payload);
  };
  const runs = createRunManager(db, emit);

  const handlers: CallHandlers = {
    listDatasets: () => ({ dbPath, datasets: datasetSummaries(db) }),
    importDataset: async (request) => {
      const format = request.format;
      const report = await importDataset(db, {
        // Typed in a browser: ~ is the home folder, and so is the base of a relative path (core/path-check.ts).
        annotations: resolveUserPath(request.annotations),
        format,
        ...(request.notes ? { notes: resolveUserPath(request.notes) } : {}),
        ...(request.dataset ? { dataset: request.dataset } : {}),
      });
      return report;
    },
    listImportProblems: ({ dataset }) => ({ problems: lastImportProblems(db, resolveDataset(db, dataset).id) }),
    listPairs: (request) => pairRows(db, request),
    getPair: ({ pairId }) => pairDetail(db, pairId),
    listRuns: () => ({ runs: listRuns(db).map((run) => contractRunSummary(summariseRun(db, run))), active: runs.active() }),
    startRun: (request) =>
      runs.start({
        name: request.name,
        model: request.model,
        ...(request.dataset ? { dataset: request.dataset } : {}),
        ...(request.strategy ? { strategy: request.strategy } : {}),
        ...(request.votes ? { votes: request.votes } : {}),
        ...(request.limit ? { limit: request.limit } : {}),
        ...(request.seed !== undefined ? { seed: request.seed } : {}),
        ...(request.labels ? { labels: request.labels } : {}),
        ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
        ...(request.maxTokens !== undefined ? { maxTokens: request.maxTokens } : {}),
        ...promptOfRequest(request, userDataDir),
        ...(request.backend ? { backend: request.backend } : {}),
        ...withTypedApiKey(request.backendOptions, request.apiKey),
      }),
    listBackends: () => ({ backends: describeBackends() }),
    resumeRun: ({ name, apiKey }) => {
      if (!apiKey) return runs.resume(name);
      return runs.resume(name, typedApiKeyEnv(getRun(db, name).settings.backendOptions, apiKey));
    },
    cancelRun: ({ name }) => (runs.cancel(name) ? { cancelled: true } : failure('not-found', `run "${name}" is not running here, so there is nothing to cancel`)),
    scoreRun: ({ name, resamples }) => {
      const score = scoreRun(db, name, { resamples: resamples ?? 10_000 });
      const run = getRun(db, name);
      const pairs = scoredPairsOfRun(db, run.id);
      return { ...score, strategy: run.backend === 'external' ? null : run.settings.strategy, byChapter: withSmallN(breakdown(pairs, 'chapter')), byKind: withSmallN(breakdown(pairs, 'kind')) };
    },
    compareRuns: (request) => compareRuns(db, request),
    listModels: async () => {
      const { listModels } = await import('./models/registry');
      return { models: listModels(db) };
    },
    registerModel: async ({ path: file }) => {
      // node-llama-cpp loads only when a model is touched: the rest of the UI stays light.
      const { registerModel } = await import('./models/registry');
      return registerModel(db, resolveUserPath(file));
    },
    inspectModel: async ({ id }) => {
      const { getModelById } = await import('./models/registry');
      const { inspectGguf } = await import('./models/gguf');
      const model = getModelById(db, id);
      if (model.missing) return failure('not-found', `${model.fileName} is no longer at ${model.path}; register the file again from its new place`);
      return inspectGguf(model.path);
    },
    chooseFile: () => failure('unavailable', 'no file dialog here (the page runs in a browser tab): type a path instead'),
    ...workflowHandlers(db, { activeRun: () => runs.active()?.run ?? null }),
    // The build pipeline and the annotation workspace (issue 15).
    ...buildHandlers(db),
  };

  return {
    handlers: withExpectedErrors(handlers),
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    activeRun: () => runs.active()?.run ?? null,
    dispose: () => runs.dispose(),
  };
}

/**
 * The run form's prompt: an edited text is checked, then stored by content under userData (a resume
 * reads the same text); a preset name or a file path is checked and resolved as `--prompt` does.
 */
function promptOfRequest(request: CallRequest<'startRun'>, userDataDir: string): { promptFile?: string } {
  if (request.promptText !== undefined) {
    assertPromptText(request.promptText, 'the edited prompt');
    return { promptFile: resolvePromptReference(storePromptText(userDataDir, request.promptText)) };
  }
  return request.prompt !== undefined ? { promptFile: resolvePromptReference(request.prompt) } : {};
}

/** Known failures become CallErrors with the right kind; anything else is thrown on to the transport. */
function withExpectedErrors(handlers: CallHandlers): CallHandlers {
  const wrapped: Record<string, (request: unknown) => Promise<unknown>> = {};
  for (const [callName, handler] of Object.entries(handlers) as [string, (request: unknown) => unknown][]) {
    wrapped[callName] = async (request) => {
      try {
        return await handler(request);
      } catch (error) {
        const expected = EXPECTED_ERRORS.find(({ type }) => error instanceof type) ?? modelError(error);
        if (expected) {
          // The core's messages name CLI flags for the terminal; the UI gets the same fact without them.
          const neutral = neutralError((error as Error).message);
          return failure(/^no run named /.test(neutral.message) ? 'not-found' : expected.kind, neutral.message, neutral.hint);
        }
        throw error;
      }
    };
  }
  return wrapped as unknown as CallHandlers;
}

/** Model errors are matched by name so their modules (and node-llama-cpp) need not load up front. */
function modelError(error: unknown): { kind: CallError['error']['kind'] } | null {
  const name = (error as Error | undefined)?.constructor?.name;
  if (name === 'ModelNotFoundError') return { kind: 'not-found' };
  if (name === 'ModelFileError' || name === 'ComputeBackendError') return { kind: 'failed' };
  return null;
}

function datasetSummaries(db: Db): CallResponse<'listDatasets'>['datasets'] {
  const codes = db.prepare('SELECT d.name, p.code FROM pairs p JOIN datasets d ON d.id = p.dataset_id WHERE p.removed_at IS NULL').all() as { name: string; code: string }[];
  const kinds = new Map<string, { cm: number; pcs: number }>();
  for (const { name, code } of codes) {
    const counts = kinds.get(name) ?? { cm: 0, pcs: 0 };
    const kind = codeKind(code);
    if (kind === 'CM') counts.cm++;
    else if (kind === 'PCS') counts.pcs++;
    kinds.set(name, counts);
  }
  return listDatasets(db).map((dataset) => ({ ...dataset, ...(kinds.get(dataset.name) ?? { cm: 0, pcs: 0 }) }));
}

interface PredictionRow {
  status: 'ok' | 'invalid';
  label: number | null;
}

function outcomeOf(gold: boolean, prediction: PredictionRow | undefined): PairOutcome {
  if (!prediction) return 'missing';
  if (prediction.status === 'invalid') return 'invalid';
  if (gold) return prediction.label === 1 ? 'tp' : 'fn';
  return prediction.label === 1 ? 'fp' : 'tn';
}

function pairRows(db: Db, request: CallRequest<'listPairs'>): CallResponse<'listPairs'> {
  const dataset = resolveDataset(db, request.dataset);
  const rows = db
    .prepare(
      `SELECT p.id AS pairId, p.task_id AS taskId, p.code, p.desc, p.gold,
         (SELECT count(*) FROM gold_sentences g WHERE g.pair_id = p.id) AS goldSentences
       FROM pairs p WHERE p.dataset_id = ? AND p.removed_at IS NULL ORDER BY p.source_row, p.id`,
    )
    .all(dataset.id) as { pairId: number; taskId: string; code: string; desc: string; gold: number; goldSentences: number }[];

  let planned: Map<number, PredictionRow | undefined> | null = null;
  // Share of each pair's gold sentences the run cited (answered pairs with gold evidence only).
  const recallOf = new Map<number, number>();
  if (request.run) {
    const run = getRun(db, request.run);
    if (run.datasetId !== dataset.id) throw new RunError(`run "${run.name}" was made on dataset "${run.dataset}", not "${dataset.name}"`);
    planned = new Map();
    const predictions = db
      .prepare(
        `SELECT rp.pair_id AS pairId, pr.status, pr.label FROM run_pairs rp
         LEFT JOIN predictions pr ON pr.run_id = rp.run_id AND pr.pair_id = rp.pair_id WHERE rp.run_id = ?`,
      )
      .all(run.id) as { pairId: number; status: 'ok' | 'invalid' | null; label: number | null }[];
    for (const p of predictions) planned.set(p.pairId, p.status ? { status: p.status, label: p.label } : undefined);
    const cited = db
      .prepare(
        `SELECT pr.pair_id AS pairId, pr.status, pr.evidence_json AS evidenceJson, json_group_array(g.sentence_id) AS goldJson
         FROM predictions pr JOIN gold_sentences g ON g.pair_id = pr.pair_id WHERE pr.run_id = ? GROUP BY pr.pair_id`,
      )
      .all(run.id) as { pairId: number; status: 'ok' | 'invalid'; evidenceJson: string; goldJson: string }[];
    for (const c of cited) {
      // Invalid answers count as citing nothing, as in the official scoring.
      const evidence = new Set(c.status === 'ok' ? parseIds(c.evidenceJson) : []);
      const gold = parseIds(c.goldJson);
      recallOf.set(c.pairId, gold.filter((id) => evidence.has(id)).length / gold.length);
    }
  }

  const chapterOrder = new Map<string, number>();
  const all = rows.map((row) => {
    const group = conceptGroupInfo(row.code);
    chapterOrder.set(group.label, group.order);
    const gold = row.gold === 1;
    return {
      pairId: row.pairId,
      taskId: row.taskId,
      code: row.code,
      desc: row.desc,
      gold,
      kind: codeKind(row.code),
      chapter: group.label,
      goldSentences: row.goldSentences,
      outcome: planned && planned.has(row.pairId) ? outcomeOf(gold, planned.get(row.pairId)) : null,
      evidenceRecall: recallOf.get(row.pairId) ?? null,
    };
  });

  const search = request.search?.trim().toLowerCase();
  const wanted = outcomeFilter(request.outcome);
  const pairs = all.filter(
    (row) =>
      (request.gold === undefined || row.gold === request.gold) &&
      (request.kind === undefined || row.kind === request.kind) &&
      (request.chapter === undefined || row.chapter === request.chapter) &&
      (!search || row.taskId.toLowerCase().includes(search) || row.code.toLowerCase().includes(search) || row.desc.toLowerCase().includes(search)) &&
      (!wanted || (row.outcome !== null && wanted.has(row.outcome))) &&
      (!request.evidenceMissed || row.evidenceRecall === 0),
  );
  const chapters = [...chapterOrder.entries()].sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0])).map(([label]) => label);
  return { total: all.length, chapters, pairs };
}

function outcomeFilter(outcome: CallRequest<'listPairs'>['outcome']): Set<PairOutcome> | null {
  if (!outcome) return null;
  if (outcome === 'correct') return new Set(['tp', 'tn']);
  if (outcome === 'wrong') return new Set(['fp', 'fn']);
  return new Set([outcome]);
}

function pairDetail(db: Db, pairId: number): CallResponse<'getPair'> {
  const pair = db
    .prepare(
      `SELECT p.id, p.task_id AS taskId, p.code, p.desc, p.gold, p.reasoning_summary AS reasoningSummary, p.note_id AS noteKey,
         d.name AS dataset, p.dataset_id AS datasetId, coalesce(a.note_id, n.note_id) AS noteId, n.text
       FROM pairs p JOIN datasets d ON d.id = p.dataset_id JOIN notes n ON n.id = p.note_id
       LEFT JOIN admission_notes a ON a.id = p.admission_note_id WHERE p.id = ?`,
    )
    .get(pairId) as
    | { id: number; taskId: string; code: string; desc: string; gold: number; reasoningSummary: string; noteKey: number; dataset: string; datasetId: number; noteId: string | null; text: string }
    | undefined;
  if (!pair) throw new DatasetNotFoundError(`no pair with id ${pairId} in this database (it may come from another database: reload the pairs list)`);
  const sentences = db.prepare('SELECT sentence_id AS id, span_start AS start, span_end AS end FROM sentences WHERE note_id = ? ORDER BY sentence_id').all(pair.noteKey) as {
    id: number;
    start: number;
    end: number;
  }[];
  const goldSpans = db.prepare('SELECT span_start AS start, span_end AS end, text FROM gold_spans WHERE pair_id = ? ORDER BY seq').all(pairId) as { start: number; end: number; text: string }[];
  const goldSentences = (db.prepare('SELECT sentence_id AS id FROM gold_sentences WHERE pair_id = ? ORDER BY sentence_id').all(pairId) as { id: number }[]).map((r) => r.id);
  const gold = pair.gold === 1;

  const predictionRows = db
    .prepare(
      `SELECT pr.id, r.name AS run, r.backend, m.file_name AS model, pr.status, pr.label, pr.raw_label AS rawLabel, pr.evidence_json AS evidenceJson,
         pr.rationale, pr.raw_output AS rawOutput, pr.error, pr.ms
       FROM predictions pr JOIN runs r ON r.id = pr.run_id LEFT JOIN models m ON m.id = r.model_id
       WHERE pr.pair_id = ? ORDER BY r.id`,
    )
    .all(pairId) as {
    id: number;
    run: string;
    backend: string;
    model: string | null;
    status: 'ok' | 'invalid';
    label: number | null;
    rawLabel: string | null;
    evidenceJson: string;
    rationale: string | null;
    rawOutput: string | null;
    error: string | null;
    ms: number | null;
  }[];
  const sampleRows = db.prepare(
    `SELECT sample_index AS sampleIndex, seed, status, label, raw_label AS rawLabel, evidence_json AS evidenceJson, rationale, raw_output AS rawOutput, error
     FROM prediction_samples WHERE prediction_id = ? ORDER BY sample_index`,
  );
  const predictions = predictionRows.map((row) => {
    const evidence = parseIds(row.evidenceJson);
    const effectiveEvidence = row.status === 'ok' ? evidence : [];
    const goldSet = new Set(goldSentences);
    const samples = (sampleRows.all(row.id) as { sampleIndex: number; seed: number; status: 'ok' | 'invalid'; label: number | null; rawLabel: string | null; evidenceJson: string; rationale: string | null; rawOutput: string | null; error: string | null }[]).map(
      (s) => ({ sampleIndex: s.sampleIndex, seed: s.seed, status: s.status, label: s.label === null ? null : s.label === 1, rawLabel: s.rawLabel, evidence: parseIds(s.evidenceJson), rationale: s.rationale ?? '', rawOutput: s.rawOutput ?? '', error: s.error }),
    );
    return {
      run: row.run,
      backend: row.backend,
      model: row.model,
      status: row.status,
      label: row.label === null ? null : row.label === 1,
      rawLabel: row.rawLabel,
      evidence,
      rationale: row.rationale ?? '',
      rawOutput: row.rawOutput ?? '',
      error: row.error,
      outcome: outcomeOf(gold, row),
      matchType: evidenceMatchType(goldSentences, effectiveEvidence),
      evidenceRecall: goldSet.size === 0 ? null : effectiveEvidence.filter((id) => goldSet.has(id)).length / goldSet.size,
      ms: row.backend === 'external' ? null : (row.ms ?? 0),
      samples,
    };
  });
  const pendingRuns = (
    db
      .prepare(
        `SELECT r.name FROM run_pairs rp JOIN runs r ON r.id = rp.run_id
         WHERE rp.pair_id = ? AND NOT EXISTS (SELECT 1 FROM predictions pr WHERE pr.run_id = rp.run_id AND pr.pair_id = rp.pair_id) ORDER BY r.id`,
      )
      .all(pairId) as { name: string }[]
  ).map((r) => r.name);

  return {
    pairId: pair.id,
    dataset: pair.dataset,
    taskId: pair.taskId,
    code: pair.code,
    desc: pair.desc,
    gold,
    kind: codeKind(pair.code),
    chapter: conceptGroupInfo(pair.code).label,
    reasoningSummary: pair.reasoningSummary,
    note: { noteId: pair.noteId ?? pair.taskId, text: pair.text, sentences },
    goldSpans,
    goldSentences,
    predictions,
    pendingRuns,
  };
}

function parseIds(json: string | null): number[] {
  if (!json) return [];
  const value: unknown = JSON.parse(json);
  return Array.isArray(value) ? value.filter((id): id is number => Number.isInteger(id)) : [];
}

/** Two runs over the pairs both planned (core/scoring/compare), with the disagreeing pairs linkable by id. */
function compareRuns(db: Db, request: CallRequest<'compareRuns'>): CallResponse<'compareRuns'> {
  const comparison = compareTwoRuns(db, request.a, request.b, { resamples: request.resamples ?? 10_000 });
  const dataset = resolveDataset(db, comparison.dataset);
  const pairIds = new Map(
    (db.prepare('SELECT id, task_id AS taskId, code FROM pairs WHERE dataset_id = ?').all(dataset.id) as { id: number; taskId: string; code: string }[]).map((p) => [`${p.taskId}|${p.code}`, p.id]),
  );
  const outcome = (gold: boolean, view: { status: 'ok' | 'invalid' | 'missing'; label: boolean | null }): PairOutcome =>
    view.status === 'ok' ? outcomeOf(gold, { status: 'ok', label: view.label ? 1 : 0 }) : view.status;
  return {
    a: comparison.runA,
    b: comparison.runB,
    n: comparison.n,
    onlyA: comparison.onlyA,
    onlyB: comparison.onlyB,
    metricsA: comparison.metricsA,
    metricsB: comparison.metricsB,
    diff: { precision: comparison.precisionDiff, recall: comparison.recallDiff, f1: comparison.f1Diff, evidenceRecall: comparison.evidenceRecallDiff },
    mcnemar: { bothCorrect: comparison.bothCorrect, onlyACorrect: comparison.b, onlyBCorrect: comparison.c, bothWrong: comparison.bothWrong, p: comparison.mcnemarP },
    disagreements: comparison.disagreements.map((d) => ({
      pairId: pairIds.get(`${d.taskId}|${d.code}`)!,
      taskId: d.taskId,
      code: d.code,
      desc: d.desc,
      gold: d.gold,
      outcomeA: outcome(d.gold, d.a),
      outcomeB: outcome(d.gold, d.b),
    })),
    plannedA: comparison.plannedA,
    plannedB: comparison.plannedB,
    evidenceJaccard: comparison.evidenceJaccard,
    warnings: comparison.warnings,
  };
}
