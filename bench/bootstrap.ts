import { bootstrapCi, pairedBootstrapDiff } from '../src/core/scoring/bootstrap';
import type { ScoredPair } from '../src/core/scoring/metrics';
import { createRng } from '../src/core/scoring/random';

export interface BootstrapBenchOptions {
  pairs?: number;
  resamples?: number;
  repeats?: number;
  seed?: number;
}

/**
 * Synthetic pairs shaped like MedicalBench: ~40% positives, gold evidence of 1-4 sentences on the
 * positives, predictions right ~75% of the time and citing sentences near the gold ones.
 */
export function syntheticScoredPairs(count: number, seed: number): ScoredPair[] {
  const rng = createRng(seed);
  return Array.from({ length: count }, (_, i): ScoredPair => {
    const gold = rng.nextFloat() < 0.4;
    const goldSentences = gold ? Array.from({ length: 1 + rng.nextInt(4) }, () => 1 + rng.nextInt(150)) : [];
    const predicted = rng.nextFloat() < 0.75 ? gold : !gold;
    const predictedSentences = predicted ? goldSentences.map((id) => (rng.nextFloat() < 0.6 ? id : id + 1)).concat(1 + rng.nextInt(150)) : [];
    const roll = rng.nextFloat();
    return { key: `task${i}|C${i}`, code: 'I10', gold, goldSentences, status: roll < 0.02 ? 'invalid' : roll < 0.03 ? 'missing' : 'ok', predicted, predictedSentences };
  });
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function time(work: () => unknown): number {
  const started = performance.now();
  work();
  return performance.now() - started;
}

/**
 * Bootstrap CI of one run and paired bootstrap difference of two, 10,000 resamples of 823 pairs
 * (the larger MedicalBench release), median of 5 timings after one warm-up. Target: < 1 s for
 * the single-run CI (a `score`, `compare` or `report` must not make the user wait).
 */
export function benchBootstrap(options: BootstrapBenchOptions = {}) {
  const { pairs = 823, resamples = 10_000, repeats = 5, seed = 7 } = options;
  const runA = syntheticScoredPairs(pairs, seed);
  const runB = runA.map((pair, i) => (i % 5 === 0 ? { ...pair, predicted: !pair.predicted } : pair));
  bootstrapCi(runA, { resamples: 200, seed }); // warm-up: let the JIT compile the hot loop
  const ciMs = Array.from({ length: repeats }, (_, r) => time(() => bootstrapCi(runA, { resamples, seed: seed + r })));
  const pairedMs = Array.from({ length: repeats }, (_, r) => time(() => pairedBootstrapDiff(runA, runB, { resamples, seed: seed + r })));
  const round = (ms: number) => Math.round(ms * 10) / 10;
  const targetMs = 1000;
  return {
    pairs,
    resamples,
    repeats,
    bootstrapCiMs: ciMs.map(round),
    medianMs: round(median(ciMs)),
    pairedDiffMs: pairedMs.map(round),
    pairedMedianMs: round(median(pairedMs)),
    targetMs,
    withinTarget: median(ciMs) < targetMs,
  };
}
