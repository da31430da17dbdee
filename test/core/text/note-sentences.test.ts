import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CodePointIndex } from '../../../src/shared/code-points';
import { noteSentences, sentencesOverlapping } from '../../../src/core/text/note-sentences';

const FIXTURES = path.resolve('test/fixtures/notes');
const notes = fs.readdirSync(FIXTURES).map((file) => fs.readFileSync(path.join(FIXTURES, file), 'utf8'));

describe('noteSentences', () => {
  it('gives code point spans that slice to the same text as the UTF-16 segmentation', () => {
    const text = 'Pain 😀 resolved. Hgb 7.1 on ___. \nShe was transfused. ';
    const index = new CodePointIndex(text);
    const sentences = noteSentences(text, index);
    expect(sentences.map((s) => index.slice(s.start, s.end))).toEqual(['Pain 😀 resolved.', 'Hgb 7.1 on ___.', 'She was transfused.']);
  });
});

describe('sentencesOverlapping (gold sentences)', () => {
  it('is every sentence sharing at least one character with a span, sorted and unique', () => {
    const sentences = [
      { id: 1, start: 0, end: 10 },
      { id: 2, start: 11, end: 20 },
      { id: 3, start: 22, end: 30 },
    ];
    expect(sentencesOverlapping(sentences, [{ start: 9, end: 12 }])).toEqual([1, 2]);
    expect(sentencesOverlapping(sentences, [{ start: 10, end: 11 }])).toEqual([]); // whitespace between sentences only
    expect(sentencesOverlapping(sentences, [{ start: 25, end: 26 }, { start: 0, end: 1 }, { start: 24, end: 29 }])).toEqual([1, 3]);
    expect(sentencesOverlapping(sentences, [])).toEqual([]);
  });

  it('covers every non-whitespace character of every gold span, and nothing unrelated (property, on the fixture notes)', () => {
    const cases = notes.map((text) => ({ text, index: new CodePointIndex(text), sentences: noteSentences(text) }));
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: cases.length - 1 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 400 })), { minLength: 1, maxLength: 4 }),
        (which, rawSpans) => {
          const { index, sentences } = cases[which]!;
          const spans = rawSpans.map(([at, length]) => {
            const start = at % index.length;
            return { start, end: Math.min(index.length, start + length) };
          });
          const gold = new Set(sentencesOverlapping(sentences, spans));
          const points = Array.from(index.slice(0, index.length));
          for (const span of spans) {
            for (let cp = span.start; cp < span.end; cp++) {
              if (/\s/.test(points[cp]!)) continue;
              const owner = sentences.find((s) => s.start <= cp && cp < s.end);
              expect(owner, `character ${cp} belongs to a sentence`).toBeDefined();
              expect(gold.has(owner!.id)).toBe(true);
            }
          }
          for (const id of gold) {
            const sentence = sentences.find((s) => s.id === id)!;
            expect(spans.some((span) => sentence.start < span.end && span.start < sentence.end)).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
