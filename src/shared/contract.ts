import { z } from 'zod';
import { backendRequestFields } from './contract-backend';
import { buildContract } from './contract-build';

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

/** One option of a backend (src/core/engine/backends/registry.ts OptionField), plain JSON for a generated form. */
const backendOptionField = z.object({
  name: z.string(),
  flag: z.string(),
  type: z.enum(['string', 'integer', 'number', 'boolean', 'enum', 'string-list']),
  description: z.string(),
  default: z.union([z.string(), z.number(), z.boolean()]).nullable(),
  required: z.boolean(),
  choices: z.array(z.string()).optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  /** The URL field whose host must be confirmed by the user when it is not loopback (shared/hosts.ts decides), then sent in this field. */
  confirmsHostOf: z.string().optional(),
});

const backendDescription = z.object({
  id: z.string(),
  label: z.string(),
  description: z.string(),
  /** What the run's `model` names: nothing (baseline), a GGUF file / registered model, or the server's model name. */
  model: z.enum(['none', 'file', 'server']),
  capabilities: z.object({
    grammar: z.boolean(),
    probabilities: z.boolean(),
    prefixReuse: z.boolean(),
    parallelism: z.boolean(),
    votes: z.boolean(),
    needsModelFile: z.boolean(),
    remote: z.boolean(),
  }),
  fields: z.array(backendOptionField),
});

const importProblem = z.object({
  kind: z.enum(['missing-note', 'span-out-of-range', 'duplicate-pair', 'bad-row', 'bad-code']),
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
  /** Share of the gold sentences the run's answer cited; null without a run, without an answer or without gold evidence. */
  evidenceRecall: z.number().nullable().optional(),
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
    /** Needs `run`: pairs with gold evidence where the run's answer cited none of the gold sentences. */
    evidenceMissed: z.boolean().optional(),
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
  /** null for imported predictions (backend 'external'): no time was measured here. */
  ms: z.number().nullable(),
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
  /** null for imported predictions (backend 'external'): no strategy was used here. */
  strategy: z.string().nullable(),
  votes: z.number().int(),
  seed: z.number().int(),
  labels: z.string(),
  limit: z.number().int().nullable(),
});

/**
 * Why a run's numbers need care, wherever they show. degenerate: one label for >= 95% of the pairs;
 * small-n: too few pairs for the numbers to mean much; fewer-pairs: compared on fewer pairs than planned;
 * interrupted: the process writing the run is gone; external: imported predictions.
 */
const runWarning = z.object({
  kind: z.enum(['degenerate', 'small-n', 'fewer-pairs', 'interrupted', 'external']),
  run: z.string().nullable(),
  message: z.string(),
  /** degenerate: the label predicted for most pairs, and its share of the scored pairs. */
  label: z.boolean().optional(),
  share: z.number().optional(),
});

/** A UI-neutral hint attached to a state or an error: the CLI and the UI each word the action their way. */
const actionHint = z.object({
  action: z.enum(['resume-run', 'choose-other-name', 'register-model', 'import-dataset', 'choose-other-path', 'wait-for-run']),
  run: z.string().optional(),
  path: z.string().optional(),
});

/** 'interrupted': stored as running but the process that wrote it is gone (computed on read). */
const runStatus = z.enum(['running', 'stopped', 'finished', 'failed', 'interrupted']);

