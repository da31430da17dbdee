/**
 * The GGUF inference backend: local models through node-llama-cpp, one JSON answer per note–concept pair under a
 * JSON-schema grammar.
 *
 * Prompt reuse ("note-major"): the prompt template puts the note before the concept, and the prompt is tokenized as
 * [chat-template head + instructions + note] ++ [concept + chat-template tail], so every concept of a note shares the
 * first part token for token. The note's context sequence keeps the tokens that equal the new prompt's start and
 * evaluates only the rest; "naive" clears the sequence before every concept (the reference for measuring the gain).
 *
 * Votes: the prompt is evaluated once per concept and every sample regenerates from it. Token accounting: a sample's
 * promptTokens are the prompt tokens that were not already in the sequence; reusedTokens the ones that were. Getting
 * next-token logits always re-decodes the prompt's last token; that single decode is not counted as a prompt token.
 *
 * Sampling: one vote is greedy; several votes sample at `temperature` (default 0.7) with seed = seed + sampleIndex.
 * An answer that does not parse or validate is retried once at that temperature with seed = seed + votes +
 * sampleIndex (distinct from every vote's seed), then reported invalid. Only fatal errors (model, context, abort)
 * throw; a concept's bad output never does.
 */
import {
  DisposedError,
  getModuleVersion,
  LlamaGrammarEvaluationState,
  LlamaText,
  resolveChatWrapper,
  SpecialToken,
  type GbnfJsonObjectSchema,
  type LlamaContext,
  type LlamaContextSequence,
  type LlamaGrammar,
  type LlamaModel,
  type Token,
} from 'node-llama-cpp';
import type {
  BackendRunOptions,
  ConceptResult,
  EngineConcept,
  EngineNote,
  EngineSentence,
  InferenceBackend,
  LabelMode,
  SampleResult,
} from './backend';
import { ANSWER_SCHEMA_VERSION, answerSchema, parseAnswer, schemaHash } from './answer-schema';
import { builtInPromptTemplate, renderPrompt, renderSentenceLine, type PromptTemplate } from './prompt';
import { combineWindowSamples, splitIntoWindows } from './windows';
import {
  computeBackendOf,
  defaultContextSize,
  getLlamaForMachine,
  inspectGguf,
  sha256File,
  validateGgufFile,
  type GpuSetting,
} from '../models/gguf';

export type PromptStrategy = 'note-major' | 'naive';

export interface LlamaBackendOptions {
  modelPath: string;
  gpu?: GpuSetting;
  gpuLayers?: number | 'auto';
  /** Tokens per sequence; default min(trained context, 8192). */
  contextSize?: number;
  /** Default: the machine's math cores (node-llama-cpp's own default was 15–50x slower on 2 cores). */
  threads?: number;
  /** Default 2048 (bounded by the context size): large batches evaluate long prompts ~3.5x faster. */
  batchSize?: number;
  /** Parallel context sequences, i.e. notes in flight. Default: see autoSequences. */
  sequences?: number;
  promptTemplate?: PromptTemplate;
  strategy?: PromptStrategy;
  /** Generated tokens per answer; an answer cut here is invalid. */
  maxTokens?: number;
}

export const DEFAULT_MAX_TOKENS = 384;
export const DEFAULT_BATCH_SIZE = 2048;
export const DEFAULT_VOTE_TEMPERATURE = 0.7;
/** llama.cpp's usual sampling defaults, fixed here so the manifest states them. */
export const SAMPLER_TOP_K = 40;
export const SAMPLER_TOP_P = 0.95;
export const WINDOW_OVERLAP_SENTENCES = 2;
/** Separately tokenized sentences can differ by a token or so from the note tokenized whole. */
const WINDOW_SAFETY_TOKENS = 16;
const GRAMMAR_CACHE_SIZE = 32;

// ---------------------------------------------------------------------------------------------------------------
// Serialized load/dispose: two models loading at once can exhaust memory that either alone would fit in.

let lifecycleQueue: Promise<unknown> = Promise.resolve();

function withLifecycleLock<T>(task: () => Promise<T>): Promise<T> {
  const run = lifecycleQueue.then(task, task);
  lifecycleQueue = run.catch(() => undefined);
  return run;
}

