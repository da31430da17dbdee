import { describe, expect, it } from 'vitest';
import { describeFilter, listQuery, pairsRequest } from '../../src/renderer/src/lib/pairs-query';

describe('the pairs list filter in URLs', () => {
  it('reads the filter keys of a URL query and nothing else', () => {
    const q = listQuery(new URLSearchParams('dataset=demo&run=base&outcome=fn&missed=1&search=I10&sel=42&top=300'));
    expect(q).toEqual({ dataset: 'demo', run: 'base', outcome: 'fn', missed: '1', search: 'I10' });
  });

  it('turns it into the listPairs request, dropping run-only filters without a run and unknown values', () => {
    expect(pairsRequest({ dataset: 'demo', run: 'base', outcome: 'fn', missed: '1', gold: 'true', kind: 'PCS' })).toEqual({
      dataset: 'demo',
      run: 'base',
      outcome: 'fn',
      evidenceMissed: true,
      gold: true,
      kind: 'PCS',
    });
    expect(pairsRequest({ dataset: 'demo', outcome: 'fn', missed: '1', gold: 'maybe', kind: 'XX' })).toEqual({ dataset: 'demo' });
    expect(pairsRequest({ dataset: 'demo', run: 'base', outcome: 'nonsense' })).toEqual({ dataset: 'demo', run: 'base' });
  });

  it('says in words where a pair stands', () => {
    expect(describeFilter({ dataset: 'demo', run: 'base', outcome: 'fn' })).toBe('false negatives of base');
    expect(describeFilter({ dataset: 'demo', run: 'base', missed: '1', search: 'anemia' })).toBe('pairs of base, gold evidence missed, matching “anemia”');
    expect(describeFilter({ dataset: 'demo' })).toBe('');
  });
});
