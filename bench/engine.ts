/**
 * Engine bench: naive vs note-major on the same pairs and model (prompt tokens and seconds side by
 * side), and the engine's overhead against raw node-llama-cpp doing the same work: evaluating the
 * same prompt tokens with the same reuse and generating the same number of grammar-constrained
 * tokens. Targets: note-major evaluates >= 3x fewer prompt tokens and runs >= 2x faster than naive
 * on notes with ~5-6 concepts; overhead <= 5%.
 */
import fs from 'node:fs';
import path from 'node:path';
import { LlamaGrammarEvaluationState, type GbnfJsonObjectSchema, type Token } from 'node-llama-cpp';
import { ensureTinyModel } from '../test/helpers/tiny-gguf';
import { importDataset } from '../src/core/data/import';
import { answerSchema } from '../src/core/engine/answer-schema';
import { createLlamaBackend } from '../src/core/engine/backends/gguf/backend';
import { resolvePromptFrame, tokenizePrompt } from '../src/core/engine/backends/gguf/prompt-tokens';
import { builtInPromptTemplate, renderPrompt } from '../src/core/engine/prompt';
import { executeRun, toEngineNote } from '../src/core/engine/runner';
import { createRun, getRun, pendingNotes, type RunSettings } from '../src/core/engine/runs';
import { getLlamaForMachine } from '../src/core/models/gguf';
import { openStore } from '../src/core/store/database';

export interface EngineBenchOptions {
  workDir: string;
  /** Notes to run (each with all its concepts). */
  notes?: number;
  modelPath?: string;
}

const SETTINGS: RunSettings = {
  backend: 'gguf', modelId: null, strategy: 'note-major', votes: 1, seed: 42, labels: 'binary', limit: null, gpu: 'auto', gpuLayers: 'auto',
  contextSize: 8192, threads: null, batchSize: 2048, promptFile: null, temperature: null, maxTokens: 160,
};

/**
 * A generated model big enough that evaluating a prompt costs what it costs a real model relative
 * to generating (random weights, 6 layers, 768 wide, ~45M parameters), with a context that holds a whole demo note,
 * so the comparison is not blurred by windowing.
 */
export const BENCH_MODEL = { contextLength: 16384, embedding: 768, layers: 6, heads: 12, kvHeads: 4, feedForward: 2048 };

export async function benchEngine(options: EngineBenchOptions) {
  const modelPath = options.modelPath ?? (await ensureTinyModel(undefined, BENCH_MODEL));
  const dbPath = path.join(options.workDir, `bench-engine-${process.pid}.db`);
  const db = openStore(dbPath);
  try {
    await importDataset(db, { dataset: 'demo', annotations: 'resources/demo/dataset_raw.csv', notes: 'resources/demo/discharge.csv.gz', format: 'raw' });
    const datasetId = (db.prepare("SELECT id FROM datasets WHERE name = 'demo'").get() as { id: number }).id;
    // Notes with 5-6 concepts, as the target states.
    const noteIds = (
      db.prepare('SELECT note_id AS id, count(*) AS n FROM pairs WHERE dataset_id = ? GROUP BY note_id HAVING n BETWEEN 5 AND 6 ORDER BY min(source_row)').all(datasetId) as { id: number; n: number }[]
    ).slice(0, options.notes ?? 3);
    const pairIds = noteIds.flatMap(({ id }) => (db.prepare('SELECT id FROM pairs WHERE note_id = ? AND dataset_id = ? ORDER BY source_row').all(id, datasetId) as { id: number }[]).map((r) => r.id));

    const runWith = async (strategy: 'note-major' | 'naive') => {
      const name = `${strategy}-${Date.now()}`;
      const run = createRun(db, { name, datasetId, backend: 'gguf', settings: { ...SETTINGS, strategy }, manifest: {}, pairIds });
      const backend = await createLlamaBackend({ modelPath, strategy, contextSize: SETTINGS.contextSize!, batchSize: SETTINGS.batchSize!, maxTokens: SETTINGS.maxTokens! });
      const started = performance.now();
      await executeRun(db, run, backend);
      const seconds = (performance.now() - started) / 1000;
      await backend.dispose();
      const done = getRun(db, name);
      const perPair = db.prepare('SELECT pair_id AS pairId, generated_tokens AS generated FROM predictions WHERE run_id = ?').all(run.id) as { pairId: number; generated: number }[];
      return { strategy, pairs: done.done, invalid: done.invalid, promptTokens: done.promptTokens, reusedTokens: done.reusedTokens, generatedTokens: done.generatedTokens, seconds, runId: run.id, perPair };
    };

    // Engine and raw alternate twice and the faster of each counts, so that neither is favoured by
    // warm-up or by a burst of load from something else on the machine.
    const noteMajorFirst = await runWith('note-major');
    const generated = new Map(noteMajorFirst.perPair.map((p) => [p.pairId, p.generated]));
    const rawFirst = await rawReplay(db, noteMajorFirst.runId, modelPath, generated);
    const naive = await runWith('naive');
    const noteMajorSecond = await runWith('note-major');
    const rawSecond = await rawReplay(db, noteMajorFirst.runId, modelPath, generated);
    const noteMajor = noteMajorSecond.seconds < noteMajorFirst.seconds ? noteMajorSecond : noteMajorFirst;
    const raw = rawSecond.seconds < rawFirst.seconds ? rawSecond : rawFirst;
    const strip = ({ runId: _runId, perPair: _perPair, ...rest }: typeof noteMajor) => rest;
    const promptTokenRatio = naive.promptTokens / noteMajor.promptTokens;
    const speedup = naive.seconds / noteMajor.seconds;
    const overhead = noteMajor.seconds / raw.seconds - 1;
    return {
      model: path.basename(modelPath),
      notes: noteIds.length,
      conceptsPerNote: noteIds.map((n) => n.n),
      noteMajor: strip(noteMajor),
      naive: strip(naive),
      rawNodeLlamaCpp: raw,
      allSeconds: { noteMajor: [noteMajorFirst.seconds, noteMajorSecond.seconds], raw: [rawFirst.seconds, rawSecond.seconds] },
      promptTokenRatio,
      speedup,
      overhead,
      targets: { promptTokenRatio: 3, speedup: 2, overhead: 0.05 },
      pass: promptTokenRatio >= 3 && speedup >= 2 && overhead <= 0.05,
    };
  } finally {
    db.close();
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(dbPath + suffix, { force: true });
  }
}

