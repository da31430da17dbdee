/**
 * The run planner (`medbench plan`): what a run with these options will cost on this machine, before it starts.
 * Prompt tokens are counted exactly with the model's own tokenizer and chat template (windows, note-major reuse and
 * concepts in flight included, token-count.ts). Speed comes from a short calibration on the run's own code path
 * (predictNote on the plan's first note of several concepts, its first window), timed per step rather than per
 * token: the same single answer evaluated from nothing and then again from the held prompt gives the cost of a
 * prompt token (their difference) and of an answer decoded alone; the note's first concepts decoded together give
 * the cost of a round of answers in flight.
 * A first answer that precedes these, discarded, takes the warm-up (first decode, label masks) out of the speeds.
 * Predicted wall time = start-up + warm-up + prompt tokens x ms per token + the answer rounds of every window
 * (concepts in flight per round, each round costed between the single and the full round) x votes.
 */
import { resolveDataset } from '../../data/datasets';
import { UserError } from '../../errors';
import { resolveModel } from '../../models/registry';
import type { Db } from '../../store/database';
import type { EngineNote, InferenceBackend, LabelMode, SampleResult } from '../backend';
import { isGgufBackend, type GgufBackend } from '../backends/gguf/backend';
import type { PreparedWindow } from '../backends/gguf/windowing';
import type { GgufOptions } from '../backends/gguf-registration';
import { parseOptions } from '../backends/registry';
import { toEngineNote } from '../runner';
import { getRun, pendingNotes, updateManifest, type PendingNote, type RunRecord } from '../runs';
import { backendOfRequest, runSettingsFor, type NewRunRequest } from '../start-run';
import { countPlanTokens, type PlanTokens } from './token-count';

/** Most concepts decoded together in the calibration's round (bounds its cost on slow models). */
export const CALIBRATION_MAX_ROUND = 8;

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
    /** One answer decoded alone, its prompt aside. */
    secondsPerAnswer: number;
    /** A round of `roundSize` answers decoded together (concepts in flight), their prompts aside. */
    secondsPerRound: number;
    roundSize: number;
    /** The first answer's extra time (a fresh backend pays it once). */
    warmupSeconds: number;
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

/** One timed step of the calibration: a predictNote call, its wall time and what it evaluated. */
export interface CalibrationStep {
  ms: number;
  promptTokens: number;
  /** Answers decoded per window (the concepts of the call). */
  concepts: number;
  windows: number;
}

export interface Speed {
  msPerPromptToken: number;
  /** One answer decoded alone (its prompt tokens aside), per window. */
  msPerAnswer: number;
  /** A round of `roundSize` answers decoded together, per window; equals msPerAnswer when roundSize is 1. */
  msPerRound: number;
  roundSize: number;
  warmupMs: number;
}

/**
 * Speeds from the calibration's steps: `cold` (a first answer on a fresh backend), `single` (the same answer from an
 * empty sequence), `held` (the same again, its prompt held), `round` (the note's first concepts in flight together,
 * from an empty sequence; null when only one is in flight). Every figure is at least 0.
 */
export function speedFromSteps(steps: { cold: CalibrationStep; single: CalibrationStep; held: CalibrationStep; round: CalibrationStep | null }): Speed {
  const { cold, single, held, round } = steps;
  const promptDifference = single.promptTokens - held.promptTokens;
  const msPerPromptToken = promptDifference > 0 ? Math.max(0, (single.ms - held.ms) / promptDifference) : 0;
  const decoding = (step: CalibrationStep) => Math.max(0, step.ms - step.promptTokens * msPerPromptToken) / step.windows;
  const msPerAnswer = decoding(held);
  const roundSize = round ? round.concepts : 1;
  return {
    msPerPromptToken,
    msPerAnswer,
    msPerRound: round ? Math.max(msPerAnswer, decoding(round)) : msPerAnswer,
    roundSize,
    warmupMs: Math.max(0, cold.ms - single.ms),
  };
}

