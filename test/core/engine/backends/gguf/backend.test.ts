import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConceptResult, EngineNote, InferenceBackend, SampleResult } from '../../../../../src/core/engine/backend';
import { createLlamaBackend, type LlamaBackendOptions } from '../../../../../src/core/engine/backends/gguf/backend';
import { autoSequences, MAX_AUTO_SEQUENCES } from '../../../../../src/core/engine/backends/gguf/lifecycle';
import { resolvePromptFrame, tokenizePrompt } from '../../../../../src/core/engine/backends/gguf/prompt-tokens';
import { jsonObjectEnd } from '../../../../../src/core/engine/backends/gguf/stop-detection';
import { BUILT_IN_PROMPT_TEMPLATE, PROMPT_VERSION, renderPrompt } from '../../../../../src/core/engine/prompt';
import { getLlamaForMachine, ModelFileError } from '../../../../../src/core/models/gguf';
import { ensureTinyModel } from '../../../../helpers/tiny-gguf';

const STORIES_MODEL = '/work/shared/models/stories260K.gguf';

/** Synthetic, clinical-sounding sentences; never real notes. */
function syntheticNote(sentenceCount: number, conceptCount: number, noteKey = 1): EngineNote {
  const sentences = Array.from({ length: sentenceCount }, (_, index) => ({
    id: index + 1,
    text: `The patient has a history of chronic kidney disease stage ${index % 5} and hypertension, blood pressure 14${index % 10}/90 on day ${index}.`,
  }));
  const concepts = Array.from({ length: conceptCount }, (_, index) => ({
    pairId: 100 + index,
    code: `N18.${index}`,
    desc: `Chronic kidney disease, stage ${index}`,
  }));
  return { noteKey, sentences, concepts };
}

async function collect(backend: InferenceBackend, note: EngineNote, options: Parameters<InferenceBackend['predictNote']>[1]): Promise<ConceptResult[]> {
  const results: ConceptResult[] = [];
  for await (const result of backend.predictNote(note, options)) results.push(result);
  return results;
}

function expectWellFormed(sample: SampleResult, note: EngineNote): void {
  const ids = new Set(note.sentences.map((sentence) => sentence.id));
  for (const id of sample.evidence) expect(ids.has(id)).toBe(true);
  expect(sample.evidence).toEqual([...new Set(sample.evidence)].sort((a, b) => a - b));
  if (sample.status === 'ok') {
    expect(sample.error).toBeNull();
    expect(['True', 'False']).toContain(sample.rawLabel);
    expect(sample.label).toBe(sample.rawLabel === 'True');
    expect(JSON.parse(sample.rawOutput.trim())).toMatchObject({ label: sample.rawLabel });
  } else {
    expect(sample.error).toEqual(expect.any(String));
    expect(sample.label).toBeNull();
  }
}

function sum(samples: SampleResult[], pick: (sample: SampleResult) => number): number {
  return samples.reduce((total, sample) => total + pick(sample), 0);
}

let modelPath: string;
let plainModelPath: string;
const opened: InferenceBackend[] = [];
const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'llama-backend-'));

// One thread: several test files share two cores, and ggml's spinning threads slow each other down badly.
async function open(options: Partial<LlamaBackendOptions> = {}): Promise<InferenceBackend> {
  const backend = await createLlamaBackend({ modelPath, gpu: 'cpu', threads: 1, contextSize: 4096, batchSize: 512, ...options });
  opened.push(backend);
  return backend;
}

beforeAll(async () => {
  modelPath = await ensureTinyModel();
  plainModelPath = await ensureTinyModel(undefined, { withChatTemplate: false });
});

afterAll(async () => {
  for (const backend of opened) await backend.dispose();
  fs.rmSync(tempDir, { recursive: true, force: true });
});

