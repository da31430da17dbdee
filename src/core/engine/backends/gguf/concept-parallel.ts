/**
 * Parallel concepts: the concepts of one note decode together on sibling sequences of one context. The note's shared
 * prompt prefix is evaluated once on the lead sequence and its KV state copied into each sibling; every sibling then
 * evaluates only its concept's tail and decodes its answer. node-llama-cpp batches the concurrent evaluations of
 * sequences of one context into one llama_decode, so K concepts in flight generate K tokens per forward pass: on a
 * GPU, or a CPU whose generation is bound by memory bandwidth (real models), that is close to K times the throughput.
 *
 * The copy uses node-llama-cpp's internal `_copyStateFromOtherSequence` (llama_memory_seq_cp), behind a checked
 * adapter: when the method is missing (another node-llama-cpp version) or fails, the sibling evaluates the prefix
 * itself, which costs speed, not correctness.
 */
import type { LlamaContextSequence, Token } from 'node-llama-cpp';
import { ModelFileError, validateGgufFile, type GgufInspection, type InspectGgufOptions } from '../../../models/gguf';

/**
 * Concepts in flight per note when not set. On the tiny shape-real models on 2 CPU cores (bench/engine.ts,
 * `conceptsInFlight`) 4 in flight generate 0.9-1.4x the tokens/s of 1: their per-token cost is per-sequence
 * sampling. Real models, whose per-token cost is reading the weights (once per batch), and GPUs gain close to 4x.
 */
export const DEFAULT_CONCEPTS_IN_FLIGHT = 4;

/** The internal copy of node-llama-cpp 3.x (LlamaContext.js); absent or different in other versions. */
interface SequenceStateCopy {
  _copyStateFromOtherSequence(otherSequence: LlamaContextSequence, upToTokenIndex: number): Promise<boolean | undefined>;
}

/**
 * Makes `target` hold the first `length` tokens of `source` by copying their KV state. Returns false when the copy
 * is not available or did not produce exactly that state; the target is then emptied (a failed copy may have left
 * its token list out of step with its cells) and the caller must evaluate the prefix itself.
 */
export async function copySequencePrefix(target: LlamaContextSequence, source: LlamaContextSequence, length: number): Promise<boolean> {
  const copy = (target as unknown as Partial<SequenceStateCopy>)._copyStateFromOtherSequence;
  // node-llama-cpp documents that the copy does not work with token predictors (none is used here).
  if (typeof copy !== 'function' || target.tokenPredictor !== undefined || source.nextTokenIndex < length) return false;
  let copied = false;
  try {
    copied = (await copy.call(target, source, length)) === true && target.nextTokenIndex === length;
  } catch {
    copied = false;
  }
  if (!copied) await target.clearHistory();
  return copied;
}

/**
 * Validates the model file for the sequences the backend will create (notes in flight x concepts in flight: each
 * sequence holds its own KV cache) and settles the concepts in flight: 1 for `naive` (which clears the sequence
 * before every concept, the reference that prefix sharing is measured against), the requested count, or the default
 * when its memory fits, else 1. A file that fails for another reason fails the second validation the same way.
 */
export async function validateForConcepts(
  modelPath: string,
  options: InspectGgufOptions,
  notesInFlight: number,
  requested: number | undefined,
  strategy: 'note-major' | 'naive',
): Promise<{ inspection: GgufInspection; conceptsInFlight: number }> {
  const wanted = strategy === 'naive' ? 1 : (requested ?? DEFAULT_CONCEPTS_IN_FLIGHT);
  if (requested !== undefined || wanted === 1) {
    return { inspection: await validateGgufFile(modelPath, { ...options, sequences: notesInFlight * wanted }), conceptsInFlight: wanted };
  }
  try {
    return { inspection: await validateGgufFile(modelPath, { ...options, sequences: notesInFlight * wanted }), conceptsInFlight: wanted };
  } catch (error) {
    if (!(error instanceof ModelFileError)) throw error;
    return { inspection: await validateGgufFile(modelPath, { ...options, sequences: notesInFlight }), conceptsInFlight: 1 };
  }
}

/** Prompt tokens every prompt starts with, leaving at least each prompt's last token (which the decoder feeds). */
export function sharedPromptLength(prompts: readonly (readonly Token[])[]): number {
  if (prompts.length === 0) return 0;
  let length = Math.min(...prompts.map((prompt) => prompt.length - 1));
  const first = prompts[0]!;
  for (const prompt of prompts.slice(1)) {
    let index = 0;
    while (index < length && prompt[index] === first[index]) index++;
    length = index;
  }
  return Math.max(0, length);
}

/**
 * The prompt tokens one window's concepts cost with several in flight, as the backend counts them (for the run
 * planner): the lead keeps what it `held` that matches the shared prefix and evaluates the rest once; every concept
 * then evaluates its tail after the shared prefix; further votes evaluate nothing. One concept at a time reuses a
 * little more (each prompt's match with the one before it); this is what the parallel path does instead. Returns
 * what the lead holds afterwards (the shared prefix), for the next window.
 */
