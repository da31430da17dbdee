import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  getLlama,
  LlamaChatSession,
  LlamaLogLevel,
  readGgufFileInfo,
  type Llama,
  type LlamaModel,
} from 'node-llama-cpp';
import {
  buildTinyLlamaGguf,
  ensureTinyModel,
  resolveTinyModelOptions,
  tinyModelCacheKey,
  TINY_TOKEN_IDS,
  writeTinyLlamaGguf,
} from '../helpers/tiny-gguf';

const STORIES_MODEL = '/work/shared/models/stories260K.gguf';

const verdictSchema = {
  type: 'object',
  properties: {
    label: { enum: ['True', 'False'] },
    evidence: { type: 'array', items: { enum: ['S1', 'S2', 'S3'] } },
    rationale: { type: 'string', maxLength: 50 },
  },
  required: ['label', 'evidence', 'rationale'],
} as const;

function expectValidVerdict(text: string): void {
  const parsed: unknown = JSON.parse(text);
  expect(parsed).toEqual({
    label: expect.stringMatching(/^(True|False)$/),
    evidence: expect.any(Array),
    rationale: expect.any(String),
  });
  const verdict = parsed as { evidence: unknown[]; rationale: string };
  for (const sentenceId of verdict.evidence) expect(['S1', 'S2', 'S3']).toContain(sentenceId);
  expect(Array.from(verdict.rationale).length).toBeLessThanOrEqual(50);
}

/** Synthetic clinical-sounding filler, long enough to reach any token count we need. */
function syntheticNote(sentences: number): string {
  const parts: string[] = [];
  for (let index = 0; index < sentences; index++) {
    parts.push(`Sentence ${index}: the patient denies fever; blood pressure 12${index % 10}/80 after dose ${index} mg.`);
  }
  return parts.join('\n');
}

// Like llama.cpp's own tests: on a 2-core box, never build/download, and keep logs quiet.
async function loadCpuLlama(): Promise<Llama> {
  return getLlama({
    gpu: false,
    build: 'never',
    usePrebuiltBinaries: true,
    progressLogs: false,
    logLevel: LlamaLogLevel.error,
  });
}