/** Decoding time of one window's `concepts` answers with `inFlight` sequences: full rounds, then the rest together. */
export function windowDecodingMs(concepts: number, inFlight: number, speed: Speed): number {
  const perRound = Math.max(1, Math.min(inFlight, concepts));
  const round = (size: number) =>
    speed.roundSize <= 1 || size <= 1 ? speed.msPerAnswer * size : speed.msPerAnswer + ((speed.msPerRound - speed.msPerAnswer) * (size - 1)) / (speed.roundSize - 1);
  const full = Math.floor(concepts / perRound);
  const rest = concepts - full * perRound;
  return full * round(perRound) + (rest > 0 ? round(rest) : 0);
}

/** Predicted milliseconds of the plan's inference (start-up aside). */
export function predictInferenceMs(
  windowsPerNote: readonly { concepts: number; windows: number }[],
  tokens: Pick<PlanTokens, 'promptTokens'>,
  options: { strategy: 'note-major' | 'naive'; votes: number; conceptsInFlight: number },
  speed: Speed,
): number {
  const inFlight = options.strategy === 'naive' ? 1 : options.conceptsInFlight;
  const decoding = windowsPerNote.reduce((sum, note) => sum + note.windows * windowDecodingMs(note.concepts, inFlight, speed), 0);
  return tokens.promptTokens * speed.msPerPromptToken + decoding * options.votes;
}

interface Calibration {
  speed: Speed;
  seconds: number;
  samples: SampleResult[];
}

async function timedStep(backend: GgufBackend, note: EngineNote, concepts: number, labels: LabelMode, seed: number, samples: SampleResult[]): Promise<CalibrationStep> {
  const started = performance.now();
  let promptTokens = 0;
  let windows = 1;
  for await (const result of backend.predictNote({ ...note, concepts: note.concepts.slice(0, concepts) }, { votes: 1, seed, labels })) {
    for (const sample of result.samples) {
      promptTokens += sample.promptTokens;
      windows = Math.max(windows, sample.windows);
      samples.push(sample);
    }
  }
  return { ms: performance.now() - started, promptTokens, concepts, windows };
}

/**
 * The calibration on one note (greedy answers, nothing stored); the sequences are emptied after. A note split into
 * windows is calibrated on its first window's sentences: one window keeps the held step a held prompt (a later window
 * would have replaced it) and the calibration short.
 */
async function calibrate(backend: GgufBackend, whole: EngineNote, labels: LabelMode, seed: number, conceptsInFlight: number): Promise<Calibration> {
  const started = performance.now();
  const windows = backend.windowsFor(whole, labels);
  const note = windows.length > 1 ? { ...whole, sentences: windows[0]!.sentences } : whole;
  const samples: SampleResult[] = [];
  await backend.clearSequences();
  const cold = await timedStep(backend, note, 1, labels, seed, []);
  await backend.clearSequences();
  const single = await timedStep(backend, note, 1, labels, seed, samples);
  const held = await timedStep(backend, note, 1, labels, seed, []);
  const roundSize = backend.strategy === 'naive' ? 1 : Math.min(conceptsInFlight, note.concepts.length, CALIBRATION_MAX_ROUND);
  let round: CalibrationStep | null = null;
  if (roundSize > 1) {
    await backend.clearSequences();
    samples.length = 0;
    round = await timedStep(backend, note, roundSize, labels, seed, samples);
  }
  await backend.clearSequences();
  return { speed: speedFromSteps({ cold, single, held, round }), seconds: (performance.now() - started) / 1000, samples };
}

/** The windows' tokens once per note: the planner counts them and sizes the answer rounds from the same windows. */
function memoizedWindows(backend: GgufBackend): { windowsFor: (note: EngineNote, labels: LabelMode) => PreparedWindow[]; perNote: (notes: readonly EngineNote[], labels: LabelMode) => { concepts: number; windows: number }[] } {
  const cache = new Map<EngineNote, PreparedWindow[]>();
  const windowsFor = (note: EngineNote, labels: LabelMode) => {
    let windows = cache.get(note);
    if (!windows) {
      windows = backend.windowsFor(note, labels);
      cache.set(note, windows);
    }
    return windows;
  };
  return { windowsFor, perNote: (notes, labels) => notes.map((note) => ({ concepts: note.concepts.length, windows: windowsFor(note, labels).length })) };
}