export function concurrentWindowTokens(held: readonly Token[], prompts: readonly (readonly Token[])[], votes: number): { promptTokens: number; reusedTokens: number; held: Token[] } {
  const shared = sharedPromptLength(prompts);
  const first = prompts[0] ?? [];
  let kept = 0;
  while (kept < shared && kept < held.length && held[kept] === first[kept]) kept++;
  let promptTokens = shared - kept;
  let total = 0;
  for (const prompt of prompts) {
    promptTokens += prompt.length - shared;
    total += votes * prompt.length;
  }
  return { promptTokens, reusedTokens: total - promptTokens, held: first.slice(0, shared) };
}

/** Brings `sequence` to exactly `prefix`: keeps the tokens that match, erases the rest, evaluates the remainder. */
export async function evaluatePrefix(sequence: LlamaContextSequence, prefix: readonly Token[], batchSize: number, signal?: AbortSignal): Promise<{ evaluated: number }> {
  signal?.throwIfAborted();
  const keep = Math.min(sequence.compareContextTokens(prefix as Token[]).firstDifferentIndex, prefix.length);
  await truncateSequence(sequence, keep);
  for (let offset = keep; offset < prefix.length; offset += batchSize) {
    signal?.throwIfAborted();
    await sequence.evaluateWithoutGeneratingNewTokens(prefix.slice(offset, Math.min(offset + batchSize, prefix.length)));
  }
  signal?.throwIfAborted();
  return { evaluated: prefix.length - keep };
}

export async function truncateSequence(sequence: LlamaContextSequence, length: number): Promise<void> {
  if (sequence.nextTokenIndex > length) await sequence.eraseContextTokenRanges([{ start: length, end: sequence.nextTokenIndex }]);
}

/**
 * Gives every sequence of `group` exactly `prefix`: the lead (the first) evaluates what it lacks, the siblings copy
 * it (or, without the copy, evaluate it). Returns the prompt tokens each sequence evaluated to get there.
 */
export async function shareNotePrefix(group: readonly LlamaContextSequence[], prefix: readonly Token[], batchSize: number, signal?: AbortSignal): Promise<number[]> {
  const [lead, ...siblings] = group;
  if (!lead) return [];
  const evaluated = [(await evaluatePrefix(lead, prefix, batchSize, signal)).evaluated];
  for (const sibling of siblings) {
    signal?.throwIfAborted();
    if (sibling.compareContextTokens(prefix as Token[]).firstDifferentIndex >= prefix.length) {
      await truncateSequence(sibling, prefix.length);
      evaluated.push(0);
    } else if (await copySequencePrefix(sibling, lead, prefix.length)) {
      evaluated.push(0);
    } else {
      evaluated.push((await evaluatePrefix(sibling, prefix, batchSize, signal)).evaluated);
    }
  }
  return evaluated;
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(reason: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((onResolve, onReject) => {
    resolve = onResolve;
    reject = onReject;
  });
  // Results after a failure are never awaited; their rejections are expected.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

/**
 * Runs tasks 0..count-1 on `workers` workers and yields their results in task order, each as soon as it and every
 * earlier one are done. Task i < workers starts on worker i; later ones go to whichever worker is free first. When a
 * task fails, the consumer stops early, or `signal` aborts, the other tasks are aborted through the signal they are
 * given, and every worker has settled before this generator returns or throws, so the caller may release what the
 * workers use. The first task error is what is thrown.
 */
export async function* inTaskOrder<T>(
  count: number,
  workers: number,
  run: (task: number, worker: number, signal: AbortSignal) => Promise<T>,
  signal?: AbortSignal,
): AsyncGenerator<T> {
  const stop = new AbortController();
  const taskSignal = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
  const results = Array.from({ length: count }, () => deferred<T>());
  let failure: { error: unknown } | null = null;
  let next = 0;
  const work = async (worker: number): Promise<void> => {
    for (let task = next++; task < count; task = next++) {
      try {
        taskSignal.throwIfAborted();
        results[task]!.resolve(await run(task, worker, taskSignal));
      } catch (error) {
        if (failure === null && !taskSignal.aborted) {
          failure = { error };
          stop.abort(error);
        }
        results[task]!.reject(error);
      }
    }
  };
  const settled = Promise.all(Array.from({ length: Math.max(0, Math.min(workers, count)) }, (_, worker) => work(worker)));
  try {
    for (const result of results) {
      let value: T;
      try {
        value = await result.promise;
      } catch (error) {
        throw failure === null ? error : (failure as { error: unknown }).error;
      }
      yield value;
    }
  } finally {
    stop.abort(new DOMException('This operation was aborted', 'AbortError'));
    await settled;
  }
}
