/**
 * The run planner (`medbench plan`): what a run with these options will cost on this machine, before it starts.
 * Prompt tokens are counted exactly with the model's own tokenizer and chat template (windows and note-major reuse
 * included, token-count.ts); speed comes from a short calibration: a few real answers of the plan's first notes,
 * fitted as ms = promptMs x promptTokens + answerMs (least squares over answers with different prompt lengths).
 * Predicted wall time = start-up (measured) + promptMs x prompt tokens + answerMs x answers (x retries seen).
 */
import { resolveDataset } from '../../data/datasets';
import { UserError } from '../../errors';
import { resolveModel } from '../../models/registry';
import type { Db } from '../../store/database';
import type { EngineNote, InferenceBackend, SampleResult } from '../backend';
import { isGgufBackend, type GgufBackend } from '../backends/gguf/backend';
import type { GgufOptions } from '../backends/gguf-registration';
import { parseOptions } from '../backends/registry';
import { toEngineNote } from '../runner';
import { getRun, pendingNotes, updateManifest, type PendingNote, type RunRecord } from '../runs';
import { backendOfRequest, runSettingsFor, type NewRunRequest } from '../start-run';
import { countPlanTokens } from './token-count';

/** Answers the calibration makes (each a real, greedy answer of the plan's first pairs; nothing is stored). */
export const CALIBRATION_ANSWERS = 3;

export interface RunPlan {
  backend: 'gguf';
  model: { id: number; fileName: string; sizeBytes: number };
  strategy: 'note-major' | 'naive';
  votes: number;
  labels: string;
  notes: number;
  pairs: number;
  windows: number;
  answers: number;
  promptTokens: number;
  reusedTokens: number;
  generatedTokens: number;
  predictedSeconds: number;
  startupSeconds: number;
  calibration: {
    answers: number;
    seconds: number;
    promptTokensPerSecond: number | null;
    secondsPerAnswer: number;
    generatedTokensPerAnswer: number;
    invalidFraction: number;
  };
  memory: { ramBytes: number; vramBytes: number };
  settings: Record<string, unknown>;
}

export type PlanRequest = Omit<NewRunRequest, 'name' | 'secretEnv'>;

function planNotes(db: Db, datasetId: number, limit: number | null, pairIds?: readonly number[]): PendingNote[] {
  const ids =
    pairIds ??
    (
      db
        .prepare(`SELECT id FROM pairs WHERE dataset_id = ? AND removed_at IS NULL ORDER BY source_row, id ${limit !== null ? 'LIMIT ?' : ''}`)
        .all(...(limit !== null ? [datasetId, limit] : [datasetId])) as { id: number }[]
    ).map((row) => row.id);
  const pair = db.prepare('SELECT id AS pairId, code, desc, note_id AS noteId FROM pairs WHERE id = ?');
  const noteText = db.prepare('SELECT text FROM notes WHERE id = ?');
  const noteSentences = db.prepare('SELECT sentence_id AS id, span_start AS start, span_end AS end FROM sentences WHERE note_id = ? ORDER BY sentence_id');
  // The runner groups a plan's pairs by note in order of first appearance, as here.
  const notes = new Map<number, PendingNote>();
  for (const id of ids) {
    const row = pair.get(id) as { pairId: number; code: string; desc: string; noteId: number };
    let note = notes.get(row.noteId);
    if (!note) {
      note = { noteKey: row.noteId, text: (noteText.get(row.noteId) as { text: string }).text, sentences: noteSentences.all(row.noteId) as PendingNote['sentences'], pairs: [] };
      notes.set(row.noteId, note);
    }
    note.pairs.push({ pairId: row.pairId, code: row.code, desc: row.desc });
  }
  return [...notes.values()];
}

