/** The lexical baseline: its input and output shapes, and the tuning constants every step shares. */
export interface BaselineSentence {
  id: number;
  text: string;
}

export interface BaselineConcept {
  code: string;
  desc: string;
}

export interface BaselinePrediction {
  label: boolean;
  evidence: number[];
  rationale: string;
  /** 0..1 match strength. */
  score: number;
}

/** Scores at or above this are predicted True. Missing one strong qualifier (type, hf_type) of a matched disease lands just above it. */
export const BASELINE_THRESHOLD = 0.7;
export const MAX_EVIDENCE_SENTENCES = 3;
export const MAX_RATIONALE_LENGTH = 200;

export const GROUP_WEIGHT = 3;
export const WORD_WEIGHT = 2;
export const WEAK_WORD_WEIGHT = 0.6;
/** Credit for a sentence that names only a broader idea than the concept (anemia for acute blood loss anemia). */
export const PARTIAL_CREDIT = 0.5;
/** Terms split across two adjacent sentences count a little less than terms in one sentence. */
export const PAIR_FACTOR = 0.85;
/** A qualifier the note contradicts elsewhere and never confirms makes an unqualified mention doubtful. */
export const NOTE_CONFLICT_FACTOR = 0.6;
/** Tokens between a matched term and a qualifier (or excluded term) for the qualifier to be read as about it. */
export const QUALIFIER_WINDOW = 6;
export const NEGATION_WINDOW_FORWARD = 6;
export const NEGATION_WINDOW_BACKWARD = 4;
export const OTHER_PERSON_WINDOW = 8;
export const MAX_SURFACE_LENGTH = 40;
