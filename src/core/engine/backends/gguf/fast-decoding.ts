/**
 * The fast decoding path: the answer's JSON scaffold is fed to the model as forced tokens, and only the parts
 * that carry information are decided by it.
 *   - label: read from ONE forward pass at the label position: the logits of each label word's first token,
 *     normalised over the label words, give both the label (argmax, or a seeded draw for votes) and the
 *     positive-label probability stored for ROC/PR curves;
 *   - evidence: decoded under the token mask of evidence-mask.ts (raw speed, unlike a llama.cpp grammar);
 *   - rationale: free generation, stopped at its closing quote / line break / length limit and validated after.
 * `--rationale off` skips the rationale (empty string). An answer that does not validate is retried on the grammar
 * path by the caller. Label probabilities use the first token of each label word: exact for single-token labels
 * (Qwen3 and Llama 3 spell True/False as one token), an approximation for multi-token ones.
 */
import type { ControlledEvaluateInputItem, LlamaContextSequence, LlamaModel, Token } from 'node-llama-cpp';
import { evidenceLimit, labelToBoolean, labelWords, MAX_RATIONALE_LENGTH } from '../../answer-schema';
import type { LabelMode } from '../../backend';
import { allowedNext, EvidenceLanguage, evidenceCandidateTokens } from './evidence-mask';
import { SAMPLER_TOP_K, SAMPLER_TOP_P, type DecodedAnswer, type SamplingSettings } from './grammar-decoding';
import { JsonStringEnd } from './stop-detection';
import type { PhaseThreads } from './threads';

export const ANSWER_OPEN = '{"label": "';
export const AFTER_LABEL = '", "evidence": [';
export const AFTER_EVIDENCE = ', "rationale": "';

/** Which decoding path produced an answer (stored per sample as `answer_path`). */
export const ANSWER_PATHS = {
  /** Label from logits, evidence under the token mask, free rationale. */
  fast: 'label-logits',
  /** As `fast`, without a rationale (`--rationale off`). */
  fastNoRationale: 'label-logits-no-rationale',
  /** The whole answer under the JSON-schema grammar (`--decoding grammar`, or labels the fast path cannot read). */
  grammar: 'grammar',
  /** A first answer did not validate; this one came from the grammar path's retry. */
  grammarRetry: 'grammar-retry',
} as const;

interface LabelTokens {
  words: readonly string[];
  tokens: Token[][];
  first: Token[];
  positive: boolean[];
}

/** Deterministic draws for votes (mulberry32), so a sample's seed reproduces it. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}

/** softmax over the given logits (missing ones count as -Infinity). */
export function normalise(logits: readonly number[], temperature = 1): number[] {
  const scaled = logits.map((logit) => (Number.isFinite(logit) ? logit / temperature : -Infinity));
  const max = Math.max(...scaled);
  if (!Number.isFinite(max)) return logits.map(() => 1 / logits.length);
  const weights = scaled.map((logit) => Math.exp(logit - max));
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  return weights.map((weight) => weight / total);
}

/** Greedy: the first best index; with a temperature, a draw among the top-k / top-p of the given options. */
export function choose(logits: readonly number[], sampling: SamplingSettings, random: () => number): number {
  if (sampling.temperature <= 0) {
    let best = 0;
    for (let index = 1; index < logits.length; index++) if (logits[index]! > logits[best]!) best = index;
    return best;
  }
  const probabilities = normalise(logits, sampling.temperature);
  const order = probabilities.map((probability, index) => ({ probability, index })).sort((a, b) => b.probability - a.probability);
  const kept: typeof order = [];
  let mass = 0;
  for (const option of order.slice(0, SAMPLER_TOP_K)) {
    kept.push(option);
    mass += option.probability;
    if (mass >= SAMPLER_TOP_P) break;
  }
  let draw = random() * mass;
  for (const option of kept) {
    draw -= option.probability;
    if (draw <= 0) return option.index;
  }
  return kept[kept.length - 1]!.index;
}

