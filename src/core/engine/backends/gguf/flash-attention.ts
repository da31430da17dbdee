/**
 * Flash attention on or off. It is fixed when a context is created (it changes the KV cache's layout), so it cannot
 * follow the phases as the thread count does, and the two phases disagree about it on a CPU. Measured on these 2
 * cores at 1,600 tokens of context: flash attention evaluates prompts 1.7-2.0x faster on all three bench models, but
 * generates 3.2x slower on stories260K (6.8 vs 2.2 ms/token), 1.1x slower on the Llama 3.1-shaped model and the same on
 * the Qwen3-shaped one. node-llama-cpp's default ("auto") lets llama.cpp turn it on wherever it is supported.
 *
 * `auto` here: on a GPU, and for models too large to probe quickly on the CPU, llama.cpp's choice as before; for a
 * small model on the CPU both settings are measured on this machine at the run's depth (a prompt of up to 1,024
 * tokens, then 8 generated tokens), and the one with the cheaper typical answer is used (`typicalAnswer`: a note's
 * prompt evaluated once for ASSUMED_CONCEPTS_PER_NOTE concepts plus each concept's tail, then TYPICAL_ANSWER_TOKENS
 * generated, fewer without a rationale: what an instruction-tuned model writes). The strategy does not enter: the
 * two settings round differently, so note-major and naive must share one for greedy answers to stay identical. The
 * measurement is kept per model file, machine and thread counts in the start-up cache; the decision is made from it
 * for each run's settings.
 */
import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import type { LlamaModel, Token } from 'node-llama-cpp';
import { withoutMemorySimulation } from '../../../models/gguf';
import { readCacheFile, writeCacheFile } from './startup-cache';
import { PhaseThreads, type ThreadCounts } from './threads';

export type FlashAttentionSetting = 'auto' | 'on' | 'off';

/** The deepest prompt the probe evaluates (each setting once): a fraction of a second for the models probed. */
export const FLASH_PROBE_MAX_DEPTH = 1024;
const FLASH_PROBE_GENERATED = 8;
const PROBE_TEXT = 'The patient has chronic kidney disease stage 3 and hypertension, on metoprolol 25 mg daily. ';

export interface FlashPhaseFigures {
  promptTokensPerSecond: number;
  generationMsPerToken: number;
}

export interface FlashAttentionProbe {
  depth: number;
  on: FlashPhaseFigures;
  off: FlashPhaseFigures;
  /** on/off prompt speed and on/off generation time per token. */
  promptSpeedup: number;
  generationSlowdown: number;
}

/** The probe with what it predicts for this run's typical answer (recorded in the manifest). */
export interface FlashAttentionEstimate extends FlashAttentionProbe {
  typicalAnswer: { promptTokens: number; generatedTokens: number };
  answerSecondsOn: number;
  answerSecondsOff: number;
}

/** What the context is created with, and why (recorded in the manifest). */
export interface FlashAttentionChoice {
  setting: FlashAttentionSetting;
  /** true / false, or 'auto' where llama.cpp decides. */
  contextOption: boolean | 'auto';
  chosenBy: 'user' | 'llama.cpp' | 'measured' | 'measured-earlier';
  probe: FlashAttentionEstimate | null;
}

/** Concepts per note assumed for the estimate (the demo set has ~6 per note; the benchmark's notes several). */
export const ASSUMED_CONCEPTS_PER_NOTE = 3;
/** Tokens of a concept's own prompt tail after the note (its code, description and the question). */
const CONCEPT_TAIL_TOKENS = 32;
/** Generated tokens of a typical answer: JSON scaffold, a few evidence ids and a one-sentence rationale. */
export const TYPICAL_ANSWER_TOKENS = { withRationale: 48, withoutRationale: 16 } as const;

export interface AnswerShape {
  rationale: boolean;
}

