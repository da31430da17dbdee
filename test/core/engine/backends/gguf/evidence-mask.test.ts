import type { Token } from 'node-llama-cpp';
import { describe, expect, it } from 'vitest';
import { allowedNext, EvidenceLanguage } from '../../../../../src/core/engine/backends/gguf/evidence-mask';

describe('EvidenceLanguage (what may follow "evidence": [)', () => {
  const language = new EvidenceLanguage([1, 2, 3, 12], 2);

  it('accepts complete lists of known, distinct ids up to the limit', () => {
    expect(language.check(']')).toEqual({ kind: 'complete', ids: [] });
    expect(language.check('"S12"]')).toEqual({ kind: 'complete', ids: [12] });
    expect(language.check('"S1", "S3"]')).toEqual({ kind: 'complete', ids: [1, 3] });
    expect(language.check('"S1","S3"]')).toEqual({ kind: 'complete', ids: [1, 3] });
  });

  it('tells partial prefixes from dead ends', () => {
    for (const text of ['', '"', '"S', '"S1', '"S1"', '"S1",', '"S1", ', '"S1", "S']) expect(language.check(text).kind, text).toBe('partial');
    for (const text of ['"S4', '"S13', '"S0', '"S1", "S1"', '"S1", "S2", ', '"S1"]x', 'S1', '"s1"', '"S1",  ', '"S2", "S3", "S1"']) {
      expect(language.check(text).kind, text).toBe('invalid');
    }
    // "S1" is cited: "S1" again is out, but "S12" still starts with 1.
    expect(language.check('"S1", "S1').kind).toBe('partial');
    expect(language.check('"S1", "S1"').kind).toBe('invalid');
  });

  it('masks candidate tokens to those that keep the list valid', () => {
    const candidates = ['"', '"S', 'S', '1', '2', '4', '12', '"]', ']', ', ', '",', '"S1"'].map((text, index) => ({ token: index as Token, text }));
    const texts = (text: string) => allowedNext(language, text, candidates).map((token) => candidates[token]!.text);
    expect(texts('')).toEqual(['"', '"S', ']', '"S1"']);
    expect(texts('"S')).toEqual(['1', '2', '12']);
    expect(texts('"S1')).toEqual(['"', '2', '"]', '",']);
    // At the limit (2 items) only the closing bracket may follow.
    expect(texts('"S1", "S2"')).toEqual([']']);
  });
});
