/**
 * The GGUF inference backend: local models through node-llama-cpp, one JSON answer per note–concept pair.
 *
 * Prompt reuse ("note-major"): the prompt puts the note before the concept and is tokenized as
 * [chat-template head + instructions + note] ++ [concept + chat-template tail] (prompt-tokens.ts), so every concept
 * of a note shares the first part token for token; the note's sequence keeps what matches and evaluates the rest
 * (prompt-eval.ts). "naive" clears the sequence before every concept (the reference for measuring the gain).
 *
 * Decoding (`decoding`): "fast" (default) reads the label from one forward pass's logits, decodes evidence ids under
 * a token mask and the rationale freely (fast-decoding.ts); "grammar" generates the whole answer under the JSON-schema
 * grammar (grammar-decoding.ts). Every answer is validated after; an invalid one is retried once on the grammar path
 * at the vote temperature (default 0.7) with seed = seed + votes + sampleIndex, then reported invalid. Each sample
 * records which path produced it (`answerPath`) and the positive-label probability at the label position.
 *
 * Parallel concepts (`conceptsInFlight`, note-major only): each note in flight holds that many sibling sequences; the
 * note's shared prefix is evaluated once and copied into the siblings, whose concepts then decode concurrently and
 * are batched by node-llama-cpp (concept-parallel.ts). Results still come in concept order.
 *
 * Votes: the prompt is evaluated once per concept and every sample regenerates from it (greedy for one vote, else
 * `temperature` with seed = seed + sampleIndex). Token accounting: promptTokens are prompt tokens not already in the
 * sequence, reusedTokens the ones that were; generatedTokens count every answer token (the forced JSON scaffold of
 * the fast path included); a thought's tokens are counted apart (thinkingTokens). Only fatal errors (model, context,
 * abort) throw; a concept's bad output never does.
 */
import fs from 'node:fs';
import { DisposedError, getModuleVersion, type LlamaContext, type LlamaContextSequence, type LlamaModel, type Token } from 'node-llama-cpp';
import type { BackendRunOptions, ConceptResult, EngineNote, InferenceBackend, LabelMode, SampleResult } from '../../backend';
import { ANSWER_SCHEMA_VERSION, answerSchema, parseAnswer, schemaHash } from '../../answer-schema';
import { builtInPromptTemplate, type PromptTemplate } from '../../prompt';
import { combineWindowSamples } from '../../windows';
import { computeBackendOf, defaultContextSize, getLlamaForMachine, inspectGguf, withCheckedHeaders, withoutMemorySimulation, type GpuSetting } from '../../../models/gguf';
import { inTaskOrder, shareNotePrefix, sharedPromptLength, truncateSequence, validateForConcepts } from './concept-parallel';
import { ANSWER_PATHS, FastDecoder } from './fast-decoding';
import { decodeWithGrammar, GrammarCache, SAMPLER_TOP_K, SAMPLER_TOP_P, type DecodedAnswer, type SamplingSettings } from './grammar-decoding';
import { autoSequences, positiveInteger, withLifecycleLock } from './lifecycle';
import { chooseFlashAttention, FLASH_PROBE_MAX_DEPTH, type FlashAttentionChoice, type FlashAttentionSetting } from './flash-attention';
import { evaluatePromptHead } from './prompt-eval';
import { resolveFrameCached } from './frame-cache';
import type { PromptFrame } from './prompt-tokens';
import { SequencePool } from './sequence-pool';
import { DEFAULT_THINKING_BUDGET, think, type ThinkingMode, type ThoughtMarkers } from './thinking';
import { defaultThreadCounts, measurePromptThreads, PhaseThreads, SINGLE_THREAD_GENERATION_MAX_BYTES, type Phase, type ThreadCounts } from './threads';
import { NoteWindows, WINDOW_OVERLAP_SENTENCES, type PreparedWindow } from './windowing';

export type PromptStrategy = 'note-major' | 'naive';
export type DecodingMode = 'fast' | 'grammar';

