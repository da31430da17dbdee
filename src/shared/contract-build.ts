import { z } from 'zod';
import { backendRequestFields } from './contract-backend';

/**
 * The contract calls of the build pipeline and the annotation workspace (issue 15), spread into
 * `contract` in contract.ts. Offsets are code points of the note, as everywhere.
 */
const name = z.string().min(1).max(200);
const filePath = z.string().min(1).max(4096);
const count = z.number().int().min(0).max(1000);
const span = z.object({ start: z.number().int().min(0), end: z.number().int().min(0) });
const evidenceSpan = span.extend({ text: z.string() });

const buildInputs = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('mimic'), diagnoses: filePath, procedures: filePath, icdDiagnoses: filePath, icdProcedures: filePath, notes: filePath }).strict(),
  z.object({ kind: z.literal('plain'), codes: filePath, notes: filePath, codeTable: filePath.optional() }).strict(),
]);

const triageLabel = z.enum(['Explicit', 'Implicit', 'Unrelated', 'invalid']);
const triageOutcome = z.enum(['explicit', 'implicit', 'unrelated', 'putative-positive', 'unconfirmed-unrelated', 'split', 'pending']);

const provenance = z.object({
  kind: z.enum(['assigned', 'prevalence', 'similar']),
  hops: z.number().int(),
  nearestCode: z.string().nullable(),
  similarity: z.number().nullable(),
  prevalence: z.number().int(),
  seqNum: z.number().int().nullable(),
  votes: z.object({ triage: z.array(triageLabel).nullable(), rejudge: z.array(triageLabel).nullable() }),
  triage: triageOutcome.nullable(),
});

const buildSummary = z.object({
  name: z.string(),
  stage: z.string(),
  admissions: z.number().int(),
  pairs: z.number().int(),
  candidates: z.number().int(),
  negatives: z.object({ prevalence: z.number().int(), similar: z.number().int() }),
  triage: z.record(z.string(), z.number().int()),
  triageUnanimous: z.number().nullable(),
  rejudged: z.number().int(),
  rejudgeAgreement: z.number().nullable(),
  chapters: z.record(z.string(), z.number().int()),
  hops: z.object({ prevalence: z.number().nullable(), similar: z.number().nullable() }),
  meanSimilarity: z.number().nullable(),
  prevalence: z.object({ candidates: z.number().nullable(), negatives: z.number().nullable() }),
  triageRun: z.string().nullable(),
  rejudgeRun: z.string().nullable(),
  manifest: z.record(z.string(), z.unknown()),
});

const buildJob = z.object({
  name: z.string(),
  state: z.enum(['running', 'finished', 'stopped', 'failed']),
  /** One line: the stage and how far it is (pairs done / planned, time left). */
  progress: z.string(),
  error: z.string().nullable(),
});

const annotationRecord = z.object({
  annotator: z.string(),
  label: z.boolean().nullable(),
  spans: z.array(evidenceSpan),
  sentences: z.array(z.number().int()),
  rationale: z.string(),
  status: z.enum(['draft', 'submitted']),
  updatedAt: z.string(),
});

const pairKey = { dataset: name, taskId: z.string().min(1).max(200), code: z.string().min(1).max(40) };

const agreementRow = z.object({
  annotators: z.tuple([z.string(), z.string()]),
  n: z.number().int(),
  agreement: z.number().nullable(),
  kappa: z.number().nullable(),
  evidenceOverlap: z.number().nullable(),
  sentenceOverlap: z.number().nullable(),
  evidencePairs: z.number().int(),
});