describe('buildTinyLlamaGguf', () => {
  it('writes a GGUF v3 header with the tensor and metadata counts', () => {
    const bytes = buildTinyLlamaGguf({ layers: 3 });
    expect(bytes.subarray(0, 4).toString('ascii')).toBe('GGUF');
    expect(bytes.readUInt32LE(4)).toBe(3);
    // 3 global tensors + 9 per block.
    expect(bytes.readBigUInt64LE(8)).toBe(3n + 3n * 9n);
    expect(bytes.readBigUInt64LE(16)).toBeGreaterThan(20n);
    expect(bytes.length % 32).toBe(0);
  });

  it('is byte-for-byte deterministic for the same options and varies with the seed', () => {
    const first = buildTinyLlamaGguf({ seed: 7 });
    expect(buildTinyLlamaGguf({ seed: 7 }).equals(first)).toBe(true);
    expect(buildTinyLlamaGguf({ seed: 8 }).equals(first)).toBe(false);
  });

  it('rejects shapes llama.cpp could not run', () => {
    expect(() => resolveTinyModelOptions({ embedding: 30, heads: 4 })).toThrow(/divisible by heads/);
    expect(() => resolveTinyModelOptions({ heads: 4, kvHeads: 3 })).toThrow(/divisible by kvHeads/);
    expect(() => resolveTinyModelOptions({ embedding: 12, heads: 4 })).toThrow(/even/);
    expect(() => resolveTinyModelOptions({ layers: 0 })).toThrow(/positive integer/);
  });

  it('keys the cache on the resolved options', () => {
    expect(tinyModelCacheKey({})).toBe(tinyModelCacheKey({ seed: resolveTinyModelOptions().seed }));
    expect(tinyModelCacheKey({ seed: 2 })).not.toBe(tinyModelCacheKey({ seed: 3 }));
  });

  it('ensureTinyModel creates the file once and then reuses it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tiny-gguf-'));
    try {
      const created = await ensureTinyModel(dir, { seed: 5 });
      const firstWrite = fs.statSync(created).mtimeMs;
      expect(await ensureTinyModel(dir, { seed: 5 })).toBe(created);
      expect(fs.statSync(created).mtimeMs).toBe(firstWrite);
      expect(fs.readFileSync(created).equals(buildTinyLlamaGguf({ seed: 5 }))).toBe(true);
      expect(fs.readdirSync(dir)).toEqual([path.basename(created)]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writeTinyLlamaGguf writes the same bytes as buildTinyLlamaGguf', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tiny-gguf-'));
    try {
      const file = path.join(dir, 'nested', 'model.gguf');
      writeTinyLlamaGguf(file, { seed: 11 });
      expect(fs.readFileSync(file).equals(buildTinyLlamaGguf({ seed: 11 }))).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('tiny model through node-llama-cpp', () => {
  let llama: Llama;
  let model: LlamaModel;
  let modelPath: string;

  beforeAll(async () => {
    modelPath = await ensureTinyModel();
    llama = await loadCpuLlama();
    model = await llama.loadModel({ modelPath });
  });

  afterAll(async () => {
    await model?.dispose();
    await llama?.dispose();
  });

  it('exposes llama metadata and tensor shapes that readGgufFileInfo understands', async () => {
    const info = await readGgufFileInfo(modelPath, { logWarnings: false });
    expect(info.version).toBe(3);
    expect(info.metadata.general.architecture).toBe('llama');
    expect(info.metadata.general.file_type).toBe(0);
    const llamaMetadata = info.metadata.llama;
    expect(llamaMetadata?.context_length).toBe(4096);
    expect(llamaMetadata?.embedding_length).toBe(32);
    expect(llamaMetadata?.block_count).toBe(2);
    expect(llamaMetadata?.attention.head_count_kv).toBe(2);
    expect(info.metadata.tokenizer.ggml.model).toBe('llama');
    expect(info.metadata.tokenizer.ggml.bos_token_id).toBe(TINY_TOKEN_IDS.bos);
    const vocabSize = info.metadata.tokenizer.ggml.tokens.length;
    const shapes = new Map(info.tensorInfo?.map((tensor) => [tensor.name, tensor.dimensions.map(Number)]));
    expect(shapes.get('token_embd.weight')).toEqual([32, vocabSize]);
    expect(shapes.get('blk.1.attn_k.weight')).toEqual([32, 16]);
    expect(shapes.get('blk.0.ffn_down.weight')).toEqual([64, 32]);
  });

  it('tokenizes any text losslessly, using word pieces where they exist', () => {
    const text = 'The patient\'s {"label": "True"} — naïve 😀\n\ttab';
    const tokens = model.tokenize(text);
    expect(model.detokenize(tokens)).toBe(text);
    const pieces = model.tokenize('the patient history').map((token) => model.detokenize([token]).trim());
    expect(pieces).toEqual(['the', 'patient', 'history']);
  });

  it('evaluates a 2,000-token prompt and reuses its prefix', async () => {
    const prompt = model.tokenize(syntheticNote(400)).slice(0, 2000);
    expect(prompt.length).toBe(2000);
    const context = await model.createContext({ contextSize: 4096, batchSize: 512, threads: llama.cpuMathCores });
    try {
      const sequence = context.getSequence();
      await sequence.evaluateWithoutGeneratingNewTokens(prompt);
      expect(sequence.nextTokenIndex).toBe(2000);

      const variant = [...prompt.slice(0, 1900), ...model.tokenize(' a different ending')];
      await sequence.adaptStateToTokens(variant, false);
      expect(sequence.nextTokenIndex).toBe(1900);
      const inputBefore = sequence.tokenMeter.usedInputTokens;
      await sequence.evaluateWithoutGeneratingNewTokens(variant.slice(sequence.nextTokenIndex));
      expect(sequence.tokenMeter.usedInputTokens - inputBefore).toBe(variant.length - 1900);
      expect(sequence.contextTokens).toEqual(variant);
    } finally {
      await context.dispose();
    }
  });

  it('produces schema-valid JSON under a JSON-schema grammar via the chat template', async () => {
    const grammar = await llama.createGrammarForJsonSchema(verdictSchema);
    const context = await model.createContext({ contextSize: 1024, batchSize: 256, threads: llama.cpuMathCores });
    try {
      const session = new LlamaChatSession({ contextSequence: context.getSequence() });
      expect(session.chatWrapper.wrapperName).toBe('ChatML');
      const answer = await session.prompt(`${syntheticNote(3)}\nIs the code supported?`, { grammar, maxTokens: 200 });
      expectValidVerdict(answer);
      expect(grammar.parse(answer).label).toMatch(/^(True|False)$/);
    } finally {
      await context.dispose();
    }
  });
});

describe.skipIf(!fs.existsSync(STORIES_MODEL))('stories260K reference model', () => {
  it('loads and produces schema-valid JSON under the same grammar', async () => {
    const llama = await loadCpuLlama();
    const model = await llama.loadModel({ modelPath: STORIES_MODEL });
    try {
      const grammar = await llama.createGrammarForJsonSchema(verdictSchema);
      const context = await model.createContext({ contextSize: 1024, batchSize: 256, threads: llama.cpuMathCores });
      const session = new LlamaChatSession({ contextSequence: context.getSequence() });
      const answer = await session.prompt('Once upon a time a girl found a note. Is it true?', { grammar, maxTokens: 200 });
      expectValidVerdict(answer);
    } finally {
      await model.dispose();
      await llama.dispose();
    }
  });
});
