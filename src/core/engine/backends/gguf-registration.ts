import path from 'node:path';
import { z } from 'zod';
import { userDataDir } from '../../paths';
import type { RunSettings } from '../runs';
import type { BackendDefinition } from './registry';

/**
 * The registry entry of the GGUF backend (node-llama-cpp). Its options are the run settings' historical
 * top-level fields (gpu, gpuLayers, ...), so runs made before the registry resume unchanged.
 */
const ggufOptions = z
  .object({
    gpu: z.enum(['auto', 'cpu', 'cuda', 'vulkan', 'metal']).default('auto'),
    // The CLI and a form hand over text; 'auto' or a whole number of layers.
    gpuLayers: z.preprocess((v) => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v), z.union([z.literal('auto'), z.number().int().min(0)])).default('auto'),
    contextSize: z.number().int().positive().nullable().default(null),
    threads: z.number().int().positive().nullable().default(null),
    batchSize: z.number().int().positive().nullable().default(null),
    parallel: z.number().int().positive().nullable().default(null),
    // Added with issue 11 (kept in settings.backendOptions; see readOptions for runs made before them).
    threadsPrompt: z.number().int().positive().nullable().default(null),
    threadsGeneration: z.number().int().positive().nullable().default(null),
    decoding: z.enum(['fast', 'grammar']).default('fast'),
    rationale: z.enum(['on', 'off']).default('on'),
    thinking: z.enum(['off', 'on']).default('off'),
    thinkingBudget: z.number().int().positive().nullable().default(null),
    conceptsInFlight: z.number().int().positive().nullable().default(null),
    flashAttention: z.enum(['auto', 'on', 'off']).default('auto'),
  })
  .strict();
export type GgufOptions = z.infer<typeof ggufOptions>;

