/**
 * Brings a sequence to "prompt minus its last token": the tokens it already holds that equal the prompt's start are
 * kept (note-major reuse), the rest erased and evaluated in batch-size chunks. The last prompt token is left for
 * the decoder, whose first decode yields the logits where the answer starts; it is therefore decoded again even
 * when reused, and not counted as a prompt token.
 */
import type { LlamaContextSequence, Token } from 'node-llama-cpp';

export interface PromptEvaluation {
  /** Prompt tokens the sequence already held. */
  matched: number;
  /** Prompt tokens evaluated now. */
  evaluated: number;
}

export async function evaluatePromptHead(sequence: LlamaContextSequence, prompt: readonly Token[], batchSize: number, signal?: AbortSignal): Promise<PromptEvaluation> {
  signal?.throwIfAborted();
  const matched = Math.min(sequence.compareContextTokens(prompt as Token[]).firstDifferentIndex, prompt.length);
  const keep = Math.min(matched, prompt.length - 1);
  if (sequence.nextTokenIndex > keep) await sequence.eraseContextTokenRanges([{ start: keep, end: sequence.nextTokenIndex }]);
  const toEvaluate = prompt.slice(keep, -1);
  for (let offset = 0; offset < toEvaluate.length; offset += batchSize) {
    signal?.throwIfAborted();
    await sequence.evaluateWithoutGeneratingNewTokens(toEvaluate.slice(offset, offset + batchSize));
  }
  signal?.throwIfAborted();
  return { matched, evaluated: prompt.length - matched };
}
