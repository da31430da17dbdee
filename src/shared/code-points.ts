/**
 * MedicalBench offsets are Python string indexes (Unicode code points), while JS strings index
 * UTF-16 code units. The two differ only after an astral character (emoji, rare CJK), so the
 * common all-BMP note takes the identity fast path.
 */
export class CodePointIndex {
  /** utf16Offsets[cp] = UTF-16 offset of code point cp; null when the text has no surrogate pairs. */
  private readonly utf16Offsets: Uint32Array | null;
  readonly length: number;

  constructor(private readonly text: string) {
    if (!/[\uD800-\uDBFF]/.test(text)) {
      this.utf16Offsets = null;
      this.length = text.length;
      return;
    }
    const offsets: number[] = [];
    for (let i = 0; i < text.length; i++) {
      offsets.push(i);
      const unit = text.charCodeAt(i);
      if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
        const next = text.charCodeAt(i + 1);
        if (next >= 0xdc00 && next <= 0xdfff) i++;
      }
    }
    offsets.push(text.length);
    this.utf16Offsets = Uint32Array.from(offsets);
    this.length = offsets.length - 1;
  }

  /** UTF-16 offset of a code point offset (0..length inclusive). */
  toUtf16(codePoint: number): number {
    if (codePoint < 0 || codePoint > this.length) throw new RangeError(`code point offset ${codePoint} outside 0..${this.length}`);
    return this.utf16Offsets === null ? codePoint : this.utf16Offsets[codePoint]!;
  }

  /** Code point offset of a UTF-16 offset; an offset inside a surrogate pair maps to that pair's code point. */
  toCodePoint(utf16: number): number {
    if (utf16 < 0 || utf16 > this.text.length) throw new RangeError(`UTF-16 offset ${utf16} outside 0..${this.text.length}`);
    const offsets = this.utf16Offsets;
    if (offsets === null) return utf16;
    let lo = 0;
    let hi = offsets.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (offsets[mid]! <= utf16) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Python's text[start:end] for code point offsets. */
  slice(start: number, end: number): string {
    return this.text.slice(this.toUtf16(start), this.toUtf16(end));
  }
}