describe('GGUF backend on the tiny model', () => {
  it('reuses the note prefix across concepts: note-major evaluates >= 3x fewer prompt tokens than naive', async () => {
    const note = syntheticNote(30, 5);
    const noteMajor = await open({ strategy: 'note-major' });
    const naive = await open({ strategy: 'naive' });

    let started = performance.now();
    const reused = await collect(noteMajor, note, { votes: 1, seed: 42, labels: 'binary' });
    const noteMajorMs = performance.now() - started;
    started = performance.now();
    const fresh = await collect(naive, note, { votes: 1, seed: 42, labels: 'binary' });
    const naiveMs = performance.now() - started;

    for (const results of [reused, fresh]) {
      expect(results.map((result) => result.pairId)).toEqual(note.concepts.map((concept) => concept.pairId));
      for (const result of results) {
        expect(result.samples).toHaveLength(1);
        expect(result.samples[0]).toMatchObject({ sampleIndex: 0, seed: 42, windows: 1, status: 'ok' });
        expectWellFormed(result.samples[0], note);
      }
    }
    const reusedSamples = reused.map((result) => result.samples[0]);
    const freshSamples = fresh.map((result) => result.samples[0]);
    const noteMajorPrompt = sum(reusedSamples, (sample) => sample.promptTokens);
    const naivePrompt = sum(freshSamples, (sample) => sample.promptTokens);
    expect(naivePrompt / noteMajorPrompt).toBeGreaterThanOrEqual(3);
    // Same prompts, so evaluated + reused tokens add up to the same lengths.
    reusedSamples.forEach((sample, index) => {
      expect(sample.promptTokens + sample.reusedTokens).toBe(freshSamples[index].promptTokens);
      expect(freshSamples[index].reusedTokens).toBe(0);
      if (index > 0) expect(sample.reusedTokens).toBeGreaterThan(sample.promptTokens);
    });
    // Greedy decoding sees the same tokens either way, so the answers match.
    expect(reusedSamples.map((sample) => sample.rawOutput)).toEqual(freshSamples.map((sample) => sample.rawOutput));
    console.info(
      `[llama-backend] 30 sentences x 5 concepts: note-major ${noteMajorPrompt} prompt tokens in ${noteMajorMs.toFixed(0)} ms; ` +
        `naive ${naivePrompt} in ${naiveMs.toFixed(0)} ms`,
    );
  }, 60_000);

  it('samples several votes from one prompt evaluation with distinct seeds', async () => {
    const backend = await open();
    const note = syntheticNote(8, 1);
    const [result] = await collect(backend, note, { votes: 3, seed: 7, labels: '3way', temperature: 0.9 });
    expect(result.samples.map((sample) => sample.sampleIndex)).toEqual([0, 1, 2]);
    const seeds = result.samples.map((sample) => sample.seed);
    expect(new Set(seeds).size).toBe(3);
    const promptLength = result.samples[0].promptTokens + result.samples[0].reusedTokens;
    expect(result.samples[0].promptTokens).toBeGreaterThan(0);
    for (const sample of result.samples.slice(1)) {
      expect(sample.promptTokens).toBe(0);
      expect(sample.reusedTokens).toBe(promptLength);
    }
    for (const sample of result.samples) {
      if (sample.status === 'ok') expect(['Explicit', 'Implicit', 'Unrelated']).toContain(sample.rawLabel);
      else expect(sample.error).toEqual(expect.any(String));
    }
  }, 30_000);

  it('splits a note longer than the context into windows and still answers', async () => {
    const backend = await open({ contextSize: 1024, maxTokens: 300 });
    const note = syntheticNote(70, 2);
    const results = await collect(backend, note, { votes: 1, seed: 1, labels: 'binary' });
    expect(results.map((result) => result.pairId)).toEqual([100, 101]);
    for (const result of results) {
      const [sample] = result.samples;
      expect(sample.windows).toBeGreaterThan(1);
      expect(sample.status).toBe('ok');
      expectWellFormed({ ...sample, rawOutput: sample.rawOutput.split('\n')[0] }, note);
      expect(sample.promptTokens).toBeGreaterThan(0);
    }
    // The second concept reuses each window's note part.
    expect(results[1].samples[0].reusedTokens).toBeGreaterThan(results[1].samples[0].promptTokens);
  }, 30_000);

  it('reports an answer cut at maxTokens as invalid after one retry, without throwing (grammar path)', async () => {
    const backend = await open({ maxTokens: 4, decoding: 'grammar' });
    const note = syntheticNote(5, 2);
    const results = await collect(backend, note, { votes: 1, seed: 3, labels: 'binary' });
    expect(results).toHaveLength(2);
    for (const result of results) {
      const [sample] = result.samples;
      expect(sample).toMatchObject({ status: 'invalid', label: null, rawLabel: null, evidence: [] });
      expect(sample.error).toMatch(/cut off at maxTokens \(4 tokens\).*after a retry/);
      expect(sample.generatedTokens).toBe(8);
      // The retry uses a seed no vote uses.
      expect(sample.seed).toBe(3 + 1);
      expect(sample.rawOutput.length).toBeGreaterThan(0);
    }
  }, 30_000);

  it('reports a fast answer cut at maxTokens as invalid and retries it on the grammar path', async () => {
    const backend = await open({ maxTokens: 12 });
    const [result] = await collect(backend, syntheticNote(5, 1), { votes: 1, seed: 3, labels: 'binary' });
    const [sample] = result.samples;
    expect(sample).toMatchObject({ status: 'invalid', answerPath: 'grammar-retry' });
    expect(sample.error).toMatch(/cut off at maxTokens \(12 tokens\).*after a retry; first attempt: the answer was cut off/);
  }, 30_000);

  it('stops promptly when aborted, before or during a note', async () => {
    const backend = await open();
    const note = syntheticNote(20, 30);
    const before = new AbortController();
    before.abort();
    await expect(collect(backend, note, { votes: 1, seed: 1, labels: 'binary', signal: before.signal })).rejects.toMatchObject({ name: 'AbortError' });

    const during = new AbortController();
    const seen: number[] = [];
    const started = performance.now();
    const run = (async () => {
      for await (const result of backend.predictNote(note, { votes: 1, seed: 1, labels: 'binary', signal: during.signal })) {
        seen.push(result.pairId);
        if (seen.length === 1) setTimeout(() => during.abort(), 20);
      }
    })();
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen.length).toBeLessThan(note.concepts.length);
    expect(performance.now() - started).toBeLessThan(15_000);

    // The sequence is released: the backend keeps working after an abort.
    const [after] = await collect(backend, syntheticNote(3, 1), { votes: 1, seed: 1, labels: 'binary' });
    expect(after.samples[0].status).toBe('ok');
  }, 30_000);

  it('records its settings in the manifest', async () => {
    const backend = await open({ strategy: 'naive', maxTokens: 200 });
    expect(backend.kind).toBe('gguf');
    expect(backend.parallelism).toBe(1);
    const manifest = backend.manifest();
    expect(manifest).toMatchObject({
      backend: 'gguf',
      model: {
        fileName: path.basename(modelPath),
        sizeBytes: fs.statSync(modelPath).size,
        // The backend never hashes the file: the registry's hash is passed in (none here).
        sha256: null,
        architecture: 'llama',
        quantization: 'F32',
        hasChatTemplate: true,
      },
      nodeLlamaCppVersion: '3.22.1',
      llamaCppRelease: expect.stringMatching(/llama\.cpp@/),
      computeBackend: 'cpu',
      contextSize: 4096,
      gpuLayers: 0,
      threads: 1,
      threadsPrompt: 1,
      threadsGeneration: 1,
      batchSize: 512,
      sequences: 1,
      strategy: 'naive',
      decoding: 'fast',
      rationale: true,
      thinking: 'off',
      thinkingBudget: null,
      startup: { loadModelMs: expect.any(Number), createContextMs: expect.any(Number), totalMs: expect.any(Number) },
      promptFormat: 'chat-template:ChatML',
      prompt: { version: PROMPT_VERSION, hash: expect.stringMatching(/^[0-9a-f]{64}$/), text: BUILT_IN_PROMPT_TEMPLATE },
      answerSchema: { hashes: { binary: expect.any(String), '3way': expect.any(String) } },
      sampler: { singleVote: 'greedy', voteTemperatureDefault: 0.7, maxTokens: 200 },
    });
    // A copy: callers cannot alter the backend's record.
    (manifest.model as Record<string, unknown>).fileName = 'changed';
    expect((backend.manifest().model as Record<string, unknown>).fileName).not.toBe('changed');
  });

  it('runs notes in parallel on separate sequences', async () => {
    const backend = await open({ sequences: 2, contextSize: 2048 });
    expect(backend.parallelism).toBe(2);
    const [first, second] = await Promise.all([
      collect(backend, syntheticNote(6, 2, 1), { votes: 1, seed: 1, labels: 'binary' }),
      collect(backend, syntheticNote(9, 2, 2), { votes: 1, seed: 1, labels: 'binary' }),
    ]);
    expect(first).toHaveLength(2);
    expect(second).toHaveLength(2);
    // The second concept of each note reuses its own note: the other note never evicted it.
    expect(first[1].samples[0].reusedTokens).toBeGreaterThan(first[1].samples[0].promptTokens);
    expect(second[1].samples[0].reusedTokens).toBeGreaterThan(second[1].samples[0].promptTokens);
  }, 30_000);

  it('works with a model that has no chat template (plain completion)', async () => {
    const backend = await open({ modelPath: plainModelPath, contextSize: 2048 });
    expect(backend.manifest()).toMatchObject({ promptFormat: 'plain', model: { hasChatTemplate: false } });
    const note = syntheticNote(6, 2);
    const results = await collect(backend, note, { votes: 1, seed: 5, labels: 'binary' });
    for (const result of results) expectWellFormed(result.samples[0], note);
    expect(results.every((result) => result.samples[0].status === 'ok')).toBe(true);
  }, 30_000);

  it.skipIf(!fs.existsSync(STORIES_MODEL))('works with the real stories260K model (no template, 2048 context)', async () => {
    const backend = await open({ modelPath: STORIES_MODEL, contextSize: undefined });
    expect(backend.manifest()).toMatchObject({ contextSize: 2048, promptFormat: 'plain' });
    const note = syntheticNote(5, 2);
    const results = await collect(backend, note, { votes: 1, seed: 5, labels: 'binary' });
    for (const result of results) expectWellFormed(result.samples[0], note);
  }, 30_000);

  it('refuses a broken model file before loading it', async () => {
    const broken = path.join(tempDir, 'broken.gguf');
    fs.writeFileSync(broken, 'not a model');
    await expect(createLlamaBackend({ modelPath: broken, gpu: 'cpu', threads: 1 })).rejects.toThrow(ModelFileError);
  });
});

