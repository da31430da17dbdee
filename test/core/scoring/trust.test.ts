import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeMetrics, labelMetrics, type ScoredPair } from '../../../src/core/scoring/metrics';
import { scoreRun } from '../../../src/core/scoring/score-run';
import { buildLeaderboard, compareManyRuns, compareTwoRuns, evidenceJaccard } from '../../../src/core/scoring/compare';
import { constantPairs, degenerateWarning, smallNWarning, withSmallN } from '../../../src/core/scoring/trust';
import { breakdown } from '../../../src/core/scoring/metrics';
import { executeRun } from '../../../src/core/engine/runner';
import { prepareNewRun } from '../../../src/core/engine/start-run';
import { answer, createRunsFixture, type RunsFixture } from '../../helpers/runs-fixture';

function pair(key: string, gold: boolean, predicted: boolean, status: ScoredPair['status'] = 'ok', predictedSentences: number[] = [], goldSentences: number[] = []): ScoredPair {
  return { key, code: 'I10', gold, goldSentences, status, predicted, predictedSentences };
}

describe('label metrics beside F1', () => {
  it('computes MCC and balanced accuracy (by hand: MCC = (3·4 − 1·2) / √(4·5·5·6), balanced = (3/5 + 4/5) / 2)', () => {
    // tp 3, fp 1, fn 2, tn 4
    const m = labelMetrics(3, 1, 2, 4);
    expect(m.mcc).toBeCloseTo(0.408248290463863, 12);
    expect(m.balancedAccuracy).toBeCloseTo(0.7, 12);
    expect(m.f1).toBeCloseTo(2 * 3 / (2 * 3 + 1 + 2), 12);
  });

  it('gives null, not 0, where a metric is undefined', () => {
    // A predictor that always says True: no predicted negatives, so MCC divides by zero.
    const m = labelMetrics(5, 5, 0, 0);
    expect(m.specificity).toBe(0);
    expect(m.mcc).toBeNull();
    expect(m.balancedAccuracy).toBe(0.5);
    // No gold positives and none predicted: precision, recall, F1 are all 0/0.
    const none = labelMetrics(0, 0, 0, 3);
    expect([none.precision, none.recall, none.f1, none.balancedAccuracy]).toEqual([null, null, null, null]);
    expect(none.accuracy).toBe(1);
  });
});

describe('degenerate runs and small n', () => {
  const mostlyTrue = Array.from({ length: 40 }, (_, i) => pair(`p${i}`, i % 2 === 0, i !== 0));

  it('warns when one label covers >= 95% of the answered pairs', () => {
    const warning = degenerateWarning('yes-man', mostlyTrue);
    expect(warning).toMatchObject({ kind: 'degenerate', run: 'yes-man', label: true });
    expect(warning?.share).toBeCloseTo(39 / 40, 12);
    expect(warning?.message).toContain('97.5%');
  });

  it('does not warn for a balanced run, nor on too few answers, and ignores missing pairs', () => {
    expect(degenerateWarning('ok', Array.from({ length: 40 }, (_, i) => pair(`p${i}`, i % 2 === 0, i % 3 === 0)))).toBeNull();
    expect(degenerateWarning('tiny', [pair('a', true, true), pair('b', false, true)])).toBeNull();
    const withMissing = [...Array.from({ length: 12 }, (_, i) => pair(`m${i}`, true, false, 'missing')), ...Array.from({ length: 12 }, (_, i) => pair(`t${i}`, true, true))];
    expect(degenerateWarning('half-done', withMissing)).toMatchObject({ kind: 'degenerate', label: true, share: 1 });
  });

  it('flags groups under 10 pairs and runs under 30', () => {
    const pairs = [...Array.from({ length: 12 }, (_, i) => ({ ...pair(`a${i}`, true, true), code: 'I10' })), { ...pair('b', true, true), code: 'E11.9' }];
    const groups = withSmallN(breakdown(pairs, 'chapter'));
    expect(groups.map((g) => [g.metrics.n, g.smallN])).toEqual([[1, true], [12, false]]);
    expect(smallNWarning('r', 13)).toMatchObject({ kind: 'small-n' });
    expect(smallNWarning('r', 30)).toBeNull();
  });

  it('scores the constant references on the same pairs', () => {
    const pairs = [pair('a', true, false), pair('b', false, false), pair('c', true, false)];
    const always = computeMetrics(constantPairs(pairs, true));
    expect([always.tp, always.fp, always.fn, always.tn]).toEqual([2, 1, 0, 0]);
    expect(always.specificity).toBe(0);
    const never = computeMetrics(constantPairs(pairs, false));
    expect([never.precision, never.recall, never.f1]).toEqual([null, 0, 0]);
  });

  it('measures evidence agreement as the mean Jaccard over pairs where either run cited something', () => {
    const a = [pair('x', true, true, 'ok', [1, 2]), pair('y', true, true, 'ok', []), pair('z', true, true, 'ok', [5])];
    const b = [pair('x', true, true, 'ok', [2, 3]), pair('y', true, true, 'ok', []), pair('z', true, true, 'invalid', [5])];
    // x: {2} / {1,2,3} = 1/3; y: neither cited, left out; z: B is invalid so it cites nothing: 0.
    expect(evidenceJaccard(a, b)).toEqual({ jaccard: (1 / 3 + 0) / 2, pairs: 2 });
    expect(evidenceJaccard([pair('y', true, true)], [pair('y', true, true)])).toEqual({ jaccard: null, pairs: 0 });
  });
});