const runSummary = z.object({
  name: z.string(),
  dataset: z.string(),
  backend: z.string(),
  model: z.string().nullable(),
  status: runStatus,
  /** Whether Resume makes sense: stopped, failed or interrupted with pairs left (never for imported predictions). */
  resumable: z.boolean(),
  hint: actionHint.nullable(),
  warnings: z.array(runWarning),
  /** The prompt preset or file the run used; null for runs without a prompt (baseline, imported). */
  prompt: z.object({ name: z.string(), hash: z.string().nullable() }).nullable(),
  settings: runSettings,
  manifest: z.record(z.string(), z.unknown()),
  error: z.string().nullable(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
  /** null for imported predictions: no time was spent here. */
  activeSeconds: z.number().nullable(),
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
  /** Seconds left, from a moving window of recent pairs; null until the first pair is done. */
  eta: z.number().nullable(),
  promptTokensPerSecond: z.number(),
  /** Live: over the recent window, counting tokens of answers still being generated. */
  generatedTokensPerSecond: z.number(),
  /** Tokens generated so far for the pairs in flight (moves during long generations). */
  inFlightTokens: z.number().int().optional(),
  /** Pairs per second over the recent window; null until known. */
  pairsPerSecond: z.number().nullable().optional(),
});

const runFinished = z.object({
  run: z.string(),
  status: z.enum(['finished', 'stopped', 'failed']),
  predicted: z.number().int(),
  remaining: z.number().int(),
  seconds: z.number(),
  error: z.string().nullable(),
  /** Whether the run can be resumed now (stopped or failed with pairs left). */
  resumable: z.boolean().optional(),
});

const metrics = z.object({
  n: z.number().int(),
  tp: z.number().int(),
  fp: z.number().int(),
  fn: z.number().int(),
  tn: z.number().int(),
  /** null when undefined (0/0): shown as n/a, never as 0. */
  precision: z.number().nullable(),
  recall: z.number().nullable(),
  f1: z.number().nullable(),
  accuracy: z.number().nullable(),
  specificity: z.number().nullable(),
  /** Matthews correlation in [-1, 1]; null when a row or column of the confusion matrix is empty. */
  mcc: z.number().nullable(),
  /** (recall + specificity) / 2; null when either is undefined. */
  balancedAccuracy: z.number().nullable(),
  evidenceRecall: z.number().nullable(),
  evidencePrecision: z.number().nullable(),
  evidenceF1: z.number().nullable(),
  evidencePairs: z.number().int(),
  missing: z.number().int(),
  invalid: z.number().int(),
  matchTypes: z.object({ exact: z.number().int(), partial: z.number().int(), proximate: z.number().int(), none: z.number().int() }),
});

/** smallN: fewer than 10 pairs in the group, so its percentages carry little weight. */
const breakdownGroup = z.object({ group: z.string(), metrics, smallN: z.boolean() });

/** What trivial predictors score on the same pairs: always True, always False, and the lexical baseline. */
const referenceKind = z.enum(['always-true', 'always-false', 'baseline']);
const referenceRow = z.object({ reference: referenceKind, label: z.string(), metrics });

/**
 * Figures over the probability of the positive label (scikit-learn's definitions; see
 * src/core/scoring/curves.ts). Pairs without a probability are left out and counted in
 * probabilityMissing; every figure is null when no pair has one.
 */
const rocPoint = z.object({ fpr: z.number(), tpr: z.number(), threshold: z.number().nullable() });
const prPoint = z.object({ recall: z.number(), precision: z.number(), threshold: z.number().nullable() });
const sweepPoint = z.object({
  threshold: z.number(),
  tp: z.number().int(),
  fp: z.number().int(),
  fn: z.number().int(),
  tn: z.number().int(),
  precision: z.number(),
  recall: z.number().nullable(),
  f1: z.number(),
});
const calibrationBin = z.object({ lo: z.number(), hi: z.number(), count: z.number().int(), meanProbability: z.number().nullable(), fractionPositive: z.number().nullable() });
const probabilityScore = z.object({
  probabilityPairs: z.number().int(),
  probabilityMissing: z.number().int(),
  auroc: z.number().nullable(),
  averagePrecision: z.number().nullable(),
  aurocCi: interval.nullable(),
  averagePrecisionCi: interval.nullable(),
  roc: z.array(rocPoint).nullable(),
  pr: z.array(prPoint).nullable(),
  /** best: the F1-best threshold, chosen on the scored pairs themselves (tunedOnTestSet). */
  sweep: z.object({ points: z.array(sweepPoint), best: sweepPoint.extend({ tunedOnTestSet: z.literal(true) }).nullable() }).nullable(),
  brier: z.number().nullable(),
  ece: z.number().nullable(),
  calibration: z.array(calibrationBin).nullable(),
});
export type ProbabilityScore = z.infer<typeof probabilityScore>;

const runScore = metrics.extend({
  name: z.string(),
  dataset: z.string(),
  status: z.string(),
  precisionCi: interval,
  recallCi: interval,
  f1Ci: interval,
  evidenceRecallCi: interval.nullable(),
  bootstrap: z.object({ resamples: z.number().int(), seed: z.number().int(), level: z.number() }),
  byChapter: z.array(breakdownGroup),
  byKind: z.array(breakdownGroup),
  warnings: z.array(runWarning),
  references: z.array(referenceRow),
  /** null for imported predictions; otherwise the run's recorded settings in brief. */
  strategy: z.string().nullable().optional(),
  ...probabilityScore.shape,
});

const leaderboardEntry = metrics.extend({
  /** null for reference rows (always True/False, baseline), which are shown but never ranked. */
  rank: z.number().int().nullable(),
  run: z.string(),
  reference: referenceKind.nullable(),
  precisionCi: interval,
  recallCi: interval,
  f1Ci: interval,
  evidenceRecallCi: interval.nullable(),
  /** McNemar against the best run; b = best right and this one wrong. null for the best run. */
  vsBest: z.object({ b: z.number().int(), c: z.number().int(), mcnemarP: z.number() }).nullable(),
  warnings: z.array(runWarning),
});

const outcomeFilterValue = z.enum(['correct', 'wrong', 'tp', 'fp', 'fn', 'tn', 'invalid', 'missing']);

const promptProblem = z.object({
  kind: z.enum(['unknown-placeholder', 'missing-placeholder', 'duplicate-placeholder', 'order', 'empty']),
  placeholder: z.string().nullable(),
  message: z.string(),
});

const predictionProblem = z.object({
  kind: z.enum(['unknown-pair', 'duplicate-row', 'bad-row', 'evidence-not-found']),
  row: z.number().int(),
  line: z.number().int().nullable(),
  taskId: z.string().nullable(),
  code: z.string().nullable(),
  detail: z.string(),
});

/** How one raw model output was read: which JSON object(s) it held and which one was used. */
const outputParse = z.object({
  kind: z.enum(['json', 'multiple-json', 'no-json', 'empty', 'imported']),
  objects: z.array(z.object({ start: z.number().int(), end: z.number().int(), text: z.string(), valid: z.boolean() })),
  /** Index into objects of the one the answer came from; null when none. */
  used: z.number().int().nullable(),
  message: z.string(),
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
        /** A prompt preset name (listPromptPresets) or a template file path. */
        prompt: z.string().min(1).max(4096).optional(),
        /** An edited template's text (the run form's editor); wins over `prompt`. */
        promptText: z.string().min(1).max(100_000).optional(),
        ...backendRequestFields,
        /** As the CLI's --labels, --temperature and --max-tokens. */
        labels: z.enum(['binary', '3way']).optional(),
        temperature: z.number().min(0).max(5).optional(),
        maxTokens: z.number().int().positive().max(1_000_000).optional(),
      })
      .strict(),
    response: z.object({ run: z.string() }),
  },
  /** Every inference backend with its capabilities and option fields: the run form is built from it. */
  listBackends: {
    request: empty,
    response: z.object({ backends: z.array(backendDescription) }),
  },
  resumeRun: {
    request: z.object({ name, /** A typed-in API key for a server backend's run (never stored). */ apiKey: z.string().min(1).max(4096).optional() }).strict(),
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
      /** Pairs each run planned; n < planned means the comparison left pairs out (see warnings). */
      plannedA: z.number().int().optional(),
      plannedB: z.number().int().optional(),
      /** Mean Jaccard of the two runs' cited sentences over common pairs where either cited any; null if none did. */
      evidenceJaccard: z.number().nullable().optional(),
      warnings: z.array(runWarning).optional(),
    }),
  },
  /** Any number of runs: leaderboard (with reference rows), outcome matrix, discordant pairs, evidence agreement. */
  compareMany: {
    request: z
      .object({
        runs: z.array(name).min(2).max(30),
        resamples: z.number().int().min(100).max(100_000).optional(),
        /** Keep matrix rows where every listed run has the given outcome. */
        filter: z.array(z.object({ run: name, outcome: outcomeFilterValue })).max(30).optional(),
      })
      .strict(),
    response: z.object({
      dataset: z.string(),
      /** Pairs planned by every run: all statistics are over these. */
      n: z.number().int(),
      runs: z.array(z.object({ run: z.string(), backend: z.string(), status: runStatus, planned: z.number().int(), comparedOn: z.number().int() })),
      best: z.string(),
      leaderboard: z.array(leaderboardEntry),
      bootstrap: z.object({ resamples: z.number().int(), seed: z.number().int(), level: z.number() }),
      warnings: z.array(runWarning),
      /** One row per common pair (after the filter); outcomes[i] belongs to runs[i]. */
      matrix: z.array(pairIdentity.extend({ outcomes: z.array(pairOutcome) })),
      /** Every unordered pair of runs: pair ids where exactly one of them is right. */
      discordant: z.array(z.object({ a: z.string(), b: z.string(), aRightBWrong: z.array(z.number().int()), bRightAWrong: z.array(z.number().int()), mcnemarP: z.number() })),
      /** Mean Jaccard of cited sentences over pairs where either run cited any (null when neither ever did). */
      evidenceAgreement: z.array(z.object({ a: z.string(), b: z.string(), jaccard: z.number().nullable(), pairs: z.number().int() })),
    }),
  },
  renameRun: {
    request: z.object({ name, newName: name }).strict(),
    response: z.object({ run: z.string() }),
  },
  /** Deletes a run with its predictions (never while it is being written); the audit log keeps a record. */
  deleteRun: {
    request: z.object({ name }).strict(),
    response: z.object({ deleted: z.string(), predictions: z.number().int() }),
  },
  listPromptPresets: {
    request: empty,
    response: z.object({
      presets: z.array(z.object({ name: z.string(), label: z.string(), description: z.string(), text: z.string(), hash: z.string(), placeholders: z.array(z.string()) })),
      placeholders: z.array(z.object({ name: z.string(), required: z.boolean(), description: z.string() })),
    }),
  },
  /** Checks a prompt template's placeholders for the editor. */
  validatePrompt: {
    request: z.object({ text: z.string().max(100_000) }).strict(),
    response: z.object({ ok: z.boolean(), placeholders: z.array(z.string()), problems: z.array(promptProblem) }),
  },
  /** Groups of runs whose settings are identical except the prompt, each run with its headline numbers. */
  promptExperiments: {
    request: z.object({ dataset: name.optional() }).strict(),
    response: z.object({
      groups: z.array(
        z.object({
          dataset: z.string(),
          settings: z.record(z.string(), z.unknown()),
          runs: z.array(z.object({ run: z.string(), prompt: z.string(), promptHash: z.string().nullable(), status: runStatus, n: z.number().int(), planned: z.number().int(), metrics, warnings: z.array(runWarning) })),
        }),
      ),
    }),
  },
  /** The prompt a run's model saw for a pair, and how each raw output was parsed. */
  getPairPrompt: {
    request: z.object({ pairId: z.number().int().positive(), run: name }).strict(),
    response: z.object({
      run: z.string(),
      pairId: z.number().int(),
      backend: z.string(),
      prompt: z.object({ name: z.string().nullable(), hash: z.string().nullable(), text: z.string().nullable(), note: z.string().nullable() }),
      outputs: z.array(z.object({ sampleIndex: z.number().int().nullable(), rawOutput: z.string(), parse: outputParse })),
    }),
  },
  exportSubmission: {
    request: z.object({ run: name, path: filePath }).strict(),
    response: z.object({ path: z.string(), bytes: z.number().int(), rows: z.number().int(), missing: z.number().int(), invalid: z.number().int(), warning: z.string() }),
  },
  writeReport: {
    request: z
      .object({ run: name, path: filePath, compare: name.optional(), format: z.enum(['html', 'md', 'json']).optional(), includeText: z.boolean().optional(), resamples: z.number().int().min(100).max(100_000).optional() })
      .strict(),
    response: z.object({ path: z.string(), format: z.enum(['html', 'md', 'json']), bytes: z.number().int(), includesText: z.boolean() }),
  },
  importPredictions: {
    request: z.object({ file: filePath, name, dataset: name.optional(), allPairs: z.boolean().optional() }).strict(),
    response: z.object({ name: z.string(), dataset: z.string(), rows: z.number().int(), imported: z.number().int(), n: z.number().int(), problems: z.array(predictionProblem) }),
  },
  /** Server-side check of a typed path (with ~ expanded): an existing readable file, or a writable place for a new file. */
  checkPath: {
    request: z.object({ path: filePath, purpose: z.enum(['read-file', 'write-file']) }).strict(),
    response: z.object({ path: z.string(), ok: z.boolean(), message: z.string().nullable() }),
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
  /** The build pipeline and the annotation workspace (issue 15): contract-build.ts. */
  ...buildContract,
} as const;