export const buildContract = {
  /** Starts a build (or continues one of that name) in the background; follow it with listBuilds. */
  startBuild: {
    request: z
      .object({
        name,
        admissions: z.number().int().min(1).max(1_000_000),
        seed: z.number().int().min(0).max(2 ** 31),
        /** As `medbench build --triage`/`--rejudge`: both models run on the one backend below. */
        triage: z.string().min(1).max(4096),
        rejudge: z.string().min(1).max(4096).optional(),
        ...backendRequestFields,
        negativesPrevalence: count,
        negativesSimilar: count,
        embed: filePath.optional(),
        inputs: buildInputs,
      })
      .strict(),
    response: z.object({ started: z.literal(true), name: z.string() }),
  },
  cancelBuild: {
    request: z.object({ name }).strict(),
    response: z.object({ cancelled: z.boolean() }),
  },
  listBuilds: {
    request: z.object({}).strict(),
    response: z.object({ builds: z.array(buildSummary), job: buildJob.nullable() }),
  },
  /** Each pair of a built dataset with its provenance (kind, hops, similarity, votes, triage outcome). */
  listProvenance: {
    request: z.object({ dataset: name }).strict(),
    response: z.object({ pairs: z.array(z.object({ taskId: z.string(), code: z.string(), desc: z.string(), gold: z.boolean(), provenance: provenance })) }),
  },
  setupAnnotation: {
    request: z.object({ dataset: name, annotators: z.array(z.string().min(1).max(40)).min(2).max(50), blind: z.boolean().optional(), showTriage: z.boolean().optional() }).strict(),
    response: z.object({ dataset: z.string(), annotators: z.array(z.string()), assigned: z.number().int(), pairs: z.number().int(), blind: z.boolean(), showTriage: z.boolean() }),
  },
  listAnnotation: {
    request: z.object({ dataset: name.optional() }).strict(),
    response: z.object({
      /** Datasets with annotators, and the annotators of each. */
      datasets: z.array(z.object({ name: z.string(), annotators: z.array(z.string()), blind: z.boolean(), showTriage: z.boolean() })),
    }),
  },
  annotationQueue: {
    request: z.object({ dataset: name, annotator: name }).strict(),
    response: z.object({
      items: z.array(z.object({ pairId: z.number().int(), taskId: z.string(), code: z.string(), desc: z.string(), status: z.enum(['todo', 'draft', 'submitted']), label: z.boolean().nullable() })),
    }),
  },
  getAnnotationTask: {
    request: z.object({ ...pairKey, annotator: name }).strict(),
    response: z.object({
      pairId: z.number().int(),
      dataset: z.string(),
      taskId: z.string(),
      code: z.string(),
      desc: z.string(),
      noteText: z.string(),
      sentences: z.array(z.object({ id: z.number().int(), start: z.number().int(), end: z.number().int() })),
      mine: annotationRecord.nullable(),
      other: annotationRecord.nullable(),
      provenance: provenance.nullable(),
      blind: z.boolean(),
    }),
  },
  saveAnnotation: {
    request: z
      .object({ ...pairKey, annotator: name, label: z.boolean().nullable().optional(), spans: z.array(span).max(200).optional(), rationale: z.string().max(4000).optional(), submit: z.boolean().optional() })
      .strict(),
    response: annotationRecord,
  },
  annotationAgreement: {
    request: z.object({ dataset: name }).strict(),
    response: z.object({
      dataset: z.string(),
      pairs: z.number().int(),
      bothSubmitted: z.number().int(),
      disagreements: z.number().int(),
      adjudicated: z.number().int(),
      unresolvable: z.number().int(),
      byAnnotatorPair: z.array(agreementRow),
      overall: z.object({ n: z.number().int(), kappa: z.number().nullable(), agreement: z.number().nullable() }),
    }),
  },
  listDisagreements: {
    request: z.object({ dataset: name, open: z.boolean().optional() }).strict(),
    response: z.object({
      items: z.array(
        z.object({
          taskId: z.string(),
          code: z.string(),
          desc: z.string(),
          annotations: z.array(z.object({ annotator: z.string(), label: z.boolean(), spans: z.array(evidenceSpan), sentences: z.array(z.number().int()), rationale: z.string() })),
          adjudication: z.object({ outcome: z.enum(['resolved', 'unresolvable']), label: z.boolean().nullable(), spans: z.array(span), rationale: z.string(), adjudicator: z.string() }).nullable(),
        }),
      ),
    }),
  },
  adjudicate: {
    request: z
      .object({ ...pairKey, adjudicator: name, outcome: z.enum(['resolved', 'unresolvable']), label: z.boolean().optional(), spans: z.array(span).max(200).optional(), rationale: z.string().max(4000).optional() })
      .strict(),
    response: z.object({ taskId: z.string(), code: z.string(), outcome: z.string(), label: z.boolean().nullable() }),
  },
  exportDatasetRaw: {
    request: z.object({ dataset: name, out: filePath }).strict(),
    response: z.object({
      dataset: z.string(),
      out: z.string(),
      bytes: z.number().int(),
      rows: z.number().int(),
      positives: z.number().int(),
      negatives: z.number().int(),
      excluded: z.object({ unresolvable: z.number().int(), disagreement: z.number().int(), incomplete: z.number().int() }),
    }),
  },
} as const;