describe('prompt tokens', () => {
  it('shares the note prefix token for token and matches the text, with and without a chat template', async () => {
    const llama = await getLlamaForMachine({ gpu: 'cpu' });
    for (const file of [modelPath, plainModelPath]) {
      const model = await llama.loadModel({ modelPath: file });
      try {
        const frame = resolvePromptFrame(model);
        const note = syntheticNote(4, 2);
        const prompts = note.concepts.map((concept) => renderPrompt(BUILT_IN_PROMPT_TEMPLATE, note.sentences, concept, 'binary'));
        const [first, second] = prompts.map((prompt) => tokenizePrompt(model, frame, prompt));
        expect(first.prefixLength).toBe(second.prefixLength);
        expect(first.tokens.slice(0, first.prefixLength)).toEqual(second.tokens.slice(0, second.prefixLength));
        expect(first.tokens.length).toBeGreaterThan(first.prefixLength);
        const text = model.detokenize(first.tokens, true);
        expect(text).toContain(`${prompts[0].prefix}${prompts[0].suffix}`);
        if (frame.kind === 'chat-template') {
          // SentencePiece puts its dummy space after special tokens, as node-llama-cpp's own chat sessions do.
          expect(text).toMatch(/^<s><\|im_start\|> ?user\n/);
          expect(text).toMatch(/<\|im_end\|> ?\n<\|im_start\|> ?assistant\n$/);
        } else {
          expect(model.detokenize(first.tokens, false)).toBe(`${prompts[0].prefix}${prompts[0].suffix}`);
        }
      } finally {
        await model.dispose();
      }
    }
  });
});

describe('jsonObjectEnd', () => {
  it('finds the end of the top-level object, ignoring braces inside strings', () => {
    expect(jsonObjectEnd('{"a": "}{\\"}", "b": [1, {"c": 2}]}\n\n\n\n')).toBe(34);
    expect(jsonObjectEnd('{"a": 1')).toBeNull();
    expect(jsonObjectEnd('')).toBeNull();
  });
});

describe('autoSequences (notes in flight when --parallel is not given)', () => {
  it('is 1 on the CPU without asking about memory', async () => {
    let asked = 0;
    expect(await autoSequences('cpu', async () => (++asked, true))).toBe(1);
    expect(asked).toBe(0);
  });

  it('on a GPU takes the most sequences that fit, from 4 down, and 1 when none does', async () => {
    expect(await autoSequences('cuda', async () => true)).toBe(MAX_AUTO_SEQUENCES);
    expect(await autoSequences('vulkan', async (count) => count <= 2)).toBe(2);
    expect(await autoSequences('metal', async () => false)).toBe(1);
  });
});