/** The most notes in flight that `autoSequences` chooses. */
export const MAX_AUTO_SEQUENCES = 4;

/**
 * Notes in flight when the user does not say: one on the CPU, whose cores every sequence would
 * share (more would add memory, not speed); on a GPU as many as fit in memory, up to
 * MAX_AUTO_SEQUENCES, each sequence holding its own KV cache.
 */
export async function autoSequences(computeBackend: string, fits: (sequences: number) => Promise<boolean>): Promise<number> {
  if (computeBackend === 'cpu') return 1;
  for (let count = MAX_AUTO_SEQUENCES; count > 1; count--) {
    if (await fits(count)) return count;
  }
  return 1;
}

export function createLlamaBackend(options: LlamaBackendOptions): Promise<InferenceBackend> {
  return withLifecycleLock(() => LlamaBackend.load(options));
}

// ---------------------------------------------------------------------------------------------------------------
// Prompt tokens

/** The chat-template text around the user message; empty `after` for models without a template. */
export interface PromptFrame {
  kind: 'chat-template' | 'plain';
  wrapperName: string | null;
  before: LlamaText;
  after: LlamaText;
}

const USER_MESSAGE_MARKER = 'MEDBENCHUSERMESSAGEMARKER';

export function resolvePromptFrame(model: LlamaModel): PromptFrame {
  const bos = model.tokens.shouldPrependBosToken && model.tokens.bos !== null ? [new SpecialToken('BOS')] : [];
  if (typeof model.fileInfo.metadata.tokenizer?.chat_template !== 'string') {
    return { kind: 'plain', wrapperName: null, before: LlamaText(bos), after: LlamaText([]) };
  }
  const wrapper = resolveChatWrapper(model);
  const { contextText } = wrapper.generateContextState({
    chatHistory: [
      { type: 'user', text: USER_MESSAGE_MARKER },
      { type: 'model', response: [] },
    ],
  });
  const values = contextText.values;
  const index = values.findIndex((value) => typeof value === 'string' && value.includes(USER_MESSAGE_MARKER));
  const holder = values[index];
  if (typeof holder !== 'string' || holder.indexOf(USER_MESSAGE_MARKER) !== holder.lastIndexOf(USER_MESSAGE_MARKER)) {
    throw new Error(`The chat template of this model (${wrapper.wrapperName}) does not place the user message where it can be found`);
  }
  const at = holder.indexOf(USER_MESSAGE_MARKER);
  return {
    kind: 'chat-template',
    wrapperName: wrapper.wrapperName,
    before: LlamaText([...values.slice(0, index), holder.slice(0, at)]),
    after: LlamaText([holder.slice(at + USER_MESSAGE_MARKER.length), ...values.slice(index + 1)]),
  };
}

export interface PromptTokens {
  tokens: Token[];
  /** Tokens of the frame head + prompt prefix (through the note): shared by every concept of the note. */
  prefixLength: number;
}

/** Prefix and suffix are tokenized separately so the prefix tokens are identical whatever the concept. */
export function tokenizePrompt(model: LlamaModel, frame: PromptFrame, prompt: { prefix: string; suffix: string }): PromptTokens {
  const prefixTokens = LlamaText([frame.before, prompt.prefix]).tokenize(model.tokenizer);
  const suffixTokens = LlamaText([prompt.suffix, frame.after]).tokenize(model.tokenizer, 'trimLeadingSpace');
  return { tokens: [...prefixTokens, ...suffixTokens], prefixLength: prefixTokens.length };
}

// ---------------------------------------------------------------------------------------------------------------
// Stop detection: the grammar forces trailing newlines after the JSON; stopping at the closing brace saves them.

class JsonObjectEnd {
  private depth = 0;
  private inString = false;
  private escaped = false;
  private started = false;
  /** Characters consumed up to and including the top-level closing brace, once seen. */
  endIndex: number | null = null;
  private consumed = 0;

  push(text: string): boolean {
    for (const char of text) {
      this.consumed += char.length;
      if (this.endIndex !== null) continue;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (char === '\\') this.escaped = true;
        else if (char === '"') this.inString = false;
        continue;
      }
      if (char === '"') this.inString = true;
      else if (char === '{' || char === '[') {
        this.depth++;
        this.started = true;
      } else if (char === '}' || char === ']') {
        this.depth--;
        if (this.started && this.depth === 0) this.endIndex = this.consumed;
      }
    }
    return this.endIndex !== null;
  }
}