/** Least-squares fit of ms = a x promptTokens + b over the calibration answers (a, b >= 0). */
export function fitSpeed(points: readonly { promptTokens: number; ms: number }[]): { msPerPromptToken: number; msPerAnswer: number } {
  const n = points.length;
  const meanX = points.reduce((sum, point) => sum + point.promptTokens, 0) / n;
  const meanY = points.reduce((sum, point) => sum + point.ms, 0) / n;
  const sxx = points.reduce((sum, point) => sum + (point.promptTokens - meanX) ** 2, 0);
  const sxy = points.reduce((sum, point) => sum + (point.promptTokens - meanX) * (point.ms - meanY), 0);
  if (sxx === 0) return { msPerPromptToken: 0, msPerAnswer: meanY };
  const slope = Math.max(0, sxy / sxx);
  return { msPerPromptToken: slope, msPerAnswer: Math.max(0, meanY - slope * meanX) };
}

async function calibrate(backend: GgufBackend, notes: readonly EngineNote[], labels: NonNullable<NewRunRequest['labels']>, seed: number): Promise<SampleResult[]> {
  const samples: SampleResult[] = [];
  for (const note of notes) {
    const concepts = note.concepts.slice(0, CALIBRATION_ANSWERS - samples.length);
    for await (const result of backend.predictNote({ ...note, concepts }, { votes: 1, seed, labels })) samples.push(...result.samples);
    if (samples.length >= CALIBRATION_ANSWERS) break;
  }
  return samples;
}

export async function planRun(db: Db, request: PlanRequest, env: NodeJS.ProcessEnv = process.env): Promise<RunPlan> {
  const definition = backendOfRequest(request);
  if (definition.id !== 'gguf') throw new UserError(`plan predicts runs of GGUF models; --backend ${definition.id} is not one`);
  const legacy = Object.fromEntries(
    Object.entries({ gpu: request.gpu, gpuLayers: request.gpuLayers, contextSize: request.contextSize, threads: request.threads, batchSize: request.batchSize, parallel: request.parallel }).filter(([, value]) => value !== undefined),
  );
  const options = parseOptions(definition, { ...legacy, ...request.backendOptions }) as GgufOptions;
  const dataset = resolveDataset(db, request.dataset);
  const model = await resolveModel(db, request.model, { verify: request.verify, onHashProgress: request.onHashProgress });
  const settings = runSettingsFor(definition, options, model, request);
  const notes = planNotes(db, dataset.id, settings.limit, request.pairIds).map(toEngineNote);
  if (notes.length === 0) throw new UserError(`the plan has no pairs (dataset ${dataset.name})`);

  const loading = performance.now();
  const backend = await definition.create({ settings, options, model, env });
  const startupSeconds = (performance.now() - loading) / 1000;
  try {
    if (!isGgufBackend(backend)) throw new Error('the gguf backend did not expose its prompt windows');
    const tokens = countPlanTokens(notes, (note, labels) => backend.windowsFor(note, labels), { strategy: settings.strategy, votes: settings.votes, labels: settings.labels });
    const calibrationStarted = performance.now();
    const samples = await calibrate(backend, notes, settings.labels, settings.seed);
    const calibrationSeconds = (performance.now() - calibrationStarted) / 1000;
    const speed = fitSpeed(samples.map((sample) => ({ promptTokens: sample.promptTokens, ms: sample.ms })));
    const generatedPerAnswer = samples.reduce((sum, sample) => sum + sample.generatedTokens, 0) / samples.length;
    const invalidFraction = samples.filter((sample) => sample.status === 'invalid').length / samples.length;
    // A calibration sample is one pair with its windows combined: time and tokens per answer are per pair and vote.
    const pairAnswers = tokens.pairs * settings.votes;
    const predictedMs = startupSeconds * 1000 + speed.msPerPromptToken * tokens.promptTokens + speed.msPerAnswer * pairAnswers;
    const manifest = backend.manifest();
    const { inspectGguf } = await import('../../models/gguf');
    const { fit } = await inspectGguf(model.path, {
      gpu: options.gpu,
      gpuLayers: options.gpuLayers,
      contextSize: manifest.contextSize as number,
      batchSize: manifest.batchSize as number,
      sequences: backend.parallelism,
    });
    return {
      backend: 'gguf',
      model: { id: model.id, fileName: model.fileName, sizeBytes: model.sizeBytes },
      strategy: settings.strategy,
      votes: settings.votes,
      labels: settings.labels,
      ...tokens,
      generatedTokens: Math.round(generatedPerAnswer * pairAnswers),
      predictedSeconds: predictedMs / 1000,
      startupSeconds,
      calibration: {
        answers: samples.length,
        seconds: calibrationSeconds,
        promptTokensPerSecond: speed.msPerPromptToken > 0 ? 1000 / speed.msPerPromptToken : null,
        secondsPerAnswer: speed.msPerAnswer / 1000,
        generatedTokensPerAnswer: generatedPerAnswer,
        invalidFraction,
      },
      memory: { ramBytes: fit.ramBytes, vramBytes: fit.vramBytes },
      settings: Object.fromEntries(
        ['contextSize', 'batchSize', 'sequences', 'threadsPrompt', 'threadsGeneration', 'decoding', 'rationale', 'thinking', 'thinkingBudget', 'computeBackend'].map((key) => [key, manifest[key] ?? null]),
      ),
    };
  } finally {
    await backend.dispose();
  }
}

