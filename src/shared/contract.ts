import { z } from 'zod';

/**
 * The one declaration of every call and event between the UI and the core. The Electron main
 * process registers an IPC handler per call, the preload exposes a named function per call, and
 * `medbench serve` exposes the same calls over HTTP (POST /api/<call>) and the events as
 * Server-Sent Events; each side validates with these schemas.
 *
 * Offsets (spans, sentences) are Python code point offsets, as everywhere in the store.
 */

export const CHANNEL_PREFIX = 'medbench:';

const name = z.string().min(1).max(200);
const filePath = z.string().min(1).max(4096);
const interval = z.tuple([z.number(), z.number()]);
/** A pair's outcome in one run: its label outcome, or why it has none. */
const pairOutcome = z.enum(['tp', 'fp', 'fn', 'tn', 'invalid', 'missing']);
const matchType = z.enum(['exact', 'partial', 'proximate', 'none']);

const importProblem = z.object({
  kind: z.enum(['missing-note', 'span-out-of-range', 'duplicate-pair', 'bad-row']),
  row: z.number().int(),
  line: z.number().int().nullable(),
  taskId: z.string().nullable(),
  code: z.string().nullable(),
  detail: z.string(),
});

const datasetSummary = z.object({
  name: z.string(),
  pairs: z.number().int(),
  positives: z.number().int(),
  negatives: z.number().int(),
  notes: z.number().int(),
  cm: z.number().int(),
  pcs: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
  lastImport: z
    .object({ finishedAt: z.string(), format: z.string(), annotationsPath: z.string(), notesPath: z.string().nullable(), problems: z.number().int() })
    .nullable(),
});

const importReport = z.object({
  dataset: z.string(),
  outcome: z.enum(['new', 'unchanged', 'changed']),
  pairs: z.number().int(),
  positives: z.number().int(),
  negatives: z.number().int(),
  notes: z.number().int(),
  problems: z.array(importProblem),
  added: z.number().int(),
  updated: z.number().int(),
  removed: z.number().int(),
  notesScanned: z.number().int(),
  multipleNotes: z.number().int(),
  annotationsSha256: z.string(),
  seconds: z.number(),
});

/** One row of the pairs table: small, so thousands of rows travel quickly. */
/** What identifies a pair and classifies its concept, in table rows and in the detail alike. */
const pairIdentity = z.object({
  pairId: z.number().int(),
  taskId: z.string(),
  code: z.string(),
  desc: z.string(),
  gold: z.boolean(),
  kind: z.enum(['CM', 'PCS', 'unknown']),
  chapter: z.string(),
});

const pairRow = pairIdentity.extend({
  goldSentences: z.number().int(),
  /** The pair's outcome in the run named in the request; null without a run or when the run did not plan the pair. */
  outcome: pairOutcome.nullable(),
});

const pairsFilter = z
  .object({
    dataset: name,
    gold: z.boolean().optional(),
    kind: z.enum(['CM', 'PCS']).optional(),
    chapter: z.string().max(300).optional(),
    /** Case-insensitive substring of task id, code or description. */
    search: z.string().max(200).optional(),
    run: name.optional(),
    /** Needs `run`. 'correct' = tp or tn; 'wrong' = fp or fn. */
    outcome: z.enum(['correct', 'wrong', 'tp', 'fp', 'fn', 'tn', 'invalid', 'missing']).optional(),
  })
  .strict();

const sentence = z.object({ id: z.number().int(), start: z.number().int(), end: z.number().int() });

/** One answer of a model: a vote sample, or the prediction the samples add up to. */
const answer = z.object({
  status: z.enum(['ok', 'invalid']),
  rawLabel: z.string().nullable(),
  label: z.boolean().nullable(),
  evidence: z.array(z.number().int()),
  rationale: z.string(),
  rawOutput: z.string(),
  error: z.string().nullable(),
});