export function jsonObjectEnd(text: string): number | null {
  const tracker = new JsonObjectEnd();
  tracker.push(text);
  return tracker.endIndex;
}

// ---------------------------------------------------------------------------------------------------------------

interface Attempt {
  rawOutput: string;
  answerText: string;
  stop: 'json' | 'eog' | 'maxTokens';
  promptTokens: number;
  reusedTokens: number;
  generatedTokens: number;
  ms: number;
}

interface SamplingSettings {
  temperature: number;
  seed: number;
}

/** A note's window: its sentences (an oversized one truncated) and the tokenized prompt per concept. */
interface PreparedWindow {
  sentences: EngineSentence[];
  prompts: Token[][];
}

class SequencePool {
  private readonly idle: LlamaContextSequence[];
  private readonly waiting: ((sequence: LlamaContextSequence) => void)[] = [];

  constructor(sequences: LlamaContextSequence[]) {
    this.idle = [...sequences];
  }

  acquire(signal?: AbortSignal): Promise<LlamaContextSequence> {
    signal?.throwIfAborted();
    const sequence = this.idle.pop();
    if (sequence) return Promise.resolve(sequence);
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        const position = this.waiting.indexOf(grant);
        if (position >= 0) this.waiting.splice(position, 1);
        reject(signal?.reason);
      };
      const grant = (granted: LlamaContextSequence): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve(granted);
      };
      this.waiting.push(grant);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  release(sequence: LlamaContextSequence): void {
    const next = this.waiting.shift();
    if (next) next(sequence);
    else this.idle.push(sequence);
  }
}

class LlamaBackend implements InferenceBackend {
  readonly kind = 'gguf' as const;
  private disposed = false;
  private readonly grammars = new Map<string, Promise<LlamaGrammar>>();
  private readonly pool: SequencePool;

  private constructor(
    private readonly model: LlamaModel,
    private readonly context: LlamaContext,
    private readonly frame: PromptFrame,
    private readonly template: PromptTemplate,
    private readonly strategy: PromptStrategy,
    private readonly maxTokens: number,
    readonly parallelism: number,
    private readonly facts: Record<string, unknown>,
  ) {
    const sequences: LlamaContextSequence[] = [];
    for (let index = 0; index < parallelism; index++) sequences.push(context.getSequence());
    this.pool = new SequencePool(sequences);
  }