/**
 * The note the calibration runs on: the first with several concepts (so the round is measured), else the first. With
 * the prompt length of each window of a note (`windowDepths`), a first note whose depth is far from the plan's median
 * answer depth (under half or over twice) gives way to the candidate nearest that median: generating deep in a long
 * note costs more per token (attention reads every cached token), and a short first note made stories260K's plan 39%
 * short. A note near the median is kept: answers' lengths differ from note to note as much as depths do.
 */
export function calibrationNote(notes: readonly EngineNote[], windowDepths?: (note: EngineNote) => readonly number[]): EngineNote {
  const several = notes.filter((note) => note.concepts.length > 1);
  const candidates = several.length > 0 ? several : notes;
  if (!windowDepths) return candidates[0]!;
  // Every answer is one concept on one window: the median over answers.
  const answers = notes.flatMap((note) => windowDepths(note).map((depth) => ({ depth, weight: note.concepts.length }))).sort((a, b) => a.depth - b.depth);
  const total = answers.reduce((sum, answer) => sum + answer.weight, 0);
  let seen = 0;
  const median = answers.find((answer) => (seen += answer.weight) * 2 >= total)?.depth ?? 0;
  const firstDepth = windowDepths(candidates[0]!)[0] ?? 0;
  if (firstDepth * 2 >= median && firstDepth <= median * 2) return candidates[0]!;
  let best = candidates[0]!;
  let bestDistance = Infinity;
  for (const note of candidates) {
    const distance = Math.abs((windowDepths(note)[0] ?? 0) - median);
    if (distance < bestDistance) {
      best = note;
      bestDistance = distance;
    }
  }
  return best;
}

/** Each window's prompt length (its first concept's), the depth its answers are generated at. */
function windowDepthsOf(windowsFor: (note: EngineNote, labels: LabelMode) => PreparedWindow[], labels: LabelMode): (note: EngineNote) => number[] {
  return (note) => windowsFor(note, labels).map((window) => window.prompts[0]?.length ?? 0);
}

function conceptsInFlightOf(backend: GgufBackend): number {
  const value = backend.manifest().conceptsInFlight;
  return typeof value === 'number' && value >= 1 ? value : 1;
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
  const loadSeconds = (performance.now() - loading) / 1000;
  try {
    if (!isGgufBackend(backend)) throw new Error('the gguf backend did not expose its prompt windows');
    const startupSeconds = runStartupSeconds(loadSeconds, backend);
    const conceptsInFlight = conceptsInFlightOf(backend);
    const { windowsFor, perNote } = memoizedWindows(backend);
    const tokens = countPlanTokens(notes, windowsFor, { strategy: settings.strategy, votes: settings.votes, labels: settings.labels, conceptsInFlight });
    const calibration = await calibrate(backend, calibrationNote(notes, windowDepthsOf(windowsFor, settings.labels)), settings.labels, settings.seed, conceptsInFlight);
    const { speed, samples } = calibration;
    // Calibration answers are of one window each, as every answer of the plan (`answers` counts windows).
    const generatedPerAnswer = samples.reduce((sum, sample) => sum + sample.generatedTokens, 0) / samples.length;
    const invalidFraction = samples.filter((sample) => sample.status === 'invalid').length / samples.length;
    // The run's backend is fresh: it pays the first answer's warm-up that the calibration took out of the speeds.
    const inferenceMs = speed.warmupMs + predictInferenceMs(perNote(notes, settings.labels), tokens, { strategy: settings.strategy, votes: settings.votes, conceptsInFlight }, speed);
    const predictedMs = startupSeconds * 1000 + inferenceMs;
    const manifest = backend.manifest();
    const { inspectGguf } = await import('../../models/gguf');
    const { fit } = await inspectGguf(model.path, {
      gpu: options.gpu,
      gpuLayers: options.gpuLayers,
      contextSize: manifest.contextSize as number,
      batchSize: manifest.batchSize as number,
      // Every note in flight holds conceptsInFlight sequences, each with its own KV cache.
      sequences: backend.parallelism * backend.conceptsInFlight,
    });
    return {
      backend: 'gguf',
      model: { id: model.id, fileName: model.fileName, sizeBytes: model.sizeBytes },
      strategy: settings.strategy,
      votes: settings.votes,
      labels: settings.labels,
      ...tokens,
      generatedTokens: Math.round(generatedPerAnswer * tokens.answers),
      predictedSeconds: predictedMs / 1000,
      startupSeconds,
      calibration: {
        answers: samples.length,
        seconds: calibration.seconds,
        promptTokensPerSecond: speed.msPerPromptToken > 0 ? 1000 / speed.msPerPromptToken : null,
        secondsPerAnswer: speed.msPerAnswer / 1000,
        secondsPerRound: speed.msPerRound / 1000,
        roundSize: speed.roundSize,
        warmupSeconds: speed.warmupMs / 1000,
        generatedTokensPerAnswer: generatedPerAnswer,
        invalidFraction,
      },
      memory: { ramBytes: fit.ramBytes, vramBytes: fit.vramBytes },
      settings: Object.fromEntries(
        ['contextSize', 'batchSize', 'sequences', 'conceptsInFlight', 'contextSequences', 'threadsPrompt', 'threadsGeneration', 'decoding', 'rationale', 'thinking', 'thinkingBudget', 'computeBackend'].map((key) => [key, manifest[key] ?? null]),
      ),
    };
  } finally {
    await backend.dispose();
  }
}