/** Pushed from the core to the UI (IPC events in the app, Server-Sent Events under serve). */
/** The desktop app's core process died (the window says so); a run in it stopped and can be resumed. */
const coreCrashed = z.object({
  exitCode: z.number().int().nullable(),
  /** False after repeated crashes: the core stays down until the app restarts. */
  restarted: z.boolean(),
  run: z.string().nullable(),
});

export const events = {
  runProgress,
  runFinished,
  coreCrashed,
} as const;

export type Contract = typeof contract;
export type CallName = keyof Contract;
export type CallRequest<N extends CallName> = z.infer<Contract[N]['request']>;
export type CallResponse<N extends CallName> = z.infer<Contract[N]['response']>;
export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.infer<Events[E]>;

export type PairOutcome = z.infer<typeof pairOutcome>;
export type RunWarning = z.infer<typeof runWarning>;
export type ActionHint = z.infer<typeof actionHint>;
export type RunStatusValue = z.infer<typeof runStatus>;

/** Errors cross the boundary as data, never as thrown objects with stacks. */
export const callErrorKinds = ['invalid-request', 'not-found', 'failed', 'unavailable', 'busy'] as const;
export const callError = z.object({
  error: z.object({
    kind: z.enum(callErrorKinds),
    /** Worded for any UI: no CLI flags or commands. */
    message: z.string(),
    /** What the user can do about it, for the UI to offer as a button or link. */
    hint: actionHint.optional(),
  }),
});
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

export function failure(kind: CallErrorKind, message: string, hint?: ActionHint): CallError {
  return { error: { kind, message, ...(hint ? { hint } : {}) } };
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