  static async load(options: LlamaBackendOptions): Promise<LlamaBackend> {
    const gpu = options.gpu ?? 'auto';
    const gpuLayers = options.gpuLayers ?? 'auto';
    const requestedSequences = options.sequences === undefined ? undefined : positiveInteger(options.sequences, 'sequences');
    const maxTokens = positiveInteger(options.maxTokens ?? DEFAULT_MAX_TOKENS, 'maxTokens');
    const strategy = options.strategy ?? 'note-major';
    const template = options.promptTemplate ?? builtInPromptTemplate();

    const inspection = await validateGgufFile(options.modelPath, {
      gpu,
      gpuLayers,
      contextSize: options.contextSize,
      batchSize: options.batchSize,
      sequences: requestedSequences ?? 1,
    });
    const contextSize = positiveInteger(options.contextSize ?? defaultContextSize(inspection.trainedContext ?? undefined), 'contextSize');
    const batchSize = Math.min(positiveInteger(options.batchSize ?? DEFAULT_BATCH_SIZE, 'batchSize'), contextSize);
    const llama = await getLlamaForMachine({ gpu });
    const sequences =
      requestedSequences ??
      (await autoSequences(computeBackendOf(llama), async (count) => {
        const { fit } = await inspectGguf(inspection.path, { gpu, gpuLayers, contextSize, batchSize, sequences: count });
        return fit.fitsRam && fit.fitsVram !== false;
      }));
    const threads = positiveInteger(options.threads ?? llama.cpuMathCores, 'threads');

    const [sha256, model] = await Promise.all([
      sha256File(inspection.path),
      llama.loadModel({ modelPath: inspection.path, gpuLayers }),
    ]);
    let context: LlamaContext;
    try {
      context = await model.createContext({ contextSize, batchSize, threads, sequences });
    } catch (error) {
      await model.dispose();
      throw error;
    }
    try {
      const frame = resolvePromptFrame(model);
      const facts: Record<string, unknown> = {
        backend: 'gguf',
        model: {
          path: inspection.path,
          fileName: inspection.fileName,
          sizeBytes: inspection.sizeBytes,
          sha256,
          name: inspection.name,
          architecture: inspection.architecture,
          quantization: inspection.quantization,
          parameterCount: inspection.parameterCount,
          trainedContext: inspection.trainedContext,
          hasChatTemplate: inspection.hasChatTemplate,
        },
        nodeLlamaCppVersion: await getModuleVersion(),
        llamaCppRelease: `${llama.llamaCppRelease.repo}@${llama.llamaCppRelease.release}`,
        computeBackend: computeBackendOf(llama),
        contextSize: context.contextSize,
        gpuLayers: model.gpuLayers,
        threads,
        batchSize: context.batchSize,
        sequences,
        strategy,
        promptFormat: frame.kind === 'chat-template' ? `chat-template:${frame.wrapperName}` : 'plain',
        prompt: { version: template.version, hash: template.hash, text: template.text },
        answerSchema: {
          version: ANSWER_SCHEMA_VERSION,
          // Representative schemas (three sentences); real ones differ only in the sentence id list.
          hashes: { binary: schemaHash(answerSchema([1, 2, 3], 'binary')), '3way': schemaHash(answerSchema([1, 2, 3], '3way')) },
        },
        sampler: {
          singleVote: 'greedy',
          voteTemperatureDefault: DEFAULT_VOTE_TEMPERATURE,
          topK: SAMPLER_TOP_K,
          topP: SAMPLER_TOP_P,
          maxTokens,
          seeds: 'seed + sampleIndex; retry of an invalid answer: seed + votes + sampleIndex',
          invalidRetries: 1,
        },
        windowing: { overlapSentences: WINDOW_OVERLAP_SENTENCES },
      };
      return new LlamaBackend(model, context, frame, template, strategy, maxTokens, sequences, facts);
    } catch (error) {
      await context.dispose();
      await model.dispose();
      throw error;
    }
  }

  manifest(): Record<string, unknown> {
    return structuredClone(this.facts);
  }

  async *predictNote(note: EngineNote, options: BackendRunOptions): AsyncGenerator<ConceptResult> {
    if (this.disposed) throw new DisposedError();
    const votes = positiveInteger(options.votes, 'votes');
    const signal = options.signal;
    const sequence = await this.pool.acquire(signal);
    try {
      const windows = this.prepareWindows(note, options.labels);
      if (windows.length === 1) {
        for (let conceptIndex = 0; conceptIndex < note.concepts.length; conceptIndex++) {
          signal?.throwIfAborted();
          const samples = await this.runConcept(sequence, windows[0], conceptIndex, votes, options);
          yield { pairId: note.concepts[conceptIndex].pairId, samples };
        }
        return;
      }
      // Window-outer order: each window's note prefix is evaluated once for all concepts.
      const perConcept: SampleResult[][][] = note.concepts.map(() => []);
      for (const window of windows) {
        for (let conceptIndex = 0; conceptIndex < note.concepts.length; conceptIndex++) {
          signal?.throwIfAborted();
          perConcept[conceptIndex].push(await this.runConcept(sequence, window, conceptIndex, votes, options));
        }
      }
      for (let conceptIndex = 0; conceptIndex < note.concepts.length; conceptIndex++) {
        const byWindow = perConcept[conceptIndex];
        const samples = byWindow[0].map((_, sampleIndex) => combineWindowSamples(byWindow.map((results) => results[sampleIndex])));
        yield { pairId: note.concepts[conceptIndex].pairId, samples };
      }
    } finally {
      this.pool.release(sequence);
    }
  }

  dispose(): Promise<void> {
    return withLifecycleLock(async () => {
      if (this.disposed) return;
      this.disposed = true;
      this.grammars.clear();
      await this.context.dispose();
      await this.model.dispose();
    });
  }

  // -------------------------------------------------------------------------------------------------------------

