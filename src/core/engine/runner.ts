import { recordRunEnd, recordRunStart } from '../audit';
import type { Db } from '../store/database';
import { describeSqliteError } from '../store/errors';
import { CodePointIndex } from '../../shared/code-points';
import type { BackendRunOptions, EngineNote, InferenceBackend } from './backend';
import { claimRun, noteLoader, pendingNotePlan, releaseRun, savePrediction, savePredictions, type PendingNote, type PlannedNote, type PredictionToSave, type RunRecord } from './runs';
import { aggregateSamples } from './votes';

export interface RunProgress {
  done: number;
  total: number;
  invalid: number;
  /** Seconds since this session started. */
  elapsed: number;
  /** Estimated seconds left for this session's remaining pairs. */
  eta: number;
  promptTokens: number;
  generatedTokens: number;
  promptTokensPerSecond: number;
  generatedTokensPerSecond: number;
}

export interface ExecuteOptions {
  signal?: AbortSignal;
  onProgress?: (progress: RunProgress) => void;
  /** Tokens generated since the last call, while answers are still being generated (see BackendRunOptions.onTokens). */
  onTokens?: (generated: number) => void;
}

export interface ExecuteResult {
  status: 'finished' | 'stopped';
  /** Predictions made in this session. */
  predicted: number;
  /** Pairs still without a prediction. */
  remaining: number;
  seconds: number;
}

/**
 * Runs the remaining pairs of a run through a backend. Pairs are grouped by note so a backend can
 * reuse the note's evaluated prefix; up to `backend.parallelism` notes are in flight at once. Each
 * prediction is committed alone the moment it exists (the model call is outside the transaction),
 * so a crash or Ctrl-C loses at most the pairs in flight, and a resume never predicts a pair twice.
 */
export async function executeRun(db: Db, run: RunRecord, backend: InferenceBackend, options: ExecuteOptions = {}): Promise<ExecuteResult> {
  try {
    claimRun(db, run.id);
    recordRunStart(db, run);
  } catch (error) {
    throw describeSqliteError(error, db.name);
  }
  const started = performance.now();
  // Each note's text is read when a worker starts on it: the first requests do not wait for every note to be read.
  const notes = pendingNotePlan(db, run.id);
  const loadNote = noteLoader(db);
  const total = notes.reduce((n, note) => n + note.pairs.length, 0);
  const alreadyDone = run.done;
  const progress = { done: 0, invalid: 0, promptTokens: 0, generatedTokens: 0, inferenceMs: 0 };
  const report = () => {
    const elapsed = (performance.now() - started) / 1000;
    const rate = progress.done > 0 ? elapsed / progress.done : Number.NaN;
    options.onProgress?.({
      done: alreadyDone + progress.done,
      total: alreadyDone + total,
      invalid: progress.invalid,
      elapsed,
      eta: rate * (total - progress.done),
      promptTokens: progress.promptTokens,
      generatedTokens: progress.generatedTokens,
      promptTokensPerSecond: elapsed > 0 ? progress.promptTokens / elapsed : 0,
      generatedTokensPerSecond: elapsed > 0 ? progress.generatedTokens / elapsed : 0,
    });
  };
  const settings = run.settings;
  // One failing worker stops the others, so nothing is written after the run is released.
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  options.signal?.addEventListener('abort', onAbort);
  if (options.signal?.aborted) stop.abort();
  const runOptions: BackendRunOptions = {
    votes: settings.votes,
    seed: settings.seed,
    labels: settings.labels,
    signal: stop.signal,
    ...(options.onTokens ? { onTokens: options.onTokens } : {}),
    ...(settings.temperature !== null ? { temperature: settings.temperature } : {}),
  };

  // With several notes in flight, answers that arrive together share one commit (see savePredictions).
  const commit = backend.parallelism > 1 ? groupCommitter(db, run.id) : null;
  report();
  let nextNote = 0;
  let lastYield = performance.now();
  // Apart from the worker's loop, so its frame does not keep the note's text alive while the note's answers arrive.
  const startNote = (planned: PlannedNote) => backend.predictNote(toEngineNote(loadNote(planned)), runOptions);
  const worker = async () => {
    while (!stop.signal.aborted && nextNote < notes.length) {
      for await (const result of startNote(notes[nextNote++]!)) {
        if (stop.signal.aborted) break;
        const prediction = aggregateSamples(result.samples);
        if (commit) await commit({ pairId: result.pairId, prediction, samples: result.samples });
        else savePrediction(db, run.id, result.pairId, prediction, result.samples);
        progress.done++;
        if (prediction.status === 'invalid') progress.invalid++;
        progress.promptTokens += prediction.promptTokens;
        progress.generatedTokens += prediction.generatedTokens;
        report();
        // A fast backend (the baseline) never waits on I/O: give signals, timers and a serving
        // HTTP server a turn of the event loop every few milliseconds.
        if (performance.now() - lastYield > 20) {
          await new Promise((resolve) => setImmediate(resolve));
          lastYield = performance.now();
        }
      }
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(backend.parallelism, notes.length)) }, () =>
    worker().catch((error: unknown) => {
      stop.abort();
      throw error;
    }),
  );
  const outcomes = await Promise.allSettled(workers);
  options.signal?.removeEventListener('abort', onAbort);
  const failure = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
  if (failure && !options.signal?.aborted) {
    // A locked, read-only or full database gets a message naming it instead of a raw SQLite code.
    const reason = describeSqliteError(failure.reason, db.name);
    const seconds = (performance.now() - started) / 1000;
    releaseRun(db, run.id, 'failed', seconds, reason.message);
    recordRunEnd(db, run, { status: 'failed', predicted: progress.done, remaining: total - progress.done, seconds, error: reason.message });
    throw reason;
  }
  const seconds = (performance.now() - started) / 1000;
  const remaining = total - progress.done;
  const status = remaining === 0 ? 'finished' : 'stopped';
  releaseRun(db, run.id, status, seconds);
  recordRunEnd(db, run, { status, predicted: progress.done, remaining, seconds });
  return { status, predicted: progress.done, remaining, seconds };
}

/** The note as the backend sees it: numbered sentences with their text, and the concepts to check. */
export function toEngineNote(note: PendingNote): EngineNote {
  const index = new CodePointIndex(note.text);
  return {
    noteKey: note.noteKey,
    sentences: note.sentences.map((s) => ({ id: s.id, text: index.slice(s.start, s.end) })),
    concepts: note.pairs,
  };
}

/**
 * Group commit: a prediction is committed in the next turn of the event loop together with every other
 * prediction that arrived meanwhile, and its worker goes on only once it is on disk. A crash loses at
 * most the predictions of that one pending commit, none of which was reported as done.
 */
function groupCommitter(db: Db, runId: number): (item: PredictionToSave) => Promise<void> {
  let pending: (PredictionToSave & { resolve: () => void; reject: (error: unknown) => void })[] = [];
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    const batch = pending;
    pending = [];
    try {
      savePredictions(db, runId, batch);
      for (const item of batch) item.resolve();
    } catch (error) {
      for (const item of batch) item.reject(error);
    }
  };
  return (item) =>
    new Promise<void>((resolve, reject) => {
      pending.push({ ...item, resolve, reject });
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    });
}
