import { describe, expect, it } from 'vitest';
import type { SampleResult } from '../../../src/core/engine/backend';
import { meanProbability, predictionExtras, storableProbability } from '../../../src/core/engine/probability';
import { createRun, savePrediction, type RunSettings } from '../../../src/core/engine/runs';
import { aggregateSamples } from '../../../src/core/engine/votes';
import { openStore } from '../../../src/core/store/database';

const sample = (index: number, overrides: Partial<SampleResult> = {}): SampleResult => ({
  sampleIndex: index, seed: index, status: 'ok', rawLabel: 'True', label: true, evidence: [1], rationale: 'r', rawOutput: '{}', error: null,
  promptTokens: 10, reusedTokens: 0, generatedTokens: 4, ms: 1, windows: 1, ...overrides,
});

describe('probability helpers', () => {
  it('keeps values in [0, 1], clamps float noise and drops anything else', () => {
    expect(storableProbability(0.25)).toBe(0.25);
    expect(storableProbability(1 + 1e-12)).toBe(1);
    expect(storableProbability(-1e-12)).toBe(0);
    expect(storableProbability(1.5)).toBeNull();
    expect(storableProbability(Number.NaN)).toBeNull();
    expect(storableProbability(undefined)).toBeNull();
  });

  it('averages the samples that have a probability', () => {
    expect(meanProbability([{ probability: 0.2 }, { probability: 0.6 }, { probability: null }, {}])).toBeCloseTo(0.4, 12);
    expect(meanProbability([{}, { probability: null }])).toBeNull();
  });

  it('takes what the prediction says, else derives it from the samples', () => {
    const samples = [sample(0, { probability: 0.9, thinkingTokens: 5, thinking: 'a', answerPath: 'label-logits' }), sample(1, { probability: 0.5, thinkingTokens: 7 })];
    expect(predictionExtras({}, samples)).toEqual({ probability: 0.7, thinking: 'a', thinkingTokens: 12, answerPath: 'label-logits' });
    expect(predictionExtras({ probability: 0.1, thinking: null, thinkingTokens: 1, answerPath: 'grammar' }, samples)).toEqual({ probability: 0.1, thinking: null, thinkingTokens: 1, answerPath: 'grammar' });
    expect(predictionExtras({}, [sample(0)])).toEqual({ probability: null, thinking: null, thinkingTokens: 0, answerPath: null });
  });
});

describe('savePrediction with probabilities', () => {
  it('stores each sample\'s probability and thought, and the mean on the prediction', () => {
    const db = openStore(':memory:');
    db.prepare("INSERT INTO datasets (name, created_at, updated_at) VALUES ('d', 'now', 'now')").run();
    db.prepare("INSERT INTO notes (text_sha256, text, length, segmenter_version) VALUES ('h', 'x', 1, 1)").run();
    const pair = db.prepare("INSERT INTO pairs (dataset_id, task_id, code, desc, gold, reasoning_summary, note_id, source_row) VALUES (1, '1_2', ?, 'd', 1, '', 1, ?) RETURNING id");
    const a = (pair.get('I10', 1) as { id: number }).id;
    const b = (pair.get('E11', 2) as { id: number }).id;
    const settings = { backend: 'gguf', modelId: null, strategy: 'note-major', votes: 3, seed: 1, labels: 'binary', limit: null } as unknown as RunSettings;
    const run = createRun(db, { name: 'r', datasetId: 1, backend: 'gguf', settings, manifest: {}, pairIds: [a, b] });

    const voted = [
      sample(0, { probability: 0.9, thinking: 'think', thinkingTokens: 3, answerPath: 'label-logits' }),
      sample(1, { probability: 0.6, thinkingTokens: 2, answerPath: 'label-logits' }),
      sample(2, { probability: 0.3, label: false, rawLabel: 'False', answerPath: 'label-logits' }),
    ];
    savePrediction(db, run.id, a, aggregateSamples(voted), voted);
    const plain = [sample(0)];
    savePrediction(db, run.id, b, aggregateSamples(plain), plain);

    const rows = db.prepare('SELECT pair_id, probability, thinking, thinking_tokens, answer_path FROM predictions ORDER BY pair_id').all() as Record<string, unknown>[];
    expect(rows[0]!.probability).toBeCloseTo(0.6, 12);
    expect(rows[0]).toMatchObject({ thinking: 'think', thinking_tokens: 5, answer_path: 'label-logits' });
    expect(rows[1]).toEqual({ pair_id: b, probability: null, thinking: null, thinking_tokens: 0, answer_path: null });
    expect(db.prepare('SELECT sample_index, probability, thinking, thinking_tokens FROM prediction_samples WHERE prediction_id = 1 ORDER BY sample_index').all()).toEqual([
      { sample_index: 0, probability: 0.9, thinking: 'think', thinking_tokens: 3 },
      { sample_index: 1, probability: 0.6, thinking: null, thinking_tokens: 2 },
      { sample_index: 2, probability: 0.3, thinking: null, thinking_tokens: 0 },
    ]);
    db.close();
  });
});