const sample = answer.extend({
  sampleIndex: z.number().int(),
  seed: z.number().int(),
});

const pairPrediction = answer.extend({
  run: z.string(),
  backend: z.string(),
  model: z.string().nullable(),
  outcome: pairOutcome,
  matchType: matchType.nullable(),
  evidenceRecall: z.number().nullable(),
  ms: z.number(),
  samples: z.array(sample),
});

const pairDetail = pairIdentity.extend({
  dataset: z.string(),
  reasoningSummary: z.string(),
  note: z.object({ noteId: z.string(), text: z.string(), sentences: z.array(sentence) }),
  goldSpans: z.array(z.object({ start: z.number().int(), end: z.number().int(), text: z.string() })),
  goldSentences: z.array(z.number().int()),
  predictions: z.array(pairPrediction),
  /** Runs of this dataset that planned the pair but have no prediction for it yet. */
  pendingRuns: z.array(z.string()),
});

const runSettings = z.object({
  backend: z.string(),
  modelId: z.number().int().nullable(),
  strategy: z.string(),
  votes: z.number().int(),
  seed: z.number().int(),
  labels: z.string(),
  limit: z.number().int().nullable(),
});

const runSummary = z.object({
  name: z.string(),
  dataset: z.string(),
  backend: z.string(),
  model: z.string().nullable(),
  status: z.enum(['running', 'stopped', 'finished', 'failed']),
  settings: runSettings,
  manifest: z.record(z.string(), z.unknown()),
  error: z.string().nullable(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
  activeSeconds: z.number(),
  planned: z.number().int(),
  done: z.number().int(),
  invalid: z.number().int(),
  promptTokens: z.number().int(),
  generatedTokens: z.number().int(),
});

const runProgress = z.object({
  run: z.string(),
  done: z.number().int(),
  total: z.number().int(),
  invalid: z.number().int(),
  elapsed: z.number(),
  /** Seconds left; null until the first pair is done. */
  eta: z.number().nullable(),
  promptTokensPerSecond: z.number(),
  generatedTokensPerSecond: z.number(),
});

const runFinished = z.object({
  run: z.string(),
  status: z.enum(['finished', 'stopped', 'failed']),
  predicted: z.number().int(),
  remaining: z.number().int(),
  seconds: z.number(),
  error: z.string().nullable(),
});

const metrics = z.object({
  n: z.number().int(),
  tp: z.number().int(),
  fp: z.number().int(),
  fn: z.number().int(),
  tn: z.number().int(),
  precision: z.number(),
  recall: z.number(),
  f1: z.number(),
  accuracy: z.number(),
  specificity: z.number(),
  evidenceRecall: z.number().nullable(),
  evidencePrecision: z.number().nullable(),
  evidenceF1: z.number().nullable(),
  evidencePairs: z.number().int(),
  missing: z.number().int(),
  invalid: z.number().int(),
  matchTypes: z.object({ exact: z.number().int(), partial: z.number().int(), proximate: z.number().int(), none: z.number().int() }),
});

const runScore = metrics.extend({
  name: z.string(),
  dataset: z.string(),
  status: z.string(),
  precisionCi: interval,
  recallCi: interval,
  f1Ci: interval,
  evidenceRecallCi: interval.nullable(),
  bootstrap: z.object({ resamples: z.number().int(), seed: z.number().int(), level: z.number() }),
  byChapter: z.array(z.object({ group: z.string(), metrics })),
  byKind: z.array(z.object({ group: z.string(), metrics })),
});

const diffEstimate = z.object({ a: z.number(), b: z.number(), diff: z.number(), ci: interval });

const disagreement = z.object({
  pairId: z.number().int(),
  taskId: z.string(),
  code: z.string(),
  desc: z.string(),
  gold: z.boolean(),
  outcomeA: pairOutcome,
  outcomeB: pairOutcome,
});

const modelRecord = z.object({
  id: z.number().int(),
  sha256: z.string(),
  path: z.string(),
  fileName: z.string(),
  sizeBytes: z.number(),
  architecture: z.string().nullable(),
  parameterCount: z.number().nullable(),
  quantization: z.string().nullable(),
  trainedContext: z.number().nullable(),
  hasChatTemplate: z.boolean(),
  copied: z.boolean(),
  addedAt: z.string(),
  missing: z.boolean(),
});

const modelInspection = z.object({
  path: z.string(),
  fileName: z.string(),
  sizeBytes: z.number(),
  architecture: z.string(),
  parameterCount: z.number(),
  quantization: z.string(),
  trainedContext: z.number().nullable(),
  hasChatTemplate: z.boolean(),
  name: z.string().nullable(),
  computeBackend: z.string(),
  fit: z.object({
    contextSize: z.number(),
    gpuLayers: z.number(),
    ramBytes: z.number(),
    vramBytes: z.number(),
    fitsRam: z.boolean(),
    fitsVram: z.boolean().nullable(),
    freeRamBytes: z.number(),
    totalVramBytes: z.number().nullable(),
    freeVramBytes: z.number().nullable(),
  }),
});

const empty = z.object({}).strict();

export const contract = {
  listDatasets: {
    request: empty,
    response: z.object({ dbPath: z.string(), datasets: z.array(datasetSummary) }),
  },
  importDataset: {
    request: z
      .object({
        dataset: name.optional(),
        format: z.enum(['raw', 'processed']),
        annotations: filePath,
        /** MIMIC-IV-Note discharge.csv[.gz]; needed with the raw format. */
        notes: filePath.optional(),
      })
      .strict(),
    response: importReport,
  },
  listImportProblems: {
    request: z.object({ dataset: name }).strict(),
    response: z.object({ problems: z.array(importProblem) }),
  },
  listPairs: {
    request: pairsFilter,
    response: z.object({ total: z.number().int(), chapters: z.array(z.string()), pairs: z.array(pairRow) }),
  },
  getPair: {
    request: z.object({ pairId: z.number().int().positive() }).strict(),
    response: pairDetail,
  },
  listRuns: {
    request: empty,
    response: z.object({ runs: z.array(runSummary), active: z.object({ run: z.string(), progress: runProgress.nullable() }).nullable() }),
  },
  startRun: {
    request: z
      .object({
        name,
        /** 'baseline', a registered model's id, or a GGUF path. */
        model: z.string().min(1).max(4096),
        dataset: name.optional(),
        strategy: z.enum(['note-major', 'naive']).optional(),
        votes: z.number().int().min(1).max(15).optional(),
        limit: z.number().int().positive().optional(),
        seed: z.number().int().min(0).optional(),
      })
      .strict(),
    response: z.object({ run: z.string() }),
  },
  resumeRun: {
    request: z.object({ name }).strict(),
    response: z.object({ run: z.string() }),
  },
  cancelRun: {
    request: z.object({ name }).strict(),
    response: z.object({ cancelled: z.boolean() }),
  },
  scoreRun: {
    request: z.object({ name, resamples: z.number().int().min(100).max(100_000).optional() }).strict(),
    response: runScore,
  },
  compareRuns: {
    request: z.object({ a: name, b: name, resamples: z.number().int().min(100).max(100_000).optional() }).strict(),
    response: z.object({
      a: z.string(),
      b: z.string(),
      /** Pairs planned by both runs (the comparison is over these only). */
      n: z.number().int(),
      onlyA: z.number().int(),
      onlyB: z.number().int(),
      metricsA: metrics,
      metricsB: metrics,
      diff: z.object({ precision: diffEstimate, recall: diffEstimate, f1: diffEstimate, evidenceRecall: diffEstimate.nullable() }),
      mcnemar: z.object({ bothCorrect: z.number().int(), onlyACorrect: z.number().int(), onlyBCorrect: z.number().int(), bothWrong: z.number().int(), p: z.number() }),
      disagreements: z.array(disagreement),
    }),
  },
  listModels: {
    request: empty,
    response: z.object({ models: z.array(modelRecord) }),
  },
  registerModel: {
    request: z.object({ path: filePath }).strict(),
    response: z.object({ model: modelRecord, created: z.boolean() }),
  },
  inspectModel: {
    request: z.object({ id: z.number().int().positive() }).strict(),
    response: modelInspection,
  },
  /** Desktop only: a native file dialog. Under `medbench serve` it answers a callError of kind 'unavailable'. */
  chooseFile: {
    request: z.object({ purpose: z.enum(['annotations', 'notes', 'processed', 'model', 'predictions']) }).strict(),
    response: z.object({ path: z.string().nullable() }),
  },
} as const;

/** Pushed from the core to the UI (IPC events in the app, Server-Sent Events under serve). */
export const events = {
  runProgress,
  runFinished,
} as const;

export type Contract = typeof contract;
export type CallName = keyof Contract;
export type CallRequest<N extends CallName> = z.infer<Contract[N]['request']>;
export type CallResponse<N extends CallName> = z.infer<Contract[N]['response']>;
export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.infer<Events[E]>;

export type PairOutcome = z.infer<typeof pairOutcome>;

/** Errors cross the boundary as data, never as thrown objects with stacks. */
export const callErrorKinds = ['invalid-request', 'not-found', 'failed', 'unavailable', 'busy'] as const;
export const callError = z.object({ error: z.object({ kind: z.enum(callErrorKinds), message: z.string() }) });
export type CallError = z.infer<typeof callError>;
export type CallErrorKind = CallError['error']['kind'];

/** What the renderer sees, whatever carries the calls (IPC in the app, HTTP under `medbench serve`). */
export type MedbenchApi = { [N in CallName]: (request: CallRequest<N>) => Promise<CallResponse<N> | CallError> } & {
  /** Subscribes to an event; returns the function that unsubscribes. */
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
};

/** What a transport calls: the core's handlers, which may answer an expected failure as a CallError. */
export type CallHandlers = { [N in CallName]: (request: CallRequest<N>) => Promise<CallResponse<N> | CallError> | CallResponse<N> | CallError };

export const callNames = Object.keys(contract) as CallName[];
export const eventNames = Object.keys(events) as EventName[];
export const channelOf = (callName: CallName): string => `${CHANNEL_PREFIX}${callName}`;
export const eventChannelOf = (eventName: EventName): string => `${CHANNEL_PREFIX}event:${eventName}`;

export function isCallName(value: string): value is CallName {
  return Object.prototype.hasOwnProperty.call(contract, value);
}

export function failure(kind: CallErrorKind, message: string): CallError {
  return { error: { kind, message } };
}

export function isCallError(value: unknown): value is CallError {
  return callError.safeParse(value).success;
}

/**
 * What every transport does with one incoming call: validate the request, run the handler,
 * validate the response, and turn anything thrown into a 'failed' CallError (message only; stacks
 * stay in the process that threw).
 */
export async function dispatchCall(handlers: CallHandlers, callName: CallName, payload: unknown): Promise<unknown> {
  const request = contract[callName].request.safeParse(payload ?? {});
  if (!request.success) {
    return failure('invalid-request', `${callName}: ${request.error.issues.map((i) => `${i.path.join('.') || 'request'}: ${i.message}`).join('; ')}`);
  }
  try {
    const handler = handlers[callName] as (request: unknown) => unknown;
    const result = await handler(request.data);
    if (isCallError(result)) return result;
    const response = contract[callName].response.safeParse(result);
    if (!response.success) return failure('failed', `${callName}: the core answered in an unexpected shape (${response.error.issues[0]?.path.join('.')}: ${response.error.issues[0]?.message})`);
    return response.data;
  } catch (error) {
    return failure('failed', error instanceof Error ? error.message : String(error));
  }
}