export const ggufBackend: BackendDefinition<GgufOptions> = {
  id: 'gguf',
  label: 'GGUF model (node-llama-cpp)',
  description: 'A local GGUF model file run in this process, on the CPU or a local GPU.',
  capabilities: { grammar: true, probabilities: true, prefixReuse: true, parallelism: true, votes: true, needsModelFile: true, remote: false },
  model: 'file',
  fields: [
    { name: 'gpu', flag: '--gpu', type: 'enum', choices: ['auto', 'cpu', 'cuda', 'vulkan', 'metal'], default: 'auto', description: 'compute backend' },
    { name: 'gpuLayers', flag: '--gpu-layers', type: 'string', default: 'auto', description: "layers to offload to the GPU, or 'auto'" },
    { name: 'contextSize', flag: '--context-size', type: 'integer', min: 1, default: null, description: 'context size in tokens (default: the model’s, at most 8192)' },
    { name: 'threads', flag: '--threads', type: 'integer', min: 1, default: null, description: 'CPU threads (default: the physical math cores)' },
    { name: 'batchSize', flag: '--batch-size', type: 'integer', min: 1, default: null, description: 'prompt batch size in tokens (default: 2048)' },
    {
      name: 'parallel',
      flag: '--parallel',
      type: 'integer',
      min: 1,
      default: null,
      description: 'notes in flight on parallel context sequences (default: 1 on the CPU; on a GPU as many as fit in memory, up to 4)',
    },
    { name: 'threadsPrompt', flag: '--threads-prompt', type: 'integer', min: 1, default: null, description: 'CPU threads for prompt evaluation (default: --threads, else the math cores)' },
    {
      name: 'threadsGeneration',
      flag: '--threads-generation',
      type: 'integer',
      min: 1,
      default: null,
      description: 'CPU threads for generating tokens (default: --threads, else 1 for models under 256 MB, the math cores above)',
    },
    {
      name: 'decoding',
      flag: '--decoding',
      type: 'enum',
      choices: ['fast', 'grammar'],
      default: 'fast',
      description: 'fast: label from the label position’s logits, evidence under a token mask, free rationale; grammar: the whole answer under the JSON grammar',
    },
    { name: 'rationale', flag: '--rationale', type: 'enum', choices: ['on', 'off'], default: 'on', description: 'off: no rationale (label and evidence only; faster sweeps)' },
    { name: 'thinking', flag: '--thinking', type: 'enum', choices: ['off', 'on'], default: 'off', description: 'on: a reasoning model thinks before answering (Qwen3 <think>)' },
    { name: 'thinkingBudget', flag: '--thinking-budget', type: 'integer', min: 1, default: null, description: 'most tokens of the thought segment (default: 512)' },
    {
      name: 'conceptsInFlight',
      flag: '--concepts-in-flight',
      type: 'integer',
      min: 1,
      default: null,
      description: 'concepts of a note decoded together on sibling sequences sharing its prefix (default: 4 when memory allows; 1 with --strategy naive)',
    },
    {
      name: 'flashAttention',
      flag: '--flash-attention',
      type: 'enum',
      choices: ['auto', 'on', 'off'],
      default: 'auto',
      description: 'auto: llama.cpp decides, except for small models on the CPU, where both settings are measured here once (faster prompts vs slower generation)',
    },
  ],
  schema: ggufOptions,
  readOptions: (settings: RunSettings) => ({
    gpu: settings.gpu,
    gpuLayers: settings.gpuLayers,
    contextSize: settings.contextSize,
    threads: settings.threads,
    batchSize: settings.batchSize,
    parallel: settings.parallel ?? null,
    threadsPrompt: settings.backendOptions?.threadsPrompt ?? null,
    threadsGeneration: settings.backendOptions?.threadsGeneration ?? null,
    // A run made before the fast path existed resumes on the grammar path it started with.
    decoding: settings.backendOptions?.decoding ?? 'grammar',
    rationale: settings.backendOptions?.rationale ?? 'on',
    thinking: settings.backendOptions?.thinking ?? 'off',
    thinkingBudget: settings.backendOptions?.thinkingBudget ?? null,
    // Runs made before parallel concepts decoded one concept at a time and resume that way.
    conceptsInFlight: settings.backendOptions === undefined || !('conceptsInFlight' in settings.backendOptions) ? 1 : settings.backendOptions.conceptsInFlight,
    // Speed only: a run made before the setting existed resumes with today's choice.
    flashAttention: settings.backendOptions?.flashAttention ?? 'auto',
  }),
  toSettings: ({ threadsPrompt, threadsGeneration, decoding, rationale, thinking, thinkingBudget, conceptsInFlight, flashAttention, ...historical }) => ({
    ...historical,
    backendOptions: { threadsPrompt, threadsGeneration, decoding, rationale, thinking, thinkingBudget, conceptsInFlight, flashAttention },
  }),
  async create({ settings, options, model, env }) {
    if (!model) throw new Error('the gguf backend needs a registered model');
    // node-llama-cpp is loaded only when a model runs: baseline runs and the rest of the CLI stay light. Its binding
    // (tested first in a child process) loads while the backend's modules do.
    const { getLlamaForMachine } = await import('../../models/gguf');
    void getLlamaForMachine({ gpu: options.gpu }).catch(() => undefined);
    const { createLlamaBackend } = await import('./gguf/backend');
    const { loadPromptTemplate } = await import('../prompt');
    return createLlamaBackend({
      modelPath: model.path,
      modelSha256: model.sha256,
      startupCacheDir: path.join(userDataDir(env), 'cache', 'startup'),
      gpu: options.gpu as never,
      gpuLayers: options.gpuLayers,
      strategy: settings.strategy,
      ...(options.contextSize !== null ? { contextSize: options.contextSize } : {}),
      ...(options.threads !== null ? { threads: options.threads } : {}),
      ...(options.batchSize !== null ? { batchSize: options.batchSize } : {}),
      ...(settings.maxTokens !== null ? { maxTokens: settings.maxTokens } : {}),
      ...(options.parallel ? { sequences: options.parallel } : {}),
      ...(settings.promptFile !== null ? { promptTemplate: loadPromptTemplate(settings.promptFile) } : {}),
      ...(options.threadsPrompt !== null ? { threadsPrompt: options.threadsPrompt } : {}),
      ...(options.threadsGeneration !== null ? { threadsGeneration: options.threadsGeneration } : {}),
      decoding: options.decoding,
      rationale: options.rationale === 'on',
      thinking: options.thinking,
      ...(options.thinkingBudget !== null ? { thinkingBudget: options.thinkingBudget } : {}),
      ...(options.conceptsInFlight !== null ? { conceptsInFlight: options.conceptsInFlight } : {}),
      flashAttention: options.flashAttention,
    });
  },
};