  private render(sentences: readonly EngineSentence[], concept: EngineConcept, labels: LabelMode): PromptTokens {
    return tokenizePrompt(this.model, this.frame, renderPrompt(this.template.text, sentences, concept, labels));
  }

  /** Room for the prompt: generation must fit in the context too, or llama.cpp would shift out the note. */
  private get promptBudget(): number {
    return this.context.contextSize - this.maxTokens;
  }

  private prepareWindows(note: EngineNote, labels: LabelMode): PreparedWindow[] {
    const whole = note.concepts.map((concept) => this.render(note.sentences, concept, labels).tokens);
    if (whole.every((tokens) => tokens.length <= this.promptBudget)) return [{ sentences: [...note.sentences], prompts: whole }];

    // Everything but the note: the longest concept's prompt around an empty note.
    const frameTokens = Math.max(...note.concepts.map((concept) => this.render([], concept, labels).tokens.length));
    let budget = this.promptBudget - frameTokens - WINDOW_SAFETY_TOKENS;
    for (let attempt = 0; attempt < 4 && budget > 0; attempt++) {
      const sentences = note.sentences.map((sentence) => this.truncateSentence(sentence, budget));
      const counts = sentences.map((sentence) => this.lineTokens(sentence));
      const windows = splitIntoWindows(sentences, counts, budget, WINDOW_OVERLAP_SENTENCES).map((indexes) => {
        const windowSentences = indexes.map((index) => sentences[index]);
        return {
          sentences: windowSentences,
          prompts: note.concepts.map((concept) => this.render(windowSentences, concept, labels).tokens),
        };
      });
      const longest = Math.max(...windows.flatMap((window) => window.prompts.map((tokens) => tokens.length)));
      if (longest <= this.promptBudget) return windows;
      budget -= longest - this.promptBudget; // tokenization drift at the joins: shrink and split again
    }
    throw new Error(
      `The context (${this.context.contextSize} tokens) is too small for this prompt template, the concept text and ` +
        `${this.maxTokens} answer tokens; use a larger --context-size or a smaller --max-tokens`,
    );
  }

  private lineTokens(sentence: EngineSentence): number {
    return this.model.tokenize(`${renderSentenceLine(sentence)}\n`, false, 'trimLeadingSpace').length;
  }

  /** A sentence longer than a whole window keeps only as many of its tokens as fit. */
  private truncateSentence(sentence: EngineSentence, budget: number): EngineSentence {
    if (this.lineTokens(sentence) <= budget) return sentence;
    const overhead = this.lineTokens({ id: sentence.id, text: '' }) + 2;
    const textTokens = this.model.tokenize(sentence.text, false, 'trimLeadingSpace');
    let keep = Math.max(0, budget - overhead);
    let truncated: EngineSentence;
    do {
      truncated = { id: sentence.id, text: `${this.model.detokenize(textTokens.slice(0, keep))}…` };
      keep--;
    } while (keep > 0 && this.lineTokens(truncated) > budget);
    return truncated;
  }

