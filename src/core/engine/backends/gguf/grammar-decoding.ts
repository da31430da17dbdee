/**
 * The reference decoding path: the whole answer generated under llama.cpp's grammar for the answer's JSON schema.
 * Always well-formed, but the grammar checks the whole vocabulary at every token (4-6x slower per token with a
 * 150k vocabulary). Used when `--decoding grammar` is chosen, when the label words cannot be told apart by their
 * first token, and as the retry when a fast answer does not validate.
 */
import { LlamaGrammarEvaluationState, type GbnfJsonObjectSchema, type LlamaContextSequence, type LlamaGrammar, type LlamaModel, type Token } from 'node-llama-cpp';
import { answerSchema } from '../../answer-schema';
import type { EngineSentence, LabelMode } from '../../backend';
import { JsonObjectEnd, jsonObjectEnd } from './stop-detection';
import type { PhaseThreads } from './threads';

export const SAMPLER_TOP_K = 40;
export const SAMPLER_TOP_P = 0.95;
const GRAMMAR_CACHE_SIZE = 32;

export interface SamplingSettings {
  temperature: number;
  seed: number;
}

export interface DecodedAnswer {
  /** The answer's text as the model's context holds it (forced scaffold included on the fast path). */
  rawOutput: string;
  /** The JSON object to validate. */
  answerText: string;
  stop: 'json' | 'eog' | 'maxTokens';
  generatedTokens: number;
  /** Positive-label probability from the label position's logits; null when not read. */
  probability: number | null;
  /** Set when the fast path could not finish and the caller should use the grammar path. */
  fallbackReason?: string;
}

/** LRU cache of compiled grammars by label mode and sentence ids (windows of a note reuse theirs). */
export class GrammarCache {
  private readonly grammars = new Map<string, Promise<LlamaGrammar>>();

  constructor(private readonly model: LlamaModel) {}

  get(sentences: readonly EngineSentence[], labels: LabelMode): Promise<LlamaGrammar> {
    const ids = sentences.map((sentence) => sentence.id);
    const key = `${labels}:${ids.join(',')}`;
    let grammar = this.grammars.get(key);
    if (grammar) {
      this.grammars.delete(key); // re-insert: Map order is the LRU order
    } else {
      // The schema is built at run time, so its literal type (which the grammar API infers from) is unknown here.
      const schema = answerSchema(ids, labels) as unknown as GbnfJsonObjectSchema;
      grammar = this.model.llama.createGrammarForJsonSchema<GbnfJsonObjectSchema>(schema);
    }
    this.grammars.set(key, grammar);
    while (this.grammars.size > GRAMMAR_CACHE_SIZE) this.grammars.delete(this.grammars.keys().next().value as string);
    return grammar;
  }

  clear(): void {
    this.grammars.clear();
  }
}

/** Generates the whole answer under the grammar after feeding `pending` (the prompt's last token, or a thought's end). */
export async function decodeWithGrammar(
  model: LlamaModel,
  sequence: LlamaContextSequence,
  pending: Token[],
  grammar: LlamaGrammar,
  sampling: SamplingSettings,
  maxTokens: number,
  threads: PhaseThreads,
  signal: AbortSignal | undefined,
): Promise<DecodedAnswer> {
  threads.use('generation');
  const generated: Token[] = [];
  const end = new JsonObjectEnd();
  let stop: DecodedAnswer['stop'] = 'maxTokens';
  const iterator = sequence.evaluate(pending, {
    temperature: sampling.temperature,
    seed: sampling.seed,
    ...(sampling.temperature > 0 ? { topK: SAMPLER_TOP_K, topP: SAMPLER_TOP_P } : {}),
    grammarEvaluationState: new LlamaGrammarEvaluationState({ model, grammar }),
    yieldEogToken: true,
  });
  for await (const token of iterator) {
    signal?.throwIfAborted();
    if (model.isEogToken(token)) {
      stop = 'eog';
      break;
    }
    generated.push(token);
    if (end.push(model.detokenize([token], false))) {
      stop = 'json';
      break;
    }
    if (generated.length >= maxTokens) break;
  }
  const rawOutput = model.detokenize(generated, false);
  const answerEnd = jsonObjectEnd(rawOutput);
  return {
    rawOutput,
    answerText: (answerEnd === null ? rawOutput : rawOutput.slice(0, answerEnd)).trim(),
    stop,
    generatedTokens: generated.length + (stop === 'eog' ? 1 : 0),
    probability: null,
  };
}
