import { resolveDataset } from '../data/datasets';
import { getModelById, ModelChangedError, resolveModel, verifyModelFile, type HashOptions, type ModelRecord } from '../models/registry';
import type { Db } from '../store/database';
import { describeSqliteError } from '../store/errors';
import { APP_VERSION } from '../version';
import type { InferenceBackend, LabelMode } from './backend';
import { backendOfRun, getBackend, parseOptions, type BackendDefinition } from './backends/registry';
import { createRun, findRun, getRun, RunError, updateManifest, type RunRecord, type RunSettings, type Strategy } from './runs';
import { shellQuote } from '../text/shell-quote';
import { resolvePromptReference } from './prompts/validate';

export interface NewRunRequest {
  name: string;
  /** 'baseline', a GGUF path, or a registered model's id / sha256 prefix / file name; for a server backend, the server's model name. */
  model: string;
  /** A backend id from the registry; absent: 'baseline' when model is 'baseline', else 'gguf'. */
  backend?: string;
  /** The backend's own options (its fields in the registry), validated by its schema. */
  backendOptions?: Record<string, unknown>;
  /** Environment entries for this session only (an API key typed into the UI): never stored. */
  secretEnv?: Record<string, string>;
  dataset?: string;
  /** An explicit plan (pair ids in order) instead of the dataset's pairs; `limit` still applies to the default plan only. */
  pairIds?: readonly number[];
  limit?: number;
  strategy?: Strategy;
  votes?: number;
  seed?: number;
  labels?: LabelMode;
  /** GGUF options, also accepted here as before the registry (backendOptions wins). */
  gpu?: string;
  gpuLayers?: number | 'auto';
  contextSize?: number;
  threads?: number;
  batchSize?: number;
  parallel?: number;
  promptFile?: string;
  temperature?: number;
  maxTokens?: number;
  /** Hash the model file again even when its path, size, mtime and inode are unchanged (`--verify`). */
  verify?: boolean;
  /** Progress of hashing a model file (registration, or a changed file). */
  onHashProgress?: HashOptions['onHashProgress'];
}

export interface PreparedRun {
  run: RunRecord;
  backend: InferenceBackend;
  model: ModelRecord | null;
}

/** Which backend a request means. */
export function backendOfRequest(request: Pick<NewRunRequest, 'backend' | 'model'>): BackendDefinition {
  if (request.backend) return getBackend(request.backend);
  return getBackend(request.model === 'baseline' ? 'baseline' : 'gguf');
}

/** The settings a request freezes into its run; the planner uses the same, so a plan is of the run it predicts. */
export function runSettingsFor<O>(definition: BackendDefinition<O>, options: O, model: ModelRecord | null, request: Omit<NewRunRequest, 'name'>): RunSettings {
  return {
    backend: definition.id,
    modelId: model?.id ?? null,
    strategy: request.strategy ?? 'note-major',
    votes: request.votes ?? 1,
    seed: request.seed ?? 42,
    labels: request.labels ?? 'binary',
    limit: request.limit ?? null,
    gpu: 'auto',
    gpuLayers: 'auto',
    contextSize: null,
    threads: null,
    batchSize: null,
    // A preset name becomes "preset:NAME", a file its absolute path (checked now: prompts/validate.ts).
    promptFile: request.promptFile ? resolvePromptReference(request.promptFile) : null,
    temperature: request.temperature ?? null,
    maxTokens: request.maxTokens ?? null,
    parallel: null,
    ...definition.toSettings(options),
  };
}

/** Creates a run (frozen plan + manifest) and the backend that will execute it. */
export async function prepareNewRun(db: Db, request: NewRunRequest, baseEnv: NodeJS.ProcessEnv = process.env): Promise<PreparedRun> {
  const env = request.secretEnv ? { ...baseEnv, ...request.secretEnv } : baseEnv;
  if (findRun(db, request.name)) throw new RunError(`a run named "${request.name}" already exists: continue it with --resume ${shellQuote(request.name)}, or choose another --name`);
  const definition = backendOfRequest(request);
  const legacy = definition.id === 'gguf' ? definedOnly({ gpu: request.gpu, gpuLayers: request.gpuLayers, contextSize: request.contextSize, threads: request.threads, batchSize: request.batchSize, parallel: request.parallel }) : {};
  const raw = { ...legacy, ...request.backendOptions, ...(definition.model === 'server' ? { model: request.model } : {}) };
  const options = parseOptions(definition, raw);
  // A host not allowed, a missing key: refused here, before the run exists or any connection is made.
  definition.check?.(options, env);
  const dataset = resolveDataset(db, request.dataset);
  const model = definition.model === 'file' ? await resolveModel(db, request.model, { verify: request.verify, onHashProgress: request.onHashProgress }) : null;
  const settings = runSettingsFor(definition, options, model, request);
  const backend = await definition.create({ settings, options, model, env });
  try {
    const run = createRun(db, { name: request.name, datasetId: dataset.id, backend: settings.backend, settings, manifest: {}, ...(request.pairIds ? { pairIds: request.pairIds } : {}) });
    updateManifest(db, run.id, buildManifest(db, run, backend, model));
    return { run: getRun(db, request.name), backend, model };
  } catch (error) {
    await backend.dispose();
    // A locked, read-only or full database gets a message naming it instead of a raw SQLite code.
    throw describeSqliteError(error, db.name);
  }
}

/** Re-creates the backend of an existing run with its recorded settings. */
export async function prepareResume(db: Db, name: string, env: NodeJS.ProcessEnv = process.env, hashOptions: HashOptions = {}): Promise<PreparedRun> {
  const run = getRun(db, name);
  if (run.backend === 'external') throw new RunError(`run "${name}" holds imported predictions; there is nothing to resume`);
  const { backend: definition, options } = backendOfRun(run.settings);
  definition.check?.(options, env);
  const model = run.settings.modelId !== null ? getModelById(db, run.settings.modelId) : null;
  if (model?.missing) throw new RunError(`run "${name}" used ${model.fileName}, which is no longer at ${model.path}; register the same file again (medbench models add PATH) to resume`);
  if (model) {
    // The file at the registered path may have been replaced since: resuming would mix two models. Hashed again
    // only when its path, size, mtime or inode changed, or with --verify.
    try {
      await verifyModelFile(db, model, hashOptions);
    } catch (error) {
      if (error instanceof ModelChangedError) throw new RunError(`run "${name}" was made with a different file: ${error.message}; resuming would mix two models`);
      throw error;
    }
  }
  return { run, backend: await definition.create({ settings: run.settings, options, model, env }), model };
}

function definedOnly(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined));
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