/** Prompt tokens evaluated and tokens generated for one typical answer at this depth. */
export function typicalAnswer(shape: AnswerShape, depth: number): { promptTokens: number; generatedTokens: number } {
  return {
    promptTokens: depth / ASSUMED_CONCEPTS_PER_NOTE + CONCEPT_TAIL_TOKENS,
    generatedTokens: shape.rationale ? TYPICAL_ANSWER_TOKENS.withRationale : TYPICAL_ANSWER_TOKENS.withoutRationale,
  };
}

/** Seconds of a typical answer with these figures. */
export function answerSeconds(figures: FlashPhaseFigures, answer: { promptTokens: number; generatedTokens: number }): number {
  return answer.promptTokens / figures.promptTokensPerSecond + (answer.generatedTokens * figures.generationMsPerToken) / 1000;
}

export function decideFromProbe(probe: Pick<FlashAttentionProbe, 'depth' | 'on' | 'off'>, shape: AnswerShape): boolean {
  const answer = typicalAnswer(shape, probe.depth);
  return answerSeconds(probe.on, answer) <= answerSeconds(probe.off, answer);
}

async function measureSetting(model: LlamaModel, flashAttention: boolean, depth: number, threads: ThreadCounts): Promise<FlashPhaseFigures> {
  // Probed on the CPU only, where the memory simulation decides nothing and costs a vocabulary load per context.
  const context = await withoutMemorySimulation(() =>
    model.createContext({ contextSize: depth + 2 * FLASH_PROBE_GENERATED, batchSize: Math.min(2048, depth), threads: threads.prompt, sequences: 1, flashAttention }),
  );
  try {
    const sequence = context.getSequence();
    const phases = new PhaseThreads(context, threads, 1);
    const sample: Token[] = [];
    const text = model.tokenize(PROBE_TEXT.repeat(Math.ceil(depth / 8)), false);
    if (text.length === 0) throw new Error('the probe text has no tokens in this vocabulary');
    while (sample.length < depth + 1) sample.push(...text.slice(0, depth + 1 - sample.length));
    phases.use('prompt');
    const promptStarted = performance.now();
    await sequence.evaluateWithoutGeneratingNewTokens(sample.slice(0, depth));
    const promptSeconds = (performance.now() - promptStarted) / 1000;
    phases.use('generation');
    let best = Infinity;
    // Twice, the faster kept: the first tokens also pay the phase switch's thread start.
    for (let round = 0; round < 2; round++) {
      if (sequence.nextTokenIndex > depth) await sequence.eraseContextTokenRanges([{ start: depth, end: sequence.nextTokenIndex }]);
      const started = performance.now();
      let generated = 0;
      for await (const token of sequence.evaluate([sample[depth]!], { temperature: 0 })) {
        void token;
        if (++generated >= FLASH_PROBE_GENERATED) break;
      }
      best = Math.min(best, (performance.now() - started) / Math.max(1, generated));
    }
    return { promptTokensPerSecond: depth / Math.max(promptSeconds, 1e-6), generationMsPerToken: best };
  } finally {
    await context.dispose();
  }
}

/** Both settings measured on this machine, off first. */
export async function probeFlashAttention(model: LlamaModel, depth: number, threads: ThreadCounts): Promise<FlashAttentionProbe> {
  const off = await measureSetting(model, false, depth, threads);
  const on = await measureSetting(model, true, depth, threads);
  return {
    depth,
    on,
    off,
    promptSpeedup: on.promptTokensPerSecond / off.promptTokensPerSecond,
    generationSlowdown: on.generationMsPerToken / off.generationMsPerToken,
  };
}

export interface FlashProbeCacheKey {
  modelSha256: string;
  nodeLlamaCppVersion: string;
  threads: ThreadCounts;
  depth: number;
}

/** Bumped when the probe or its decision changes. */
const PROBE_FORMAT = 1;

const probesInProcess = new Map<string, FlashAttentionProbe>();

