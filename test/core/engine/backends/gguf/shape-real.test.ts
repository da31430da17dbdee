/**
 * The engine on shape-real models: Qwen3's and Llama 3.1's real tokenizers and chat templates around tiny random
 * weights (test/helpers/shape-real-gguf.ts). Random weights make the answers meaningless; what is checked is what
 * the real vocabulary and template change: template markers, token counts, windowing, a 150k-token vocabulary under
 * the grammar and the fast path, and the thought segment.
 */
import type { LlamaModel } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConceptResult, EngineNote, InferenceBackend } from '../../../../../src/core/engine/backend';
import { createLlamaBackend, type LlamaBackendOptions } from '../../../../../src/core/engine/backends/gguf/backend';
import { resolvePromptFrame, tokenizePrompt } from '../../../../../src/core/engine/backends/gguf/prompt-tokens';
import { resolveThinking } from '../../../../../src/core/engine/backends/gguf/thinking';
import { NoteWindows } from '../../../../../src/core/engine/backends/gguf/windowing';
import { builtInPromptTemplate, renderPrompt } from '../../../../../src/core/engine/prompt';
import { getLlamaForMachine } from '../../../../../src/core/models/gguf';
import { ensureShapeRealModel } from '../../../../helpers/shape-real-gguf';

const CLINICAL =
  'Patient is a 67-year-old male with a history of type 2 diabetes mellitus, hypertension and chronic kidney disease ' +
  'stage 3b (baseline creatinine 1.8 mg/dL) admitted with acute decompensated heart failure; BNP 2,340 pg/mL. He was ' +
  'diuresed with IV furosemide 40 mg BID and discharged on metoprolol succinate 50 mg daily.';

function note(sentenceCount: number, conceptCount: number): EngineNote {
  return {
    noteKey: 1,
    sentences: Array.from({ length: sentenceCount }, (_, index) => ({ id: index + 1, text: `${CLINICAL} Day ${index + 1}.` })),
    concepts: Array.from({ length: conceptCount }, (_, index) => ({ pairId: index + 1, code: `I50.${index}`, desc: `Heart failure, type ${index}` })),
  };
}

async function collect(backend: InferenceBackend, input: EngineNote, votes = 1): Promise<ConceptResult[]> {
  const results: ConceptResult[] = [];
  for await (const result of backend.predictNote(input, { votes, seed: 7, labels: 'binary' })) results.push(result);
  return results;
}

let qwen: string;
let llama31: string;
const opened: InferenceBackend[] = [];
// Vocabulary-only loads, shared: loading a 150k vocabulary costs seconds on a busy 2-core machine.
const vocab: Record<'qwen' | 'llama31', LlamaModel | null> = { qwen: null, llama31: null };

async function open(modelPath: string, options: Partial<LlamaBackendOptions> = {}): Promise<InferenceBackend> {
  const backend = await createLlamaBackend({ modelPath, gpu: 'cpu', threads: 1, contextSize: 2048, batchSize: 2048, maxTokens: 48, ...options });
  opened.push(backend);
  return backend;
}

beforeAll(async () => {
  qwen = await ensureShapeRealModel('qwen3');
  llama31 = await ensureShapeRealModel('llama3.1');
  const llama = await getLlamaForMachine({ gpu: 'cpu' });
  vocab.qwen = await llama.loadModel({ modelPath: qwen, vocabOnly: true });
  vocab.llama31 = await llama.loadModel({ modelPath: llama31, vocabOnly: true });
}, 180_000);

afterAll(async () => {
  for (const backend of opened) await backend.dispose();
  await vocab.qwen?.dispose();
  await vocab.llama31?.dispose();
});

