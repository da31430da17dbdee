/**
 * A run's public summary, built in one place. `medbench runs --json`, `medbench run --json`, the
 * report's `run` object and the UI's listRuns each show a projection of it, so a fact (the status a
 * reader should see, the model's name, null time for imported predictions) is worked out once.
 *
 * The projections keep the field names, values and key order each output had before they shared this
 * module: those outputs are a public contract (test/core/engine/run-summary.test.ts pins them).
 */
import type { ActionHint, CallResponse, RunWarning } from '../../shared/contract';
import { degenerateWarning } from '../scoring/trust';
import { scoredPairsOfRun } from '../scoring/score-run';
import type { Db } from '../store/database';
import { neutralError } from '../ui-errors';
import { builtInPromptTemplate } from './prompt';
import { findPreset, PRESET_PREFIX, presetTemplate } from './prompts/presets';
import { promptReferenceName } from './prompts/validate';
import { runState, runWarnings, type EffectiveStatus } from './run-lifecycle';
import type { RunRecord, RunStatus, Strategy } from './runs';

/** The stored record's facts as they are (error in the CLI's wording, 0 s for imported predictions), plus what is worked out. */
export interface RunSummary
  extends Pick<RunRecord, 'name' | 'dataset' | 'backend' | 'settings' | 'manifest' | 'error' | 'createdAt' | 'startedAt' | 'finishedAt' | 'activeSeconds' | 'planned' | 'done' | 'invalid' | 'promptTokens' | 'reusedTokens' | 'generatedTokens'> {
  /** As stored: the report and `medbench run` have always shown this one. */
  storedStatus: RunStatus;
  /** What a reader should see: 'interrupted' when the row says running but its writer is gone. */
  status: EffectiveStatus;
  resumable: boolean;
  hint: ActionHint | null;
  /** Interrupted, imported, degenerate (see scoring/trust.ts). */
  warnings: RunWarning[];
  /** The prompt preset or file; null for runs without a prompt (baseline, imported). */
  prompt: { name: string; hash: string | null } | null;
  /** The UI's model: the registered model's file name, else the server's model named in the manifest. */
  model: string | null;
  /** The CLI's model: the file name the manifest recorded when the run started. */
  modelFile: string | null;
  /** null for imported predictions: no strategy was used here. */
  strategy: Strategy | null;
  /** null for imported predictions: no time was spent here, so none is shown as a made-up value. */
  seconds: number | null;
}

/** Everything any public view shows of a run, from its stored record. */
export function summariseRun(db: Db, run: RunRecord): RunSummary {
  const state = runState(db, run);
  const external = run.backend === 'external';
  const warnings: RunWarning[] = [...runWarnings(db, run)];
  if (run.done >= 10) {
    // Cheap enough per run (one query): degenerate runs must be flagged wherever a run shows.
    const degenerate = degenerateWarning(run.name, scoredPairsOfRun(db, run.id));
    if (degenerate) warnings.push(degenerate);
  }
  const registered =
    run.modelId === null ? null : ((db.prepare('SELECT file_name AS fileName FROM models WHERE id = ?').get(run.modelId) as { fileName: string } | undefined)?.fileName ?? null);
  const baseline = run.backend === 'baseline';
  return {
    name: run.name,
    dataset: run.dataset,
    backend: run.backend,
    storedStatus: run.status,
    status: state.status,
    resumable: state.resumable,
    hint: state.hint,
    warnings,
    prompt: promptOfRun(run),
    // A server run has no registered model: its manifest names the server's model.
    model: baseline ? 'baseline' : (registered ?? (typeof run.manifest.model === 'string' ? run.manifest.model : null)),
    modelFile: (run.manifest.modelFile as string | undefined) ?? (baseline ? 'baseline' : null),
    strategy: external ? null : run.settings.strategy,
    settings: run.settings,
    manifest: run.manifest,
    error: run.error,
    createdAt: run.createdAt,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    activeSeconds: run.activeSeconds,
    seconds: external ? null : run.activeSeconds,
    planned: run.planned,
    done: run.done,
    invalid: run.invalid,
    promptTokens: run.promptTokens,
    reusedTokens: run.reusedTokens,
    generatedTokens: run.generatedTokens,
  };
}

/** The prompt a run used: from its manifest when the backend recorded it, else from its settings. */
export function promptOfRun(run: RunRecord): { name: string; hash: string | null } | null {
  if (run.backend === 'external' || run.backend === 'baseline') return null;
  const recorded = run.manifest.prompt as { version?: string; hash?: string } | undefined;
  const name = promptReferenceName(run.settings.promptFile ?? null);
  if (recorded?.hash) return { name, hash: recorded.hash };
  if (run.settings.promptFile === null) return { name, hash: builtInPromptTemplate().hash };
  if (run.settings.promptFile.startsWith(PRESET_PREFIX) && findPreset(name)) return { name, hash: presetTemplate(name).hash };
  return { name, hash: null };
}

/** `medbench run --json` (and `demo --json`): the status as stored, the manifest's model file. */
export function cliRunJson(s: RunSummary) {
  return {
    name: s.name,
    n: s.done,
    planned: s.planned,
    invalid: s.invalid,
    status: s.storedStatus,
    dataset: s.dataset,
    backend: s.backend,
    model: s.modelFile,
    strategy: s.strategy,
    votes: s.settings.votes,
    promptTokens: s.promptTokens,
    reusedTokens: s.reusedTokens,
    generatedTokens: s.generatedTokens,
    seconds: s.seconds,
    createdAt: s.createdAt,
    startedAt: s.startedAt,
    finishedAt: s.finishedAt,
  };
}

/** One element of `medbench runs --json`: `run --json`'s fields with the status a reader should see. */
export function cliRunsJson(s: RunSummary) {
  return { ...cliRunJson(s), status: s.status, resumable: s.resumable, manifest: s.manifest, error: s.error };
}

/** The report's `run`: the stored record's fields (status and time as stored). */
export function reportRunJson(s: RunSummary) {
  return {
    name: s.name,
    dataset: s.dataset,
    status: s.storedStatus as string,
    backend: s.backend,
    createdAt: s.createdAt,
    startedAt: s.startedAt,
    finishedAt: s.finishedAt,
    activeSeconds: s.activeSeconds,
    planned: s.planned,
    done: s.done,
    invalid: s.invalid,
    promptTokens: s.promptTokens,
    reusedTokens: s.reusedTokens,
    generatedTokens: s.generatedTokens,
    settings: s.settings,
    manifest: s.manifest,
  };
}

/** The contract's run summary (listRuns): the error in the UI's wording, the settings the UI shows. */
export function contractRunSummary(s: RunSummary): CallResponse<'listRuns'>['runs'][number] {
  const settings = s.settings;
  return {
    name: s.name,
    dataset: s.dataset,
    backend: s.backend,
    model: s.model,
    status: s.status,
    resumable: s.resumable,
    hint: s.hint,
    warnings: s.warnings,
    prompt: s.prompt,
    settings: { backend: settings.backend, modelId: settings.modelId, strategy: s.strategy, votes: settings.votes, seed: settings.seed, labels: settings.labels, limit: settings.limit },
    manifest: s.manifest,
    error: s.error === null ? null : neutralError(s.error).message,
    createdAt: s.createdAt,
    finishedAt: s.finishedAt,
    activeSeconds: s.seconds,
    planned: s.planned,
    done: s.done,
    invalid: s.invalid,
    promptTokens: s.promptTokens,
    generatedTokens: s.generatedTokens,
  };
}
