import { describe, expect, it } from 'vitest';
import { majority, needsRejudge, triageOutcome, type TriageLabel } from '../../../src/core/build/provenance';

const E: TriageLabel = 'Explicit';
const I: TriageLabel = 'Implicit';
const U: TriageLabel = 'Unrelated';
const X: TriageLabel = 'invalid';

describe('two-stage triage', () => {
  it('takes the strict majority of the valid votes', () => {
    expect(majority([E, E, U])).toBe('Explicit');
    expect(majority([I, U, U])).toBe('Unrelated');
    expect(majority([E, I, U])).toBe('split');
    expect(majority([E, X, X])).toBe('Explicit');
    expect(majority([E, U, X])).toBe('split');
    expect(majority([X, X, X])).toBe('invalid');
  });

  it('sends disagreements with the billing code or among the votes to the second model', () => {
    expect(needsRejudge([E, E, E])).toBe(false);
    expect(needsRejudge([I, I, I])).toBe(false);
    expect(needsRejudge([E, E, I])).toBe(true);
    expect(needsRejudge([U, U, U])).toBe(true);
    expect(needsRejudge([E, I, U])).toBe(true);
    expect(needsRejudge([X, X, X])).toBe(true);
    expect(needsRejudge(null)).toBe(false);
  });

  it('marks putative positives where both models say Unrelated', () => {
    expect(triageOutcome([U, U, E], [U, U, U], true)).toBe('putative-positive');
    expect(triageOutcome([U, U, E], [I, I, U], true)).toBe('implicit');
    expect(triageOutcome([E, E, E], null, true)).toBe('explicit');
    expect(triageOutcome([E, E, I], [U, U, U], true)).toBe('unrelated');
    expect(triageOutcome([E, I, U], [E, I, U], true)).toBe('split');
    expect(triageOutcome([U, U, U], null, true)).toBe('pending');
    expect(triageOutcome([U, U, U], null, false)).toBe('unconfirmed-unrelated');
    expect(triageOutcome([E, E, I], null, false)).toBe('explicit');
    expect(triageOutcome(null, null, true)).toBe('pending');
  });
});