export interface RecordedPlan {
  predictedSeconds: number;
  promptTokens: number;
  generatedTokens: number;
  answers: number;
  calibrationSeconds: number;
}

/**
 * `run --plan`: the plan of a run about to execute, made with its already loaded backend (no second load): exact
 * prompt tokens of its pending pairs, a three-answer calibration, and the backend's measured start-up. Stored in the
 * manifest as `plan.predicted`; `recordPlanActual` adds `plan.actual` when the run ends. Null for other backends.
 */
export async function predictLoadedRun(db: Db, run: RunRecord, backend: InferenceBackend): Promise<RecordedPlan | null> {
  if (!isGgufBackend(backend)) return null;
  const notes = pendingNotes(db, run.id).map(toEngineNote);
  if (notes.length === 0) return null;
  const tokens = countPlanTokens(notes, (note, labels) => backend.windowsFor(note, labels), { strategy: run.settings.strategy, votes: run.settings.votes, labels: run.settings.labels });
  const started = performance.now();
  const samples = await calibrate(backend, notes, run.settings.labels, run.settings.seed);
  await backend.clearSequences();
  const calibrationSeconds = (performance.now() - started) / 1000;
  const speed = fitSpeed(samples.map((sample) => ({ promptTokens: sample.promptTokens, ms: sample.ms })));
  const startupMs = ((backend.manifest().startup as { totalMs?: number } | undefined)?.totalMs ?? 0);
  const generatedPerAnswer = samples.reduce((sum, sample) => sum + sample.generatedTokens, 0) / samples.length;
  const pairAnswers = tokens.pairs * run.settings.votes;
  const plan: RecordedPlan = {
    predictedSeconds: (startupMs + speed.msPerPromptToken * tokens.promptTokens + speed.msPerAnswer * pairAnswers) / 1000,
    promptTokens: tokens.promptTokens,
    generatedTokens: Math.round(generatedPerAnswer * pairAnswers),
    answers: tokens.answers,
    calibrationSeconds,
  };
  updateManifest(db, run.id, { ...getRun(db, run.name).manifest, plan: { predicted: plan } });
  return plan;
}

/** Adds the run's actual figures next to its prediction (`plan.actual`), when it was planned; `wallSeconds` from the command's start. */
export function recordPlanActual(db: Db, runName: string, wallSeconds: number): void {
  const run = getRun(db, runName);
  const recorded = (run.manifest.plan as { predicted?: RecordedPlan } | undefined)?.predicted;
  if (!recorded) return;
  // The calibration ran inside the same command but is not part of the run it predicts.
  const runSeconds = Math.max(0, wallSeconds - recorded.calibrationSeconds);
  const actual = { wallSeconds: runSeconds, promptTokens: run.promptTokens, generatedTokens: run.generatedTokens, pairs: run.done };
  updateManifest(db, run.id, { ...run.manifest, plan: { predicted: recorded, actual, timeError: recorded.predictedSeconds / runSeconds - 1 } });
}
