import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CodePointIndex } from '../../src/shared/code-points';

describe('CodePointIndex', () => {
  it('is the identity for text without astral characters', () => {
    const index = new CodePointIndex('Temp 38.5°C, µg');
    expect(index.length).toBe(15);
    expect(index.toUtf16(7)).toBe(7);
    expect(index.slice(5, 11)).toBe('38.5°C');
  });

  it('slices like Python after astral characters', () => {
    const text = 'a😀b 🩸 anemia';
    const index = new CodePointIndex(text);
    // Python: len(text) == 12, text[6:12] == 'anemia'
    expect(index.length).toBe(12);
    expect(index.slice(6, 12)).toBe('anemia');
    expect(index.slice(1, 2)).toBe('😀');
    expect(index.toCodePoint(text.indexOf('anemia'))).toBe(6);
  });

  it('rejects offsets outside the text', () => {
    const index = new CodePointIndex('abc');
    expect(() => index.toUtf16(4)).toThrow(RangeError);
    expect(() => index.toUtf16(-1)).toThrow(RangeError);
  });

  it('agrees with Array.from code points (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        const points = Array.from(text);
        const index = new CodePointIndex(text);
        expect(index.length).toBe(points.length);
        for (let i = 0; i <= points.length; i++) {
          expect(index.slice(0, i)).toBe(points.slice(0, i).join(''));
          expect(index.toCodePoint(index.toUtf16(i))).toBe(i);
        }
      }),
    );
  });
});