/**
 * The same work as the engine's note-major run, written directly against node-llama-cpp: per note,
 * per concept, evaluate only the tokens not shared with the previous prompt, then generate as many
 * greedy grammar-constrained tokens as the engine did for that pair. No parsing, no database.
 */
async function rawReplay(db: ReturnType<typeof openStore>, runId: number, modelPath: string, generatedByPair: Map<number, number>) {
  const llama = await getLlamaForMachine({ gpu: 'auto' });
  const model = await llama.loadModel({ modelPath });
  const context = await model.createContext({ contextSize: SETTINGS.contextSize!, batchSize: SETTINGS.batchSize!, threads: llama.cpuMathCores });
  const sequence = context.getSequence();
  const frame = resolvePromptFrame(model);
  const template = builtInPromptTemplate();
  const notes = pendingNotesIgnoringPredictions(db, runId);
  let promptTokens = 0;
  let generatedTokens = 0;
  const started = performance.now();
  for (const pending of notes) {
    const note = toEngineNote(pending);
    const grammar = await model.llama.createGrammarForJsonSchema(answerSchema(note.sentences.map((s) => s.id), 'binary') as unknown as GbnfJsonObjectSchema);
    for (const concept of note.concepts) {
      const { tokens } = tokenizePrompt(model, frame, renderPrompt(template.text, note.sentences, concept, 'binary'));
      const matched = Math.min(sequence.compareContextTokens(tokens).firstDifferentIndex, tokens.length - 1);
      if (sequence.nextTokenIndex > matched) await sequence.eraseContextTokenRanges([{ start: matched, end: sequence.nextTokenIndex }]);
      const toEvaluate = tokens.slice(matched, -1);
      if (toEvaluate.length > 0) await sequence.evaluateWithoutGeneratingNewTokens(toEvaluate);
      promptTokens += toEvaluate.length;
      const wanted = generatedByPair.get(concept.pairId) ?? 0;
      let produced = 0;
      const generated: Token[] = [];
      for await (const token of sequence.evaluate([tokens[tokens.length - 1]!], { temperature: 0, grammarEvaluationState: new LlamaGrammarEvaluationState({ model, grammar }) })) {
        generated.push(token);
        if (++produced >= wanted) break;
      }
      generatedTokens += produced;
    }
  }
  const seconds = (performance.now() - started) / 1000;
  await context.dispose();
  await model.dispose();
  return { promptTokens, generatedTokens, seconds };
}

function pendingNotesIgnoringPredictions(db: ReturnType<typeof openStore>, runId: number) {
  // pendingNotes skips finished pairs; replay needs the full plan, so read it inside a rolled-back transaction.
  let notes: ReturnType<typeof pendingNotes> = [];
  try {
    db.transaction(() => {
      db.prepare('DELETE FROM prediction_samples WHERE prediction_id IN (SELECT id FROM predictions WHERE run_id = ?)').run(runId);
      db.prepare('DELETE FROM predictions WHERE run_id = ?').run(runId);
      notes = pendingNotes(db, runId);
      throw new RollbackMarker();
    })();
  } catch (error) {
    if (!(error instanceof RollbackMarker)) throw error;
  }
  return notes;
}

class RollbackMarker extends Error {}
