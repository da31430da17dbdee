import { describe, expect, it } from 'vitest';
import { buildNoteBlocks, codePointToUtf16, highlightedSentences, mergeSpans, type NoteBlock } from '../../src/renderer/src/lib/highlight';

const text = 'Chest pain. Troponin rose. Cath showed LAD occlusion. Discharged home.';
//            0         1         2         3         4         5         6
const sentences = [
  { id: 1, start: 0, end: 11 },
  { id: 2, start: 12, end: 26 },
  { id: 3, start: 27, end: 53 },
  { id: 4, start: 54, end: 70 },
];

function marks(blocks: NoteBlock[]): [string, string][] {
  return blocks.flatMap((b) => b.pieces.filter((p) => p.evidence).map((p) => [p.evidence!, p.text] as [string, string]));
}

describe('buildNoteBlocks', () => {
  it('keeps every character, in order, split into sentences and gaps', () => {
    const blocks = buildNoteBlocks({ text, sentences, goldSpans: [{ start: 39, end: 52 }], goldSentences: [3], predictedSentences: [2, 3] });
    expect(blocks.map((b) => b.pieces.map((p) => p.text).join('')).join('')).toBe(text);
    expect(blocks.filter((b) => b.kind === 'sentence').map((b) => (b as { id: number }).id)).toEqual([1, 2, 3, 4]);
  });

  it('marks gold spans, predicted sentences, and their overlap as both', () => {
    const blocks = buildNoteBlocks({ text, sentences, goldSpans: [{ start: 39, end: 52 }], goldSentences: [3], predictedSentences: [2, 3] });
    expect(marks(blocks)).toEqual([
      ['pred', 'Troponin rose.'],
      ['pred', 'Cath showed '],
      ['both', 'LAD occlusion'],
      ['pred', '.'],
    ]);
    expect(highlightedSentences(blocks)).toEqual([
      { id: 2, evidence: 'pred' },
      { id: 3, evidence: 'both' },
    ]);
  });

  it('marks gold alone when nothing is predicted, across sentence boundaries', () => {
    const blocks = buildNoteBlocks({ text, sentences, goldSpans: [{ start: 21, end: 31 }], goldSentences: [2, 3], predictedSentences: [] });
    expect(marks(blocks)).toEqual([
      ['gold', 'rose.'],
      ['gold', ' '],
      ['gold', 'Cath'],
    ]);
  });

  it('converts code point offsets past an astral character', () => {
    const astral = '😀 fever. Cough.';
    // Code points: 😀=0, ' '=1, 'fever.'=2..8, ' '=8, 'Cough.'=9..15
    const blocks = buildNoteBlocks({
      text: astral,
      sentences: [
        { id: 1, start: 0, end: 8 },
        { id: 2, start: 9, end: 15 },
      ],
      goldSpans: [{ start: 2, end: 7 }],
      goldSentences: [1],
      predictedSentences: [2],
    });
    expect(marks(blocks)).toEqual([
      ['gold', 'fever'],
      ['pred', 'Cough.'],
    ]);
    expect(codePointToUtf16(astral)(2)).toBe(3);
  });

  it('merges overlapping and touching spans', () => {
    expect(mergeSpans([{ start: 5, end: 9 }, { start: 0, end: 3 }, { start: 3, end: 4 }, { start: 8, end: 12 }, { start: 7, end: 7 }])).toEqual([
      { start: 0, end: 4 },
      { start: 5, end: 12 },
    ]);
  });
});