export interface LlamaBackendOptions {
  modelPath: string;
  /** The model's sha256 as registered (recorded in the manifest; the backend never hashes the file itself). */
  modelSha256?: string | null;
  gpu?: GpuSetting;
  gpuLayers?: number | 'auto';
  /** Tokens per sequence; default min(trained context, 8192). */
  contextSize?: number;
  /** Threads for both phases; `threadsPrompt` / `threadsGeneration` override one phase. Default: threads.ts. */
  threads?: number;
  threadsPrompt?: number;
  threadsGeneration?: number;
  /** Default 2048 (bounded by the context size): large batches evaluate long prompts ~3.5x faster. */
  batchSize?: number;
  /** Parallel context sequences, i.e. notes in flight. Default: see autoSequences. */
  sequences?: number;
  /**
   * Concepts of one note decoded together on sibling sequences sharing the note's evaluated prefix (each note in
   * flight gets this many sequences). Default DEFAULT_CONCEPTS_IN_FLIGHT when its memory fits, else 1; always 1 for
   * `naive`.
   */
  conceptsInFlight?: number;
  promptTemplate?: PromptTemplate;
  strategy?: PromptStrategy;
  /** Generated tokens per answer; a grammar answer cut here is invalid, a fast answer's rationale is cut. */
  maxTokens?: number;
  decoding?: DecodingMode;
  /** false: no rationale (an empty string), for sweeps where only label and evidence count. */
  rationale?: boolean;
  thinking?: ThinkingMode;
  thinkingBudget?: number;
  /** Flash attention: `auto` (default) lets llama.cpp decide, except for a small model on the CPU, where both settings are measured (flash-attention.ts). */
  flashAttention?: FlashAttentionSetting;
  /** Where start-up facts of a registered model (its prompt frame, flash attention probe) are kept between runs; none when absent. */
  startupCacheDir?: string;
}

export const DEFAULT_MAX_TOKENS = 384;
export const DEFAULT_BATCH_SIZE = 2048;
export const DEFAULT_VOTE_TEMPERATURE = 0.7;
export { SAMPLER_TOP_K, SAMPLER_TOP_P, WINDOW_OVERLAP_SENTENCES };

/** The GGUF backend, plus what the run planner needs: the note's windows and prompts as this model tokenizes them. */
export interface GgufBackend extends InferenceBackend {
  readonly kind: 'gguf';
  windowsFor(note: EngineNote, labels: LabelMode): PreparedWindow[];
  readonly strategy: PromptStrategy;
  /** Concepts of a note decoded together on sibling sequences (1 for naive); the context holds parallelism x this. */
  readonly conceptsInFlight: number;
  /** Empties the idle sequences, so a run after a calibration starts from nothing evaluated, as planned. */
  clearSequences(): Promise<void>;
}

export function isGgufBackend(backend: InferenceBackend): backend is GgufBackend {
  return backend.kind === 'gguf' && typeof (backend as Partial<GgufBackend>).windowsFor === 'function';
}

export function createLlamaBackend(options: LlamaBackendOptions): Promise<GgufBackend> {
  return withLifecycleLock(() => LlamaBackend.load(options));
}

interface Settings {
  strategy: PromptStrategy;
  maxTokens: number;
  decoding: DecodingMode;
  rationale: boolean;
  thinking: { markers: ThoughtMarkers; budget: number } | null;
}

/** Start-up phases before the first pair, in milliseconds (reported in the manifest). */
export interface StartupTimings {
  validateMs: number;
  loadModelMs: number;
  /** Choosing flash attention: 0 unless a small CPU model is probed for the first time (flash-attention.ts). */
  flashAttentionMs: number;
  /** The context, with the prompt thread probe of a small CPU model. */
  createContextMs: number;
  promptFrameMs: number;
  /** The prompt frame came from the start-up cache (frame-cache.ts). */
  promptFrameCached: boolean;
  totalMs: number;
}

class LlamaBackend implements GgufBackend {
  readonly kind = 'gguf' as const;
  private disposed = false;
  private readonly grammars: GrammarCache;
  private readonly fast: FastDecoder;
  /** One slot per note in flight: the sibling sequences its concepts run on (the first is the lead). */
  private readonly pool: SequencePool<LlamaContextSequence[]>;
  private readonly threads: PhaseThreads;
  private readonly siblingThreads: PhaseThreads;

