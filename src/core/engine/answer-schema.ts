/**
 * The JSON answer a model must give for one note–concept pair, as a JSON schema (turned into a grammar by the GGUF
 * backend) and as a validator. Grammars make output well-formed but are not trusted: every answer is validated
 * again after JSON.parse, because a grammar cannot express everything (e.g. that evidence ids are unique).
 */
import crypto from 'node:crypto';
import type { LabelMode } from './backend';

export const ANSWER_SCHEMA_VERSION = 'medbench-answer-v1';
/** Greedy decoding under a grammar can loop on array items forever; a cap keeps answers short. */
export const MAX_EVIDENCE_ITEMS = 8;
export const MAX_RATIONALE_LENGTH = 300;

const LABEL_WORDS: Record<LabelMode, readonly string[]> = {
  binary: ['True', 'False'],
  '3way': ['Explicit', 'Implicit', 'Unrelated'],
};

/** Words that mean "the note documents the concept". */
const POSITIVE_LABELS = new Set(['True', 'Explicit', 'Implicit']);

export function labelWords(labels: LabelMode): readonly string[] {
  return LABEL_WORDS[labels];
}

export function labelToBoolean(rawLabel: string): boolean {
  return POSITIVE_LABELS.has(rawLabel);
}

export interface AnswerSchema {
  type: 'object';
  properties: {
    label: { enum: string[] };
    evidence: { type: 'array'; items: { enum: string[] }; maxItems: number };
    rationale: { type: 'string'; maxLength: number };
  };
  required: ['label', 'evidence', 'rationale'];
}

export function sentenceKey(id: number): string {
  return `S${id}`;
}

export function evidenceLimit(sentenceCount: number): number {
  return Math.min(MAX_EVIDENCE_ITEMS, sentenceCount);
}

export function answerSchema(sentenceIds: readonly number[], labels: LabelMode): AnswerSchema {
  return {
    type: 'object',
    properties: {
      label: { enum: [...labelWords(labels)] },
      evidence: { type: 'array', items: { enum: sentenceIds.map(sentenceKey) }, maxItems: evidenceLimit(sentenceIds.length) },
      rationale: { type: 'string', maxLength: MAX_RATIONALE_LENGTH },
    },
    required: ['label', 'evidence', 'rationale'],
  };
}

/** sha256 of the schema's JSON; key order is fixed by answerSchema, so equal schemas hash equally. */
export function schemaHash(schema: AnswerSchema): string {
  return crypto.createHash('sha256').update(JSON.stringify(schema)).digest('hex');
}

export interface ParsedAnswer {
  rawLabel: string;
  label: boolean;
  /** Sentence ids, sorted and unique. */
  evidence: number[];
  rationale: string;
}

export type ParseAnswerResult = { ok: true; answer: ParsedAnswer } | { ok: false; error: string };

const EVIDENCE_PATTERN = /^S([1-9][0-9]*)$/;

export function parseAnswer(text: string, sentenceIds: readonly number[], labels: LabelMode): ParseAnswerResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `not valid JSON: ${(error as Error).message}` };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { ok: false, error: 'the answer is not a JSON object' };
  }
  const record = parsed as Record<string, unknown>;
  const unknownKeys = Object.keys(record).filter((key) => !['label', 'evidence', 'rationale'].includes(key));
  if (unknownKeys.length > 0) return { ok: false, error: `unexpected field(s): ${unknownKeys.join(', ')}` };

  const allowed = labelWords(labels);
  if (typeof record.label !== 'string' || !allowed.includes(record.label)) {
    return { ok: false, error: `label must be one of ${allowed.join(', ')}; got ${JSON.stringify(record.label ?? null)}` };
  }
  if (!Array.isArray(record.evidence)) return { ok: false, error: 'evidence must be an array' };
  const limit = evidenceLimit(sentenceIds.length);
  if (record.evidence.length > limit) {
    return { ok: false, error: `evidence lists ${record.evidence.length} sentences; at most ${limit} are allowed` };
  }
  // A few cited ids against a note's hundreds: a scan each costs less than building a set per answer.
  const evidence = new Set<number>();
  for (const item of record.evidence) {
    const match = typeof item === 'string' ? EVIDENCE_PATTERN.exec(item) : null;
    if (!match) return { ok: false, error: `evidence item ${JSON.stringify(item)} is not a sentence id like "S3"` };
    const id = Number(match[1]);
    if (!sentenceIds.includes(id)) return { ok: false, error: `evidence cites ${item}, which is not a sentence of the note` };
    evidence.add(id);
  }
  if (typeof record.rationale !== 'string') return { ok: false, error: 'rationale must be a string' };
  // Code points, like the grammar counts characters (UTF-16 units are never fewer, so short texts need no count).
  const rationaleLength = record.rationale.length <= MAX_RATIONALE_LENGTH ? record.rationale.length : Array.from(record.rationale).length;
  if (rationaleLength > MAX_RATIONALE_LENGTH) {
    return { ok: false, error: `rationale has ${rationaleLength} characters; at most ${MAX_RATIONALE_LENGTH} are allowed` };
  }
  return {
    ok: true,
    answer: {
      rawLabel: record.label,
      label: labelToBoolean(record.label),
      evidence: [...evidence].sort((a, b) => a - b),
      rationale: record.rationale,
    },
  };
}
