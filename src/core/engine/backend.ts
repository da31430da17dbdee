/**
 * The contract between inference backends (the lexical baseline, GGUF models through node-llama-cpp, OpenAI-compatible
 * servers; each registered in backends/registry.ts) and the
 * run orchestration (store, resume, vote aggregation, CLI). Backends know nothing about the store; the runner
 * knows nothing about tokens beyond the counts reported here.
 */

/** One numbered sentence of a note; `id` is the 1-based sentence id, shown to models as "[S12] text". */
export interface EngineSentence {
  id: number;
  text: string;
}

export interface EngineConcept {
  pairId: number;
  code: string;
  desc: string;
}

export interface EngineNote {
  noteKey: number;
  sentences: readonly EngineSentence[];
  concepts: readonly EngineConcept[];
}

/** binary: True/False; 3way: Explicit/Implicit/Unrelated. */
export type LabelMode = 'binary' | '3way';

export interface SampleResult {
  sampleIndex: number;
  seed: number;
  status: 'ok' | 'invalid';
  /** As the model wrote it ("True", "Implicit", ...). */
  rawLabel: string | null;
  /** True/Explicit/Implicit -> true; False/Unrelated -> false; null when invalid. */
  label: boolean | null;
  /** Sentence ids (sorted, unique), from "S12" strings. */
  evidence: number[];
  rationale: string;
  /** The model's text exactly. */
  rawOutput: string;
  /** Why the sample is invalid; null when ok. */
  error: string | null;
  /** Prompt tokens actually evaluated for this sample (0 for samples 2..N, which reuse the prompt). */
  promptTokens: number;
  /** Prompt tokens NOT evaluated thanks to reuse. */
  reusedTokens: number;
  generatedTokens: number;
  ms: number;
  /** How many context windows were used (1 unless the note was split). */
  windows: number;
  /** Probability of the positive label in [0, 1] (label-token distribution, or a backend's own score); absent/null when the backend has none. */
  probability?: number | null;
  /** The thought segment of a reasoning model, cut at the budget; absent/null when the model did not think. */
  thinking?: string | null;
  /** Tokens of the thought segment, counted apart from generatedTokens' answer. */
  thinkingTokens?: number;
  /** Which decoding path produced the answer (e.g. "label-logits", "grammar"); absent/null when the backend has one path. */
  answerPath?: string | null;
}

export interface ConceptResult {
  pairId: number;
  samples: SampleResult[];
}

export interface BackendRunOptions {
  /**
   * Called as a backend generates, with the number of tokens generated since its last call, so
   * progress and tokens/s move during a long answer (optional: a backend that cannot tell skips it).
   */
  onTokens?: (generated: number) => void;
  votes: number;
  seed: number;
  labels: LabelMode;
  signal?: AbortSignal;
  temperature?: number;
}

export interface InferenceBackend {
  /** The registry id of the backend that made it ('baseline', 'gguf', 'openai', ...; see backends/registry.ts). */
  readonly kind: string;
  /** How many notes the runner may have in flight at once (parallel context sequences). */
  readonly parallelism: number;
  /** Facts for the run manifest (model, versions, compute backend, context size, gpu layers, prompt/schema hashes, sampler...). */
  manifest(): Record<string, unknown>;
  /** Yields one ConceptResult per concept of the note as soon as it is done (order of note.concepts). Must honour signal (throw AbortError-ish or stop). */
  predictNote(note: EngineNote, options: BackendRunOptions): AsyncGenerator<ConceptResult>;
  dispose(): Promise<void>;
}
