import { describe, expect, it } from 'vitest';
import { buildNoteBlocks } from '../../src/renderer/src/lib/highlight';

/** Issue 16 §7: a right-to-left override in a note must not reorder what the pair view shows. */
describe('buildNoteBlocks and bidi controls', () => {
  it('neutralises overrides one character for one, so the evidence marks stay on the same characters', () => {
    const text = 'Open invoice\u202egnp.exe now. Chest pain.';
    const start = text.indexOf('Chest');
    const blocks = buildNoteBlocks({
      text,
      sentences: [
        { id: 1, start: 0, end: start - 1 },
        { id: 2, start, end: text.length },
      ],
      goldSpans: [{ start, end: start + 'Chest pain'.length }],
      goldSentences: [2],
      predictedSentences: [],
    });
    const shown = blocks.map((b) => b.pieces.map((p) => p.text).join('')).join('');
    expect(shown).toBe(text.replace('\u202e', '\ufffd'));
    const gold = blocks.flatMap((b) => b.pieces.filter((p) => p.evidence === 'gold').map((p) => p.text));
    expect(gold).toEqual(['Chest pain']);
  });
});