describe('shape-real models: tokenizer and chat template', () => {
  it('applies each chat template: prompts start with its own markers and end with the assistant turn', async () => {
    for (const [name, first, assistant] of [
      ['qwen', '<|im_start|>', '<|im_start|>assistant\n'],
      ['llama31', '<|begin_of_text|>', '<|start_header_id|>assistant<|end_header_id|>\n\n'],
    ] as const) {
      const model = vocab[name]!;
      {
        const frame = resolvePromptFrame(model, resolveThinking(model, 'off').wrapper);
        expect(frame.kind).toBe('chat-template');
        const prompt = renderPrompt(builtInPromptTemplate().text, note(3, 1).sentences, { code: 'I50.9', desc: 'Heart failure' }, 'binary');
        const { tokens, prefixLength } = tokenizePrompt(model, frame, prompt);
        const text = model.detokenize(tokens, true);
        expect(text.startsWith(first)).toBe(true);
        expect(model.detokenize([tokens[0]!], true)).toBe(first);
        expect(text).toContain(assistant);
        // The note prefix is shared whatever the concept.
        const other = tokenizePrompt(model, frame, renderPrompt(builtInPromptTemplate().text, note(3, 1).sentences, { code: 'N18.3', desc: 'CKD stage 3' }, 'binary'));
        expect(other.tokens.slice(0, prefixLength)).toEqual(tokens.slice(0, prefixLength));
      }
    }
  }, 60_000);

  it('counts clinical text like the real tokenizers do (about 1.3-1.8 tokens per word, not characters)', async () => {
    const words = CLINICAL.split(/\s+/).length;
    for (const model of [vocab.qwen!, vocab.llama31!]) {
      const count = model.tokenize(CLINICAL, false).length;
      expect(count / words).toBeGreaterThan(1.1);
      expect(count / words).toBeLessThan(2);
      expect(model.detokenize(model.tokenize(CLINICAL, false))).toBe(CLINICAL);
    }
  }, 60_000);

  it('windows a long note at real token counts, every prompt within the context', async () => {
    const model = vocab.qwen!;
    {
      const frame = resolvePromptFrame(model);
      const windows = new NoteWindows(model, frame, builtInPromptTemplate(), 1024, 48);
      const long = note(40, 2);
      const prepared = windows.prepare(long, 'binary');
      expect(prepared.length).toBeGreaterThan(1);
      for (const window of prepared) for (const prompt of window.prompts) expect(prompt.length).toBeLessThanOrEqual(1024 - 48);
      // Every sentence is in some window.
      expect(new Set(prepared.flatMap((window) => window.sentences.map((sentence) => sentence.id))).size).toBe(40);
    }
  }, 60_000);
});

describe('shape-real models: decoding with a 150k-token vocabulary', () => {
  it('answers on the fast path with a label probability, and on the grammar path', async () => {
    // The grammar path writes a rationale of up to 300 characters: room for it (random weights fill it).
    for (const [decoding, concepts, maxTokens] of [['fast', 2, 48], ['grammar', 1, 160]] as const) {
      const backend = await open(qwen, { decoding, maxTokens });
      const results = await collect(backend, note(6, concepts));
      expect(results).toHaveLength(concepts);
      for (const { samples } of results) {
        const [sample] = samples;
        expect(sample.status, sample.error ?? '').toBe('ok');
        // Thinking is off by default: no thought.
        expect(sample).toMatchObject({ thinking: null, thinkingTokens: 0 });
        expect(sample.answerPath).toBe(decoding === 'fast' ? 'label-logits' : 'grammar');
        expect(sample.probability).toBeGreaterThanOrEqual(0);
        expect(sample.probability).toBeLessThanOrEqual(1);
        // Probability and label agree: greedy picks the more probable label word.
        expect(sample.label).toBe(sample.probability! >= 0.5);
        expect(JSON.parse(sample.rawOutput)).toMatchObject({ label: sample.rawLabel });
        for (const id of sample.evidence) expect(id).toBeGreaterThanOrEqual(1);
      }
    }
  }, 120_000);

  it('skips the rationale with rationale off, on Llama 3.1 too', async () => {
    const backend = await open(llama31, { rationale: false });
    const [result] = await collect(backend, note(4, 1));
    expect(result.samples[0]).toMatchObject({ status: 'ok', rationale: '', answerPath: 'label-logits-no-rationale' });
  }, 60_000);
});

describe('shape-real models: thinking (Qwen3 template)', () => {
  it('off: the template gets the empty thought Qwen3 uses without thinking', () => {
    const model = vocab.qwen!;
    const off = resolvePromptFrame(model, resolveThinking(model, 'off').wrapper);
    expect(off.after.toString()).toMatch(/<\|im_start\|>assistant\n<think>\n\n<\/think>\n\n$/);
    const on = resolvePromptFrame(model, resolveThinking(model, 'on').wrapper);
    expect(on.after.toString()).toMatch(/<\|im_start\|>assistant\n$/);
    expect(resolveThinking(model, 'on').markers).toEqual({ open: '<think>\n', close: '\n</think>' });
  });

  it('on: the thought comes first, is cut at the budget and counted apart; the answer follows', async () => {
    const backend = await open(qwen, { thinking: 'on', thinkingBudget: 12 });
    expect(backend.manifest()).toMatchObject({ thinking: 'on', thinkingBudget: 12 });
    const [result] = await collect(backend, note(3, 1));
    const [sample] = result.samples;
    expect(sample.thinkingTokens).toBeGreaterThan(0);
    expect(sample.thinkingTokens).toBeLessThanOrEqual(12);
    expect(typeof sample.thinking).toBe('string');
    expect(sample.status).toBe('ok');
    expect(sample.rawOutput.startsWith('{"label": "')).toBe(true);
  }, 60_000);

  it('on: refused for a model whose template has no thought segment', async () => {
    await expect(open(llama31, { thinking: 'on' })).rejects.toThrow(/thought segment/);
  }, 60_000);
});