function probeCacheId(key: FlashProbeCacheKey): string {
  const cpus = os.cpus();
  const machine = [cpus[0]?.model ?? '', cpus.length, os.arch(), os.platform()];
  return crypto
    .createHash('sha256')
    .update(JSON.stringify([PROBE_FORMAT, key.modelSha256, key.nodeLlamaCppVersion, key.threads.prompt, key.threads.generation, key.depth, machine]))
    .digest('hex')
    .slice(0, 32);
}

function isFigures(value: unknown): value is FlashPhaseFigures {
  const figures = value as Partial<FlashPhaseFigures> | null;
  return typeof figures?.promptTokensPerSecond === 'number' && figures.promptTokensPerSecond > 0 && typeof figures.generationMsPerToken === 'number' && figures.generationMsPerToken > 0;
}

function readProbe(file: string): FlashAttentionProbe | null {
  const parsed = readCacheFile(file) as { format?: unknown; probe?: Partial<FlashAttentionProbe> } | null;
  const probe = parsed?.probe;
  if (parsed?.format !== PROBE_FORMAT || !probe || typeof probe.depth !== 'number' || !isFigures(probe.on) || !isFigures(probe.off)) return null;
  return { depth: probe.depth, on: probe.on, off: probe.off, promptSpeedup: probe.on.promptTokensPerSecond / probe.off.promptTokensPerSecond, generationSlowdown: probe.on.generationMsPerToken / probe.off.generationMsPerToken };
}

export interface ChooseFlashAttentionOptions {
  setting: FlashAttentionSetting;
  /** The probe runs only where it is quick and the choice matters: a small model on the CPU. */
  probe: boolean;
  depth: number;
  threads: ThreadCounts;
  shape: AnswerShape;
  /** Where a measurement is kept for the next run (registered models only); none: measured in every process. */
  cacheKey: FlashProbeCacheKey | null;
  cacheDir: string | null;
}

function estimate(probe: FlashAttentionProbe, shape: AnswerShape): FlashAttentionEstimate {
  const answer = typicalAnswer(shape, probe.depth);
  return { ...probe, typicalAnswer: answer, answerSecondsOn: answerSeconds(probe.on, answer), answerSecondsOff: answerSeconds(probe.off, answer) };
}

export async function chooseFlashAttention(model: LlamaModel, options: ChooseFlashAttentionOptions): Promise<FlashAttentionChoice> {
  const { setting, shape } = options;
  if (setting !== 'auto') return { setting, contextOption: setting === 'on', chosenBy: 'user', probe: null };
  if (!options.probe || !model.flashAttentionSupported) return { setting, contextOption: 'auto', chosenBy: 'llama.cpp', probe: null };
  const id = options.cacheKey ? probeCacheId(options.cacheKey) : null;
  const file = id && options.cacheDir ? path.join(options.cacheDir, `flash-attention-${id}.json`) : null;
  const known = (id ? probesInProcess.get(id) : undefined) ?? (file ? readProbe(file) : null);
  if (known) {
    if (id) probesInProcess.set(id, known);
    return { setting, contextOption: decideFromProbe(known, shape), chosenBy: 'measured-earlier', probe: estimate(known, shape) };
  }
  let probe: FlashAttentionProbe;
  try {
    probe = await probeFlashAttention(model, options.depth, options.threads);
  } catch {
    // A probe that cannot run (memory for its contexts, an odd vocabulary) leaves the choice to llama.cpp, not the run.
    return { setting, contextOption: 'auto', chosenBy: 'llama.cpp', probe: null };
  }
  if (id) probesInProcess.set(id, probe);
  if (file) writeCacheFile(file, { format: PROBE_FORMAT, measuredAt: new Date().toISOString(), probe });
  return { setting, contextOption: decideFromProbe(probe, shape), chosenBy: 'measured', probe: estimate(probe, shape) };
}

/** Forgets the in-process measurements (tests). */
export function clearFlashAttentionProbes(): void {
  probesInProcess.clear();
}
