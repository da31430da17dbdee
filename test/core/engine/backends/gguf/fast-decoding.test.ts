import { describe, expect, it } from 'vitest';
import { choose, jsonStringBody, normalise } from '../../../../../src/core/engine/backends/gguf/fast-decoding';
import { JsonStringEnd } from '../../../../../src/core/engine/backends/gguf/stop-detection';

describe('label probabilities', () => {
  it('normalises logits over the label words (softmax), robust to missing ones', () => {
    const [pTrue, pFalse] = normalise([2, 0]);
    expect(pTrue).toBeCloseTo(Math.exp(2) / (Math.exp(2) + 1), 12);
    expect(pTrue! + pFalse!).toBeCloseTo(1, 12);
    expect(normalise([1, -Infinity])).toEqual([1, 0]);
    expect(normalise([-Infinity, -Infinity])).toEqual([0.5, 0.5]);
  });

  it('greedy picks the largest logit; sampling is reproducible by seed and stays among the options', () => {
    expect(choose([0.1, 3, 2], { temperature: 0, seed: 1 }, Math.random)).toBe(1);
    const draws = (seed: number) => {
      let state = seed;
      const random = () => ((state = (state * 16807) % 2147483647) / 2147483647);
      return Array.from({ length: 20 }, () => choose([1, 1, 1], { temperature: 1, seed }, random));
    };
    expect(draws(5)).toEqual(draws(5));
    expect(new Set(draws(5)).size).toBeGreaterThan(1);
  });
});

describe('free rationale', () => {
  it('ends at the first unescaped quote, a line break, or the length limit', () => {
    const quote = new JsonStringEnd(300);
    expect(quote.push('It says \\"CKD\\" here')).toBe(false);
    expect(quote.push('." Then more')).toBe(true);
    expect(quote.ended).toBe('quote');
    expect(quote.closedContent()).toBe('It says \\"CKD\\" here.');

    const line = new JsonStringEnd(300);
    expect(line.push('first line\nsecond')).toBe(true);
    expect([line.ended, line.closedContent()]).toEqual(['newline', 'first line']);

    const long = new JsonStringEnd(5);
    expect(long.push('abcdefgh')).toBe(true);
    expect([long.ended, long.closedContent()]).toEqual(['length', 'abcde']);
    // A dangling backslash (half an escape) is dropped.
    const dangling = new JsonStringEnd(300);
    dangling.push('ends with \\');
    expect(dangling.closedContent()).toBe('ends with ');
  });

  it('turns free text into a valid JSON string body, keeping valid escapes', () => {
    for (const text of ['plain', 'tab\there', 'bad \\q escape', 'ok \\n and \\u00e9', 'ctrl \u0001']) {
      const body = jsonStringBody(text);
      expect(() => JSON.parse(`"${body}"`), text).not.toThrow();
    }
    expect(JSON.parse(`"${jsonStringBody('ok \\n and \\u00e9')}"`)).toBe('ok \n and é');
    expect(JSON.parse(`"${jsonStringBody('bad \\q')}"`)).toBe('bad \\q');
  });
});