  private grammarFor(sentences: readonly EngineSentence[], labels: LabelMode): Promise<LlamaGrammar> {
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

  private async runConcept(
    sequence: LlamaContextSequence,
    window: PreparedWindow,
    conceptIndex: number,
    votes: number,
    options: BackendRunOptions,
  ): Promise<SampleResult[]> {
    const prompt = window.prompts[conceptIndex];
    const sentenceIds = window.sentences.map((sentence) => sentence.id);
    const grammar = await this.grammarFor(window.sentences, options.labels);
    const voteTemperature = options.temperature ?? DEFAULT_VOTE_TEMPERATURE;
    const retryTemperature = voteTemperature > 0 ? voteTemperature : DEFAULT_VOTE_TEMPERATURE;
    if (this.strategy === 'naive') await sequence.clearHistory();

    const samples: SampleResult[] = [];
    for (let sampleIndex = 0; sampleIndex < votes; sampleIndex++) {
      const sampling = { temperature: votes === 1 ? 0 : voteTemperature, seed: options.seed + sampleIndex };
      const first = await this.generate(sequence, prompt, grammar, sampling, options.signal);
      let result = this.toSample(first, sampleIndex, sampling.seed, sentenceIds, options.labels);
      if (result.status === 'invalid') {
        const retrySeed = options.seed + votes + sampleIndex;
        const retry = await this.generate(sequence, prompt, grammar, { temperature: retryTemperature, seed: retrySeed }, options.signal);
        const retried = this.toSample(retry, sampleIndex, retrySeed, sentenceIds, options.labels);
        result = {
          ...retried,
          error: retried.error === null ? null : `${retried.error} (after a retry; first attempt: ${result.error})`,
          promptTokens: result.promptTokens + retried.promptTokens,
          reusedTokens: result.reusedTokens,
          generatedTokens: result.generatedTokens + retried.generatedTokens,
          ms: result.ms + retried.ms,
        };
      }
      samples.push(result);
    }
    return samples;
  }

  private toSample(attempt: Attempt, sampleIndex: number, seed: number, sentenceIds: number[], labels: LabelMode): SampleResult {
    const base = {
      sampleIndex,
      seed,
      rawOutput: attempt.rawOutput,
      promptTokens: attempt.promptTokens,
      reusedTokens: attempt.reusedTokens,
      generatedTokens: attempt.generatedTokens,
      ms: attempt.ms,
      windows: 1,
    };
    const invalid = (error: string): SampleResult => ({ ...base, status: 'invalid', rawLabel: null, label: null, evidence: [], rationale: '', error });
    if (attempt.stop === 'maxTokens') {
      return invalid(`the answer was cut off at maxTokens (${this.maxTokens} tokens) before its JSON was complete`);
    }
    const parsed = parseAnswer(attempt.answerText, sentenceIds, labels);
    if (!parsed.ok) return invalid(parsed.error);
    return { ...base, status: 'ok', error: null, ...parsed.answer };
  }

  /** Aligns the sequence with the prompt (keeping the shared start), evaluates the rest and samples one answer. */
  private async generate(
    sequence: LlamaContextSequence,
    prompt: Token[],
    grammar: LlamaGrammar,
    sampling: SamplingSettings,
    signal: AbortSignal | undefined,
  ): Promise<Attempt> {
    signal?.throwIfAborted();
    const started = performance.now();
    const matched = Math.min(sequence.compareContextTokens(prompt).firstDifferentIndex, prompt.length);
    // At least the last prompt token is decoded again: its logits are where the answer starts.
    const keep = Math.min(matched, prompt.length - 1);
    if (sequence.nextTokenIndex > keep) await sequence.eraseContextTokenRanges([{ start: keep, end: sequence.nextTokenIndex }]);

    const toEvaluate = prompt.slice(keep, -1);
    const chunk = this.context.batchSize;
    for (let offset = 0; offset < toEvaluate.length; offset += chunk) {
      signal?.throwIfAborted();
      await sequence.evaluateWithoutGeneratingNewTokens(toEvaluate.slice(offset, offset + chunk));
    }
    signal?.throwIfAborted();

    const generated: Token[] = [];
    const end = new JsonObjectEnd();
    let stop: Attempt['stop'] = 'maxTokens';
    const iterator = sequence.evaluate([prompt[prompt.length - 1]], {
      temperature: sampling.temperature,
      seed: sampling.seed,
      ...(sampling.temperature > 0 ? { topK: SAMPLER_TOP_K, topP: SAMPLER_TOP_P } : {}),
      grammarEvaluationState: new LlamaGrammarEvaluationState({ model: this.model, grammar }),
      yieldEogToken: true,
    });
    for await (const token of iterator) {
      signal?.throwIfAborted();
      if (this.model.isEogToken(token)) {
        stop = 'eog';
        break;
      }
      generated.push(token);
      if (end.push(this.model.detokenize([token], false))) {
        stop = 'json';
        break;
      }
      if (generated.length >= this.maxTokens) break;
    }

    const rawOutput = this.model.detokenize(generated, false);
    const answerEnd = jsonObjectEnd(rawOutput);
    return {
      rawOutput,
      answerText: (answerEnd === null ? rawOutput : rawOutput.slice(0, answerEnd)).trim(),
      stop,
      promptTokens: prompt.length - matched,
      reusedTokens: matched,
      generatedTokens: generated.length + (stop === 'eog' ? 1 : 0),
      ms: performance.now() - started,
    };
  }
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value <= 0) throw new RangeError(`${name} must be a positive integer (got ${value})`);
  return value;
}