/**
 * A JSON string body from free text: valid escapes kept, a stray backslash escaped, control characters written as
 * \u escapes. The stored raw output keeps the model's text exactly; this only makes it parseable.
 */
export function jsonStringBody(content: string): string {
  let out = '';
  for (let index = 0; index < content.length; index++) {
    const char = content[index]!;
    if (char === '\\') {
      const next = content[index + 1];
      if (next !== undefined && '"\\/bfnrt'.includes(next)) {
        out += char + next;
        index++;
      } else if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(content.slice(index + 2, index + 6))) {
        out += content.slice(index, index + 6);
        index += 5;
      } else out += '\\\\';
    } else if (char.charCodeAt(0) < 0x20) out += `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
    else out += char;
  }
  return out;
}

export class FastDecoder {
  private readonly labelTokens = new Map<LabelMode, LabelTokens | null>();
  private candidates: { token: Token; text: string }[] | null = null;
  private readonly scaffold: { open: Token[]; afterLabel: Token[]; afterEvidence: Token[] };

  constructor(private readonly model: LlamaModel) {
    const tokenize = (text: string) => model.tokenize(text, false, 'trimLeadingSpace');
    this.scaffold = { open: tokenize(ANSWER_OPEN), afterLabel: tokenize(AFTER_LABEL), afterEvidence: tokenize(AFTER_EVIDENCE) };
  }

  /** The label words' tokens, or null when two words start with the same token (the logits could not tell them apart). */
  labels(mode: LabelMode): LabelTokens | null {
    if (!this.labelTokens.has(mode)) {
      const words = labelWords(mode);
      const tokens = words.map((word) => this.model.tokenize(word, false, 'trimLeadingSpace'));
      const first = tokens.map((wordTokens) => wordTokens[0]!);
      const distinct = tokens.every((wordTokens) => wordTokens.length > 0) && new Set(first).size === first.length;
      this.labelTokens.set(mode, distinct ? { words, tokens, first, positive: words.map((word) => labelToBoolean(word)) } : null);
    }
    return this.labelTokens.get(mode) ?? null;
  }

  private evidenceCandidates(): { token: Token; text: string }[] {
    this.candidates ??= evidenceCandidateTokens(this.model);
    return this.candidates;
  }

  /** Evaluates `feed` and returns the next-token logits of `filter` (in its order; -Infinity when absent). */
  private async logitsAfter(sequence: LlamaContextSequence, feed: readonly Token[], filter: readonly Token[]): Promise<number[]> {
    const input: ControlledEvaluateInputItem[] = [
      ...feed.slice(0, -1),
      [feed[feed.length - 1]!, { generateNext: { logits: { filter: { tokens: filter } } } }],
    ];
    const output = await sequence.controlledEvaluate(input);
    const logits = output[output.length - 1]?.next.logits;
    return filter.map((token) => logits?.get(token) ?? -Infinity);
  }

  /**
   * Probability of the positive label at the label position, for answers made on the grammar path: the scaffold is
   * evaluated after `pending`, read, and erased again (with `pending`), leaving the sequence as it was.
   */
  async probeProbability(sequence: LlamaContextSequence, pending: readonly Token[], labels: LabelMode): Promise<number | null> {
    const label = this.labels(labels);
    if (label === null) return null;
    const start = sequence.nextTokenIndex;
    const logits = await this.logitsAfter(sequence, [...pending, ...this.scaffold.open], label.first);
    await sequence.eraseContextTokenRanges([{ start, end: sequence.nextTokenIndex }]);
    return positiveProbability(normalise(logits), label.positive);
  }

  async decode(
    sequence: LlamaContextSequence,
    pending: readonly Token[],
    sentenceIds: readonly number[],
    labels: LabelMode,
    sampling: SamplingSettings,
    options: { rationale: boolean; maxTokens: number },
    threads: PhaseThreads,
    signal: AbortSignal | undefined,
  ): Promise<DecodedAnswer> {
    const label = this.labels(labels);
    if (label === null) throw new Error('the fast path needs label words with distinct first tokens');
    const random = seededRandom(sampling.seed);
    threads.use('generation');
    let answerTokens = this.scaffold.open.length;

    // Label: one forward pass.
    const labelLogits = await this.logitsAfter(sequence, [...pending, ...this.scaffold.open], label.first);
    const probability = positiveProbability(normalise(labelLogits), label.positive);
    const chosen = choose(labelLogits, sampling, random);
    const word = label.words[chosen]!;
    answerTokens += label.tokens[chosen]!.length + this.scaffold.afterLabel.length;
    let feed: Token[] = [...label.tokens[chosen]!, ...this.scaffold.afterLabel];

    // Evidence: masked decoding.
    const language = new EvidenceLanguage(sentenceIds, evidenceLimit(sentenceIds.length));
    const candidates = this.evidenceCandidates();
    const textOf = new Map(candidates.map((candidate) => [candidate.token, candidate.text]));
    let evidenceText = '';
    for (;;) {
      signal?.throwIfAborted();
      if (answerTokens >= options.maxTokens) {
        const partial = ANSWER_OPEN + word + AFTER_LABEL + evidenceText;
        return { rawOutput: partial, answerText: partial, stop: 'maxTokens', generatedTokens: answerTokens, probability };
      }
      const allowed = allowedNext(language, evidenceText, candidates);
      if (allowed.length === 0) {
        const partial = ANSWER_OPEN + word + AFTER_LABEL + evidenceText;
        return { rawOutput: partial, answerText: partial, stop: 'json', generatedTokens: answerTokens, probability, fallbackReason: 'no token continues the evidence list' };
      }
      const logits = await this.logitsAfter(sequence, feed, allowed);
      const token = allowed[choose(logits, sampling, random)]!;
      evidenceText += textOf.get(token)!;
      answerTokens++;
      feed = [token];
      if (language.check(evidenceText).kind === 'complete') break;
    }

    const head = ANSWER_OPEN + word + AFTER_LABEL + evidenceText + AFTER_EVIDENCE;
    if (!options.rationale) {
      const answer = `${head}"}`;
      return { rawOutput: answer, answerText: answer, stop: 'json', generatedTokens: answerTokens, probability };
    }

    // Rationale: free text up to its closing quote.
    answerTokens += this.scaffold.afterEvidence.length;
    const rationaleTokens: Token[] = [];
    let tracker = new JsonStringEnd(MAX_RATIONALE_LENGTH);
    let stop: DecodedAnswer['stop'] = 'json';
    const iterator = sequence.evaluate([...feed, ...this.scaffold.afterEvidence], {
      temperature: sampling.temperature,
      seed: sampling.seed,
      ...(sampling.temperature > 0 ? { topK: SAMPLER_TOP_K, topP: SAMPLER_TOP_P } : {}),
      yieldEogToken: true,
    });
    for await (const token of iterator) {
      signal?.throwIfAborted();
      if (this.model.isEogToken(token)) {
        stop = 'eog';
        break;
      }
      rationaleTokens.push(token);
      answerTokens++;
      // The whole rationale is detokenized each time: a character split across tokens decodes only once complete.
      tracker = new JsonStringEnd(MAX_RATIONALE_LENGTH);
      if (tracker.push(this.model.detokenize(rationaleTokens, false))) break;
      if (answerTokens >= options.maxTokens) break;
    }
    // The answer as validated: scaffold, the model's choices and its rationale text up to where it ended (made a
    // valid JSON string body); what the model wrote after the rationale's closing quote is not part of the answer.
    const answer = `${head}${jsonStringBody(tracker.closedContent())}"}`;
    return {
      rawOutput: answer,
      answerText: answer,
      stop,
      generatedTokens: answerTokens + (stop === 'eog' ? 1 : 0),
      probability,
    };
  }
}

function positiveProbability(probabilities: readonly number[], positive: readonly boolean[]): number {
  return probabilities.reduce((sum, probability, index) => sum + (positive[index] ? probability : 0), 0);
}
