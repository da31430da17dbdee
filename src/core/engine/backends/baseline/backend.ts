import type { BackendRunOptions, ConceptResult, EngineNote, InferenceBackend } from '../../backend';
import { BaselineMatcher } from './matcher';
import { BASELINE_THRESHOLD } from './types';

export const BASELINE_VERSION = 'lexical-v1';

/**
 * The built-in backend with no model: a deterministic lexical matcher. It makes the demo and the
 * tests meaningful on any machine and is the floor every model must beat. Votes would all agree,
 * so it always produces one sample.
 */
export function createBaselineBackend(): InferenceBackend {
  return {
    kind: 'baseline',
    parallelism: 1,
    manifest: () => ({ backend: 'baseline', baselineVersion: BASELINE_VERSION, threshold: BASELINE_THRESHOLD }),
    async *predictNote(note: EngineNote, options: BackendRunOptions): AsyncGenerator<ConceptResult> {
      const matcher = new BaselineMatcher(note.sentences);
      for (const concept of note.concepts) {
        if (options.signal?.aborted) return;
        const started = performance.now();
        const prediction = matcher.predict({ code: concept.code, desc: concept.desc });
        const label = prediction.label;
        const rawLabel = options.labels === '3way' ? (label ? 'Explicit' : 'Unrelated') : label ? 'True' : 'False';
        yield {
          pairId: concept.pairId,
          samples: [
            {
              sampleIndex: 0,
              seed: options.seed,
              status: 'ok',
              rawLabel,
              label,
              evidence: prediction.evidence,
              rationale: prediction.rationale,
              rawOutput: JSON.stringify({ label: rawLabel, evidence: prediction.evidence.map((id) => `S${id}`), rationale: prediction.rationale, score: prediction.score }),
              error: null,
              promptTokens: 0,
              reusedTokens: 0,
              generatedTokens: 0,
              ms: performance.now() - started,
              windows: 1,
              // Its own score (weighted share of the concept's terms found, in [0, 1]; True at >= BASELINE_THRESHOLD): a ranking, not a calibrated probability.
              probability: prediction.score,
            },
          ],
        };
      }
    },
    dispose: async () => {},
  };
}