  private constructor(
    private readonly model: LlamaModel,
    private readonly context: LlamaContext,
    private readonly windows: NoteWindows,
    private readonly settings: Settings,
    threadCounts: ThreadCounts,
    readonly parallelism: number,
    readonly conceptsInFlight: number,
    private readonly facts: Record<string, unknown>,
  ) {
    const slots: LlamaContextSequence[][] = [];
    for (let index = 0; index < parallelism; index++) slots.push(Array.from({ length: conceptsInFlight }, () => context.getSequence()));
    this.pool = new SequencePool(slots);
    this.grammars = new GrammarCache(model);
    this.fast = new FastDecoder(model);
    // The phases of one note stay apart (its prefix, then its concepts), so the count switches per note in flight.
    this.threads = new PhaseThreads(context, threadCounts, parallelism);
    this.siblingThreads = new SiblingPhaseThreads(this.threads, context);
  }

  static async load(options: LlamaBackendOptions): Promise<LlamaBackend> {
    const started = performance.now();
    const gpu = options.gpu ?? 'auto';
    const gpuLayers = options.gpuLayers ?? 'auto';
    const requestedSequences = options.sequences === undefined ? undefined : positiveInteger(options.sequences, 'sequences');
    const maxTokens = positiveInteger(options.maxTokens ?? DEFAULT_MAX_TOKENS, 'maxTokens');
    const strategy = options.strategy ?? 'note-major';
    const template = options.promptTemplate ?? builtInPromptTemplate();
    const decoding = options.decoding ?? 'fast';
    const rationale = options.rationale ?? true;
    const thinkingMode = options.thinking ?? 'off';
    const thinkingBudget = positiveInteger(options.thinkingBudget ?? DEFAULT_THINKING_BUDGET, 'thinkingBudget');

    const requestedConcepts = options.conceptsInFlight === undefined ? undefined : positiveInteger(options.conceptsInFlight, 'conceptsInFlight');
    // Every note in flight holds conceptsInFlight sequences, each with its own KV cache: validated for all of them.
    const { inspection, conceptsInFlight } = await validateForConcepts(
      options.modelPath,
      { gpu, gpuLayers, contextSize: options.contextSize, batchSize: options.batchSize },
      requestedSequences ?? 1,
      requestedConcepts,
      strategy,
    );
    const validated = performance.now();
    const contextSize = positiveInteger(options.contextSize ?? defaultContextSize(inspection.trainedContext ?? undefined), 'contextSize');
    const batchSize = Math.min(positiveInteger(options.batchSize ?? DEFAULT_BATCH_SIZE, 'batchSize'), contextSize);
    const llama = await getLlamaForMachine({ gpu });
    const computeBackend = computeBackendOf(llama);
    const sequences =
      requestedSequences ??
      (await autoSequences(computeBackend, async (count) => {
        const { fit } = await inspectGguf(inspection.path, { gpu, gpuLayers, contextSize, batchSize, sequences: count * conceptsInFlight });
        return fit.fitsRam && fit.fitsVram !== false;
      }));
    const defaults = defaultThreadCounts({ mathCores: llama.cpuMathCores, modelBytes: inspection.sizeBytes, computeBackend });
    const all = options.threads === undefined ? undefined : positiveInteger(options.threads, 'threads');
    const threadCounts: ThreadCounts = {
      prompt: positiveInteger(options.threadsPrompt ?? all ?? defaults.prompt, 'threadsPrompt'),
      generation: positiveInteger(options.threadsGeneration ?? all ?? defaults.generation, 'threadsGeneration'),
    };
    // The prompt count of a small model on the CPU is measured at load (1 vs every core) unless the user set it.
    const measurePrompt = options.threadsPrompt === undefined && all === undefined && computeBackend === 'cpu' && llama.cpuMathCores > 1 && inspection.sizeBytes <= SINGLE_THREAD_GENERATION_MAX_BYTES;

    // On the CPU the fit is already checked: node-llama-cpp's own memory simulation would load the vocabulary twice more.
    const withoutSimulation = <T>(task: () => Promise<T>): Promise<T> => (computeBackend === 'cpu' ? withoutMemorySimulation(task) : task());
    // The header was checked moments ago (validateForConcepts): node-llama-cpp reuses it instead of reading it again.
    const model = await withCheckedHeaders(() => withoutSimulation(() => llama.loadModel({ modelPath: inspection.path, gpuLayers })));
    const loaded = performance.now();
    const nodeLlamaCppVersion = await getModuleVersion();
    let context: LlamaContext;
    let flashAttention: FlashAttentionChoice;
    let flashChosen: number;
    try {
      // The depth a window's answer is generated at, up to the probe's cap.
      const depth = Math.max(64, Math.min(FLASH_PROBE_MAX_DEPTH, contextSize - maxTokens));
      flashAttention = await chooseFlashAttention(model, {
        setting: options.flashAttention ?? 'auto',
        // Probed where it is quick and decides something: a small model computed on the CPU.
        probe: computeBackend === 'cpu' && inspection.sizeBytes <= SINGLE_THREAD_GENERATION_MAX_BYTES,
        depth,
        threads: threadCounts,
        shape: { rationale },
        // A registered model's measurement is kept on disk; any other file's for this process (while unchanged).
        cacheKey: { modelSha256: options.modelSha256 ?? unregisteredModelKey(inspection.path), nodeLlamaCppVersion, threads: threadCounts, depth },
        cacheDir: options.modelSha256 ? (options.startupCacheDir ?? null) : null,
      });
      flashChosen = performance.now();
      context = await withoutSimulation(() =>
        model.createContext({ contextSize, batchSize, threads: threadCounts.prompt, sequences: sequences * conceptsInFlight, flashAttention: flashAttention.contextOption }),
      );
    } catch (error) {
      await model.dispose();
      throw error;
    }
    let promptThreadProbe: Awaited<ReturnType<typeof measurePromptThreads>> = null;
    if (measurePrompt) {
      const probe = context.getSequence();
      try {
        const sample = model.tokenize('The patient has chronic kidney disease stage 3 and hypertension. '.repeat(24), false).slice(0, 256);
        promptThreadProbe = await measurePromptThreads(context, probe, sample, [1, llama.cpuMathCores]);
        if (promptThreadProbe) threadCounts.prompt = promptThreadProbe.threads;
      } finally {
        probe.dispose();
      }
    }
    const contextCreated = performance.now();
    try {
      const frameKey = options.modelSha256 ? { modelSha256: options.modelSha256, fileName: inspection.fileName, thinking: thinkingMode, nodeLlamaCppVersion } : null;
      // The chat template's frame and thought markers: resolved once per model file, then read from the cache.
      const resolvedFrame = resolveFrameCached(model, thinkingMode, frameKey, options.startupCacheDir ?? null);
      const frame: PromptFrame = resolvedFrame.frame;
      const thinkingSettings = resolvedFrame.markers ? { markers: resolvedFrame.markers, budget: thinkingBudget } : null;
      // Room for the answer, and for the thought with its markers.
      const answerRoom = maxTokens + (thinkingSettings ? thinkingBudget + 16 : 0);
      const windows = new NoteWindows(model, frame, template, context.contextSize, answerRoom);
      const framed = performance.now();
      const startup: StartupTimings = {
        validateMs: validated - started,
        loadModelMs: loaded - validated,
        flashAttentionMs: flashChosen - loaded,
        createContextMs: contextCreated - flashChosen,
        promptFrameMs: framed - contextCreated,
        promptFrameCached: resolvedFrame.cached,
        totalMs: framed - started,
      };
      const facts: Record<string, unknown> = {
        backend: 'gguf',
        model: {
          path: inspection.path,
          fileName: inspection.fileName,
          sizeBytes: inspection.sizeBytes,
          sha256: options.modelSha256 ?? null,
          name: inspection.name,
          architecture: inspection.architecture,
          quantization: inspection.quantization,
          parameterCount: inspection.parameterCount,
          trainedContext: inspection.trainedContext,
          hasChatTemplate: inspection.hasChatTemplate,
        },
        nodeLlamaCppVersion,
        llamaCppRelease: `${llama.llamaCppRelease.repo}@${llama.llamaCppRelease.release}`,
        computeBackend,
        contextSize: context.contextSize,
        gpuLayers: model.gpuLayers,
        threads: threadCounts.prompt === threadCounts.generation ? threadCounts.prompt : null,
        threadsPrompt: threadCounts.prompt,
        threadsGeneration: threadCounts.generation,
        threadsPerPhase: sequences === 1 && threadCounts.prompt !== threadCounts.generation,
        promptThreadsMeasured: promptThreadProbe,
        batchSize: context.batchSize,
        flashAttention: {
          setting: flashAttention.setting,
          enabled: flashAttention.contextOption === 'auto' ? null : flashAttention.contextOption,
          chosenBy: flashAttention.chosenBy,
          probe: flashAttention.probe,
        },
        sequences,
        conceptsInFlight,
        contextSequences: sequences * conceptsInFlight,
        strategy,
        decoding,
        rationale,
        thinking: thinkingMode,
        thinkingBudget: thinkingSettings ? thinkingBudget : null,
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
          labelProbability: 'softmax of the label words’ first-token logits at the label position',
        },
        windowing: { overlapSentences: WINDOW_OVERLAP_SENTENCES },
        startup,
      };
      const settings: Settings = { strategy, maxTokens, decoding, rationale, thinking: thinkingSettings };
      return new LlamaBackend(model, context, windows, settings, threadCounts, sequences, conceptsInFlight, facts);
    } catch (error) {
      await context.dispose();
      await model.dispose();
      throw error;
    }
  }

  manifest(): Record<string, unknown> {
    return structuredClone(this.facts);
  }

  get strategy(): PromptStrategy {
    return this.settings.strategy;
  }

  windowsFor(note: EngineNote, labels: LabelMode): PreparedWindow[] {
    return this.windows.prepare(note, labels);
  }

  async clearSequences(): Promise<void> {
    for (const slot of this.pool.idleSlots()) for (const sequence of slot) await sequence.clearHistory();
  }

  async *predictNote(note: EngineNote, options: BackendRunOptions): AsyncGenerator<ConceptResult> {
    if (this.disposed) throw new DisposedError();
    const votes = positiveInteger(options.votes, 'votes');
    const signal = options.signal;
    const slot = await this.pool.acquire(signal);
    try {
      const windows = this.windows.prepare(note, options.labels);
      const inFlight = this.settings.strategy === 'naive' ? 1 : Math.min(slot.length, note.concepts.length);
      if (inFlight > 1) {
        yield* this.predictConcurrently(slot.slice(0, inFlight), note, windows, votes, options);
        return;
      }
      const sequence = slot[0]!;
      if (windows.length === 1) {
        for (let conceptIndex = 0; conceptIndex < note.concepts.length; conceptIndex++) {
          signal?.throwIfAborted();
          const samples = await this.runConcept(sequence, windows[0]!, conceptIndex, votes, options);
          yield { pairId: note.concepts[conceptIndex]!.pairId, samples };
        }
        return;
      }
      // Window-outer order: each window's note prefix is evaluated once for all concepts.
      const perConcept: SampleResult[][][] = note.concepts.map(() => []);
      for (const window of windows) {
        for (let conceptIndex = 0; conceptIndex < note.concepts.length; conceptIndex++) {
          signal?.throwIfAborted();
          perConcept[conceptIndex]!.push(await this.runConcept(sequence, window, conceptIndex, votes, options));
        }
      }
      for (let conceptIndex = 0; conceptIndex < note.concepts.length; conceptIndex++) {
        const byWindow = perConcept[conceptIndex]!;
        const samples = byWindow[0]!.map((_, sampleIndex) => combineWindowSamples(byWindow.map((results) => results[sampleIndex]!)));
        yield { pairId: note.concepts[conceptIndex]!.pairId, samples };
      }
    } finally {
      this.pool.release(slot);
    }
  }

  /**
   * Parallel concepts: per window, the prompts' shared prefix is evaluated once on the lead and copied into the
   * siblings; each sibling then runs whole concepts (votes and retry included), a free sibling taking the next
   * concept. Before each concept its sibling is cut back to the shared prefix, so every concept evaluates exactly
   * its own tail whatever the schedule. The prefix tokens the lead (or a sibling without the copy) evaluated are
   * charged to the first concept run on it, as prompt tokens instead of reused ones. Several windows run
   * window-outer, concurrently within each window. Results are yielded in concept order.
   */
  private async *predictConcurrently(group: LlamaContextSequence[], note: EngineNote, windows: PreparedWindow[], votes: number, options: BackendRunOptions): AsyncGenerator<ConceptResult> {
    if (windows.length === 1) {
      let conceptIndex = 0;
      for await (const samples of this.runWindowConcurrently(group, windows[0]!, note, votes, options)) yield { pairId: note.concepts[conceptIndex++]!.pairId, samples };
      return;
    }
    const perConcept: SampleResult[][][] = note.concepts.map(() => []);
    for (const window of windows) {
      let conceptIndex = 0;
      for await (const samples of this.runWindowConcurrently(group, window, note, votes, options)) perConcept[conceptIndex++]!.push(samples);
    }
    for (let conceptIndex = 0; conceptIndex < note.concepts.length; conceptIndex++) {
      const byWindow = perConcept[conceptIndex]!;
      const samples = byWindow[0]!.map((_, sampleIndex) => combineWindowSamples(byWindow.map((results) => results[sampleIndex]!)));
      yield { pairId: note.concepts[conceptIndex]!.pairId, samples };
    }
  }

  /** One window's concepts on the group's sequences; their samples in concept order. */
  private async *runWindowConcurrently(group: LlamaContextSequence[], window: PreparedWindow, note: EngineNote, votes: number, options: BackendRunOptions): AsyncGenerator<SampleResult[]> {
    const prefix = window.prompts[0]!.slice(0, sharedPromptLength(window.prompts));
    this.threads.use('prompt');
    const prepared = await shareNotePrefix(group, prefix, this.context.batchSize, options.signal);
    yield* inTaskOrder(
      note.concepts.length,
      group.length,
      async (conceptIndex, worker, signal) => {
        const sequence = group[worker]!;
        await truncateSequence(sequence, prefix.length);
        const samples = await this.runConcept(sequence, window, conceptIndex, votes, { ...options, signal }, this.siblingThreads);
        // Concept i < group.length is the first run on sequence i: it pays for that sequence's prefix evaluation.
        const charged = conceptIndex === worker ? prepared[worker]! : 0;
        if (charged > 0) samples[0] = { ...samples[0]!, promptTokens: samples[0]!.promptTokens + charged, reusedTokens: samples[0]!.reusedTokens - charged };
        return samples;
      },
      options.signal,
    );
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

  private async runConcept(
    sequence: LlamaContextSequence,
    window: PreparedWindow,
    conceptIndex: number,
    votes: number,
    options: BackendRunOptions,
    threads: PhaseThreads = this.threads,
  ): Promise<SampleResult[]> {
    const prompt = window.prompts[conceptIndex]!;
    const voteTemperature = options.temperature ?? DEFAULT_VOTE_TEMPERATURE;
    const retryTemperature = voteTemperature > 0 ? voteTemperature : DEFAULT_VOTE_TEMPERATURE;
    if (this.settings.strategy === 'naive') await sequence.clearHistory();

    const samples: SampleResult[] = [];
    for (let sampleIndex = 0; sampleIndex < votes; sampleIndex++) {
      const sampling = { temperature: votes === 1 ? 0 : voteTemperature, seed: options.seed + sampleIndex };
      const useFast = this.settings.decoding === 'fast' && this.fast.labels(options.labels) !== null;
      const first = await this.attempt(sequence, prompt, window, options, sampling, useFast ? 'fast' : 'grammar', threads);
      let result = first;
      if (first.status === 'invalid') {
        const retrySeed = options.seed + votes + sampleIndex;
        const retried = await this.attempt(sequence, prompt, window, options, { temperature: retryTemperature, seed: retrySeed }, 'grammar', threads);
        result = {
          ...retried,
          sampleIndex,
          seed: retrySeed,
          answerPath: ANSWER_PATHS.grammarRetry,
          probability: first.probability ?? retried.probability ?? null,
          error: retried.error === null ? null : `${retried.error} (after a retry; first attempt: ${first.error})`,
          promptTokens: first.promptTokens + retried.promptTokens,
          reusedTokens: first.reusedTokens,
          generatedTokens: first.generatedTokens + retried.generatedTokens,
          thinkingTokens: (first.thinkingTokens ?? 0) + (retried.thinkingTokens ?? 0),
          ms: first.ms + retried.ms,
        };
      }
      samples.push({ ...result, sampleIndex });
    }
    return samples;
  }

  /** One answer: align the sequence with the prompt, think if asked, decode on the chosen path, validate. */
  private async attempt(
    sequence: LlamaContextSequence,
    prompt: Token[],
    window: PreparedWindow,
    options: BackendRunOptions,
    sampling: SamplingSettings,
    path: 'fast' | 'grammar',
    threads: PhaseThreads,
  ): Promise<SampleResult> {
    const started = performance.now();
    const signal = options.signal;
    threads.use('prompt');
    const evaluation = await evaluatePromptHead(sequence, prompt, this.context.batchSize, signal);
    let pending: Token[] = [prompt[prompt.length - 1]!];
    let thought: { text: string; tokens: number } | null = null;
    if (this.settings.thinking) {
      const result = await think(this.model, sequence, pending, this.settings.thinking.markers, this.settings.thinking.budget, sampling, threads, signal);
      thought = result;
      pending = result.pending;
    }
    const sentenceIds = window.sentences.map((sentence) => sentence.id);
    let decoded: DecodedAnswer;
    if (path === 'fast') {
      decoded = await this.fast.decode(sequence, pending, sentenceIds, options.labels, sampling, { rationale: this.settings.rationale, maxTokens: this.settings.maxTokens }, threads, signal);
    } else {
      const probability = await this.fast.probeProbability(sequence, pending, options.labels);
      const grammar = await this.grammars.get(window.sentences, options.labels);
      decoded = await decodeWithGrammar(this.model, sequence, pending, grammar, sampling, this.settings.maxTokens, threads, signal);
      decoded.probability = probability;
    }
    const base = {
      sampleIndex: 0,
      seed: sampling.seed,
      rawOutput: decoded.rawOutput,
      promptTokens: evaluation.evaluated,
      reusedTokens: evaluation.matched,
      generatedTokens: decoded.generatedTokens,
      ms: performance.now() - started,
      windows: 1,
      probability: decoded.probability,
      thinking: thought?.text ?? null,
      thinkingTokens: thought?.tokens ?? 0,
      answerPath: path === 'grammar' ? ANSWER_PATHS.grammar : this.settings.rationale ? ANSWER_PATHS.fast : ANSWER_PATHS.fastNoRationale,
    };
    return this.validate(base, decoded, sentenceIds, options.labels);
  }

  private validate(base: Omit<SampleResult, 'status' | 'rawLabel' | 'label' | 'evidence' | 'rationale' | 'error'>, decoded: DecodedAnswer, sentenceIds: number[], labels: LabelMode): SampleResult {
    const invalid = (error: string): SampleResult => ({ ...base, status: 'invalid', rawLabel: null, label: null, evidence: [], rationale: '', error });
    if (decoded.fallbackReason) return invalid(decoded.fallbackReason);
    if (decoded.stop === 'maxTokens') {
      return invalid(`the answer was cut off at maxTokens (${this.settings.maxTokens} tokens) before its JSON was complete`);
    }
    const parsed = parseAnswer(decoded.answerText, sentenceIds, labels);
    if (!parsed.ok) return invalid(parsed.error);
    return { ...base, status: 'ok', error: null, ...parsed.answer };
  }
}

/** Stands in for the sha256 of a model that is not registered: its path and identity (size, mtime, inode). */
function unregisteredModelKey(modelPath: string): string {
  const stats = fs.statSync(modelPath);
  return `unregistered:${modelPath}:${stats.size}:${stats.mtimeMs}:${stats.ino}`;
}

/**
 * The thread switch as seen by sibling sequences: their batches mix the short tails of concept prompts with
 * generated tokens of the other siblings, so everything they do runs at the generation count.
 */
class SiblingPhaseThreads extends PhaseThreads {
  constructor(
    private readonly phases: PhaseThreads,
    context: LlamaContext,
  ) {
    super(context, phases.counts, 1);
  }

  override use(_phase: Phase): void {
    this.phases.use('generation');
  }
}
