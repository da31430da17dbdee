import { CodePointIndex } from '../../shared/code-points';
import { segmentSentences } from './sentences';

/** Bump when segmentation rules change, so stored sentences can be told apart from new ones. */
export const SEGMENTER_VERSION = 1;

/** A sentence of a note in code point offsets, the unit MedicalBench's evidence recall counts. */
export interface NoteSentence {
  id: number;
  start: number;
  end: number;
}

export function noteSentences(text: string, index: CodePointIndex = new CodePointIndex(text)): NoteSentence[] {
  return segmentSentences(text).map((s) => ({ id: s.id, start: index.toCodePoint(s.start), end: index.toCodePoint(s.end) }));
}

/**
 * Gold sentences of a pair: every sentence that overlaps at least one gold span by one character
 * or more. Spans and sentences are half-open code point ranges; the result is sorted and unique.
 */
export function sentencesOverlapping(sentences: readonly NoteSentence[], spans: readonly { start: number; end: number }[]): number[] {
  const ids = new Set<number>();
  for (const span of spans) {
    for (const sentence of sentences) {
      if (sentence.start < span.end && span.start < sentence.end) ids.add(sentence.id);
    }
  }
  return [...ids].sort((a, b) => a - b);
}