describe('trust in scores and comparisons (demo dataset)', () => {
  let f: RunsFixture;
  beforeAll(async () => {
    f = await createRunsFixture();
    f.runWith('always-yes', f.pairs, () => answer(true));
    f.runWith('oracle', f.pairs, (p) => answer(p.gold, p.goldSentences));
    f.runWith('short', f.pairs.slice(0, 10), (p) => answer(!p.gold));
  });
  afterAll(() => f.close());

  it('puts warnings and reference rows into the score, and flags small chapters', () => {
    const score = scoreRun(f.db, 'always-yes', { resamples: 200, by: 'chapter' });
    expect(score.warnings.map((w) => w.kind)).toContain('degenerate');
    expect(score.warnings.map((w) => w.kind)).toContain('external');
    expect(score.references.map((r) => r.reference)).toEqual(['always-true', 'always-false', 'baseline']);
    // The run IS the always-True reference: identical numbers.
    expect(score.references[0]!.metrics.f1).toBeCloseTo(score.f1!, 12);
    expect(score.references[2]!.metrics.n).toBe(score.n);
    expect(score.breakdown!.groups.some((g) => g.smallN)).toBe(true);
    expect(score.breakdown!.groups.every((g) => g.smallN === g.metrics.n < 10)).toBe(true);
    expect(score.mcc).toBeNull();
  });

  it('gives the baseline reference exactly the numbers of a real baseline run on the same pairs', async () => {
    const prepared = await prepareNewRun(f.db, { name: 'real-baseline', model: 'baseline', limit: 25 });
    await executeRun(f.db, prepared.run, prepared.backend);
    await prepared.backend.dispose();
    const score = scoreRun(f.db, 'real-baseline', { resamples: 200 });
    const { references: _r, warnings: _w, ...ownMetrics } = score;
    const reference = score.references.find((r) => r.reference === 'baseline')!.metrics;
    for (const key of ['n', 'tp', 'fp', 'fn', 'tn', 'precision', 'recall', 'f1', 'mcc', 'evidenceRecall', 'evidencePrecision'] as const) {
      expect(reference[key], key).toEqual(ownMetrics[key]);
    }
  });

  it('computes the baseline reference from the lexical matcher on the run pairs only', () => {
    const short = scoreRun(f.db, 'short', { resamples: 200 });
    expect(short.references[2]!.metrics.n).toBe(10);
    expect(short.warnings.map((w) => w.kind)).toContain('small-n');
  });

  it('notes fewer compared pairs than planned, per run, and adds reference rows to the leaderboard', () => {
    const board = buildLeaderboard(f.db, ['oracle', 'always-yes', 'short'], { resamples: 200 });
    expect(board.n).toBe(10);
    expect(board.coverage).toEqual([
      { run: 'oracle', planned: f.pairs.length, comparedOn: 10 },
      { run: 'always-yes', planned: f.pairs.length, comparedOn: 10 },
      { run: 'short', planned: 10, comparedOn: 10 },
    ]);
    expect(board.warnings.filter((w) => w.kind === 'fewer-pairs').map((w) => w.run)).toEqual(['oracle', 'always-yes']);
    expect(board.references.map((r) => [r.reference, r.rank])).toEqual([['always-true', null], ['always-false', null], ['baseline', null]]);
    expect(board.leaderboard[0]!.run).toBe('oracle');

    const two = compareTwoRuns(f.db, 'oracle', 'short', { resamples: 200 });
    expect([two.plannedA, two.plannedB, two.n]).toEqual([f.pairs.length, 10, 10]);
    expect(two.warnings.some((w) => w.kind === 'fewer-pairs' && w.run === 'oracle')).toBe(true);
  });

  it('compares any number of runs as a filterable outcome matrix with discordant pairs and evidence agreement', () => {
    const many = compareManyRuns(f.db, ['oracle', 'always-yes'], { resamples: 200 });
    expect(many.matrix).toHaveLength(f.pairs.length);
    const negatives = f.pairs.filter((p) => !p.gold).map((p) => p.id);
    const [discordant] = many.discordant;
    expect(discordant).toMatchObject({ a: 'oracle', b: 'always-yes' });
    expect(discordant!.aRightBWrong).toEqual(negatives);
    expect(discordant!.bRightAWrong).toEqual([]);
    expect(many.leaderboard.filter((row) => row.reference !== null)).toHaveLength(3);
    expect(many.evidenceAgreement[0]!.jaccard).toBe(0);
    const filtered = compareManyRuns(f.db, ['oracle', 'always-yes'], { resamples: 200, filter: [{ run: 'always-yes', outcome: 'fp' }] });
    expect(filtered.matrix.map((row) => row.pairId)).toEqual(negatives);
    expect(filtered.matrix.every((row) => row.outcomes[0] === 'tn' && row.outcomes[1] === 'fp')).toBe(true);
    expect(() => compareManyRuns(f.db, ['oracle', 'always-yes'], { filter: [{ run: 'nope', outcome: 'fp' }] })).toThrow(/not among the compared runs/);
  });
});
