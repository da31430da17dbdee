/**
 * Reasoning models: the thought segment (Qwen3's `<think>…</think>`, markers from node-llama-cpp's chat wrapper)
 * goes before the answer. `off` uses the wrapper's own way of skipping it (Qwen3: an empty thought, as its template
 * does with enable_thinking=false); `on` generates it freely up to `budget` tokens, closes it (forcing the closing
 * marker when the budget cuts it), and the constrained answer follows. Its text and tokens are kept apart from the
 * answer's.
 */
import {
  LlamaText,
  QwenChatWrapper,
  resolveChatWrapper,
  type ChatWrapper,
  type LlamaContextSequence,
  type LlamaModel,
  type Token,
} from 'node-llama-cpp';
import { UserError } from '../../../errors';
import { SAMPLER_TOP_K, SAMPLER_TOP_P, type SamplingSettings } from './grammar-decoding';
import type { PhaseThreads } from './threads';

export type ThinkingMode = 'off' | 'on';
export const DEFAULT_THINKING_BUDGET = 512;

export interface ThoughtMarkers {
  open: string;
  close: string;
}

/** The chat wrapper for the prompt frame and, with thinking on, the thought segment's markers. */
export function resolveThinking(model: LlamaModel, mode: ThinkingMode): { wrapper: ChatWrapper | undefined; markers: ThoughtMarkers | null } {
  if (typeof model.fileInfo.metadata.tokenizer?.chat_template !== 'string') {
    if (mode === 'on') throw new UserError('--thinking on needs a model with a chat template that has a thought segment; this model has no chat template');
    return { wrapper: undefined, markers: null };
  }
  const resolved = resolveChatWrapper(model);
  if (resolved instanceof QwenChatWrapper) {
    const wrapper = new QwenChatWrapper({ thoughts: mode === 'off' ? 'discourage' : 'modelInitiated', variation: resolved.variation });
    return { wrapper, markers: mode === 'on' ? markersOf(wrapper) : null };
  }
  if (mode === 'off') return { wrapper: resolved, markers: null };
  const markers = markersOf(resolved);
  if (markers === null) {
    throw new UserError(`--thinking on needs a chat template with a thought segment; this model's (${resolved.wrapperName}) has none`);
  }
  return { wrapper: resolved, markers };
}

function markersOf(wrapper: ChatWrapper): ThoughtMarkers | null {
  const thought = wrapper.settings.segments?.thought;
  // A prefix "opened on start" (gpt-oss Harmony) has no text of its own to force.
  if (!thought || (typeof thought.prefix === 'object' && 'type' in thought.prefix)) return null;
  const text = (value: string | LlamaText): string => (typeof value === 'string' ? value : LlamaText(value).toString());
  const open = text(thought.prefix);
  const close = thought.suffix === undefined ? '' : text(thought.suffix);
  return open && close ? { open, close } : null;
}

export interface Thought {
  text: string;
  /** Tokens generated inside the segment (the markers not counted). */
  tokens: number;
  /** The budget cut the thought before the model closed it. */
  cut: boolean;
  /** Tokens to feed before the answer: the closing marker and the blank line after it. */
  pending: Token[];
}

/**
 * Generates the thought from `pending` (the prompt's last token) on. The model's closing marker ends it; at the
 * budget the marker is forced. Returns the tokens the answer must be fed first.
 */
export async function think(
  model: LlamaModel,
  sequence: LlamaContextSequence,
  pending: Token[],
  markers: ThoughtMarkers,
  budget: number,
  sampling: SamplingSettings,
  threads: PhaseThreads,
  signal: AbortSignal | undefined,
): Promise<Thought> {
  threads.use('generation');
  const open = model.tokenize(markers.open, true, 'trimLeadingSpace');
  const close = model.tokenize(`${markers.close}\n\n`, true, 'trimLeadingSpace');
  const generated: Token[] = [];
  let closedByModel = false;
  const iterator = sequence.evaluate([...pending, ...open], {
    temperature: sampling.temperature,
    seed: sampling.seed,
    ...(sampling.temperature > 0 ? { topK: SAMPLER_TOP_K, topP: SAMPLER_TOP_P } : {}),
    yieldEogToken: true,
  });
  for await (const token of iterator) {
    signal?.throwIfAborted();
    if (generated.length >= budget) break;
    if (model.isEogToken(token)) break;
    generated.push(token);
    const text = model.detokenize(generated, true);
    if (text.includes(markers.close.trim())) {
      closedByModel = true;
      break;
    }
  }
  let text = model.detokenize(generated, true);
  const closeAt = text.indexOf(markers.close.trim());
  if (closeAt >= 0) text = text.slice(0, closeAt);
  // The last sampled token is not evaluated yet. When it closed the thought it is fed first, then the blank line
  // the template puts before the answer; a thought cut by the budget (or an end-of-generation) gets the full marker.
  const next = closedByModel ? [generated[generated.length - 1]!, ...model.tokenize('\n\n', false, 'trimLeadingSpace')] : close;
  return { text: text.trim(), tokens: closedByModel ? generated.length - 1 : generated.length, cut: !closedByModel, pending: next };
}