/**
 * The start-up a run of this model will have: this load's, less the prompt frame's resolution when this load
 * resolved it (it is cached, frame-cache.ts, so the run reads it instead).
 */
function runStartupSeconds(loadSeconds: number, backend: GgufBackend): number {
  const startup = backend.manifest().startup as { promptFrameMs?: number; promptFrameCached?: boolean } | undefined;
  const resolvedNow = startup?.promptFrameCached === false ? (startup.promptFrameMs ?? 0) / 1000 : 0;
  return Math.max(0, loadSeconds - resolvedNow);
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
 * prompt tokens of its pending pairs, the calibration on its first note, and the backend's measured start-up. Stored in the
 * manifest as `plan.predicted`; `recordPlanActual` adds `plan.actual` when the run ends. Null for other backends.
 */
export async function predictLoadedRun(db: Db, run: RunRecord, backend: InferenceBackend): Promise<RecordedPlan | null> {
  if (!isGgufBackend(backend)) return null;
  const notes = pendingNotes(db, run.id).map(toEngineNote);
  if (notes.length === 0) return null;
  const conceptsInFlight = conceptsInFlightOf(backend);
  const { windowsFor, perNote } = memoizedWindows(backend);
  const settings = { strategy: run.settings.strategy, votes: run.settings.votes, conceptsInFlight };
  const tokens = countPlanTokens(notes, windowsFor, { ...settings, labels: run.settings.labels });
  const { speed, samples, seconds: calibrationSeconds } = await calibrate(backend, calibrationNote(notes, windowDepthsOf(windowsFor, run.settings.labels)), run.settings.labels, run.settings.seed, conceptsInFlight);
  const startupMs = (backend.manifest().startup as { totalMs?: number } | undefined)?.totalMs ?? 0;
  const generatedPerAnswer = samples.reduce((sum, sample) => sum + sample.generatedTokens, 0) / samples.length;
  // The calibration warmed this backend up: the run that follows pays no warm-up.
  const inferenceMs = predictInferenceMs(perNote(notes, run.settings.labels), tokens, settings, speed);
  const plan: RecordedPlan = {
    predictedSeconds: (startupMs + inferenceMs) / 1000,
    promptTokens: tokens.promptTokens,
    generatedTokens: Math.round(generatedPerAnswer * tokens.answers),
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
