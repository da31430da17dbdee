import path from 'node:path';
import { resolveDataset } from '../data/datasets';
import { getModelById, resolveModel, type ModelRecord } from '../models/registry';
import type { Db } from '../store/database';
import { describeSqliteError } from '../store/errors';
import { APP_VERSION } from '../version';
import type { InferenceBackend, LabelMode } from './backend';
import { createBaselineBackend } from './baseline-backend';
import { createRun, findRun, getRun, RunError, updateManifest, type RunRecord, type RunSettings, type Strategy } from './runs';

export interface NewRunRequest {
  name: string;
  /** 'baseline', a GGUF path, or a registered model's id / sha256 prefix / file name. */
  model: string;
  dataset?: string;
  limit?: number;
  strategy?: Strategy;
  votes?: number;
  seed?: number;
  labels?: LabelMode;
  gpu?: string;
  gpuLayers?: number | 'auto';
  contextSize?: number;
  threads?: number;
  batchSize?: number;
  promptFile?: string;
  temperature?: number;
  maxTokens?: number;
  parallel?: number;
}

export interface PreparedRun {
  run: RunRecord;
  backend: InferenceBackend;
  model: ModelRecord | null;
}

/** Creates a run (frozen plan + manifest) and the backend that will execute it. */
export async function prepareNewRun(db: Db, request: NewRunRequest): Promise<PreparedRun> {
  if (findRun(db, request.name)) throw new RunError(`a run named "${request.name}" already exists: continue it with --resume ${request.name}, or choose another --name`);
  const dataset = resolveDataset(db, request.dataset);
  const model = request.model === 'baseline' ? null : await resolveModel(db, request.model);
  const settings: RunSettings = {
    backend: model ? 'gguf' : 'baseline',
    modelId: model?.id ?? null,
    strategy: request.strategy ?? 'note-major',
    votes: request.votes ?? 1,
    seed: request.seed ?? 42,
    labels: request.labels ?? 'binary',
    limit: request.limit ?? null,
    gpu: request.gpu ?? 'auto',
    gpuLayers: request.gpuLayers ?? 'auto',
    contextSize: request.contextSize ?? null,
    threads: request.threads ?? null,
    batchSize: request.batchSize ?? null,
    promptFile: request.promptFile ? path.resolve(request.promptFile) : null,
    temperature: request.temperature ?? null,
    maxTokens: request.maxTokens ?? null,
    parallel: request.parallel ?? null,
  };
  const backend = await createBackend(settings, model);
  try {
    const run = createRun(db, { name: request.name, datasetId: dataset.id, backend: settings.backend, settings, manifest: {} });
    updateManifest(db, run.id, buildManifest(db, run, backend, model));
    return { run: getRun(db, request.name), backend, model };
  } catch (error) {
    await backend.dispose();
    // A locked, read-only or full database gets a message naming it instead of a raw SQLite code.
    throw describeSqliteError(error, db.name);
  }
}

/** Re-creates the backend of an existing run with its recorded settings. */
export async function prepareResume(db: Db, name: string): Promise<PreparedRun> {
  const run = getRun(db, name);
  if (run.backend === 'external') throw new RunError(`run "${name}" holds imported predictions; there is nothing to resume`);
  const model = run.settings.modelId !== null ? getModelById(db, run.settings.modelId) : null;
  if (model?.missing) throw new RunError(`run "${name}" used ${model.fileName}, which is no longer at ${model.path}; register the same file again (medbench models add PATH) to resume`);
  if (model) {
    // The file at the registered path may have been replaced since: resuming would mix two models.
    const { sha256File } = await import('../models/gguf');
    const current = await sha256File(model.path);
    if (current !== model.sha256) {
      throw new RunError(`run "${name}" was made with ${model.fileName} of sha256 ${model.sha256}, but the file at ${model.path} now has sha256 ${current}; resuming would mix two models`);
    }
  }
  return { run, backend: await createBackend(run.settings, model), model };
}

async function createBackend(settings: RunSettings, model: ModelRecord | null): Promise<InferenceBackend> {
  if (settings.backend === 'baseline' || !model) return createBaselineBackend();
  // node-llama-cpp is loaded only when a model runs: baseline runs and the rest of the CLI stay light.
  const { createLlamaBackend } = await import('./llama-backend');
  const { loadPromptTemplate } = await import('./prompt');
  return createLlamaBackend({
    modelPath: model.path,
    gpu: settings.gpu as never,
    gpuLayers: settings.gpuLayers,
    strategy: settings.strategy,
    ...(settings.contextSize !== null ? { contextSize: settings.contextSize } : {}),
    ...(settings.threads !== null ? { threads: settings.threads } : {}),
    ...(settings.batchSize !== null ? { batchSize: settings.batchSize } : {}),
    ...(settings.maxTokens !== null ? { maxTokens: settings.maxTokens } : {}),
    ...(settings.parallel ? { sequences: settings.parallel } : {}),
    ...(settings.promptFile !== null ? { promptTemplate: loadPromptTemplate(settings.promptFile) } : {}),
  });
}

function buildManifest(db: Db, run: RunRecord, backend: InferenceBackend, model: ModelRecord | null): Record<string, unknown> {
  const fingerprint = db
    .prepare('SELECT content_sha256 AS sha FROM imports WHERE dataset_id = ? ORDER BY id DESC LIMIT 1')
    .get(run.datasetId) as { sha: string } | undefined;
  return {
    appVersion: APP_VERSION,
    dataset: run.dataset,
    datasetFingerprint: fingerprint?.sha ?? null,
    pairs: run.planned,
    strategy: run.settings.strategy,
    votes: run.settings.votes,
    seed: run.settings.seed,
    labels: run.settings.labels,
    limit: run.settings.limit,
    ...(model ? { modelId: model.id, modelFile: model.fileName, modelSha256: model.sha256, modelSizeBytes: model.sizeBytes, architecture: model.architecture, quantization: model.quantization } : {}),
    ...backend.manifest(),
  };
}
