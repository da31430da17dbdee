import { describe, expect, it } from 'vitest';
import { EvidenceParseError, NoteTextLocator, parseEvidenceCell } from '../../../src/core/data/evidence-locate';

describe('parseEvidenceCell', () => {
  it('reads a JSON list of quoted text', () => {
    expect(parseEvidenceCell('["Extreme Fatigue", "Increased Thirst"]')).toEqual({ form: 'text', quotes: ['Extreme Fatigue', 'Increased Thirst'] });
  });

  it("reads Python's repr of a list of str: single quotes, mixed quote styles and escapes", () => {
    // repr uses double quotes for a string holding ' and no ", and escapes \' when it holds both.
    const cell = String.raw`['Extreme Fatigue', "patient's thirst", 'said \'no\' and "maybe"', 'C:\\path', 'line one \nline two', 'tab\there']`;
    expect(parseEvidenceCell(cell)).toEqual({
      form: 'text',
      quotes: ['Extreme Fatigue', "patient's thirst", `said 'no' and "maybe"`, 'C:\\path', 'line one \nline two', 'tab\there'],
    });
  });

  it('decodes \\x, \\u and \\U escapes, JSON surrogate pairs, and keeps unknown escapes as Python does', () => {
    expect(parseEvidenceCell(String.raw`['caf\xe9', "\u00e9t\u00e9", '\U0001F600', "\ud83d\ude00", 'a\qb', "a\/b"]`)).toEqual({
      form: 'text',
      quotes: ['café', 'été', '😀', '😀', 'a\\qb', 'a/b'],
    });
  });

  it('drops empty strings; a list of only empty strings is no evidence', () => {
    expect(parseEvidenceCell(`['', 'fever', "  "]`)).toEqual({ form: 'text', quotes: ['fever'] });
    expect(parseEvidenceCell(`['']`)).toEqual({ form: 'empty' });
  });

  it('reads (start, end) spans in Python and JSON syntax', () => {
    expect(parseEvidenceCell('[(10, 42), (50, 61,)]')).toEqual({ form: 'spans', spans: [{ start: 10, end: 42 }, { start: 50, end: 61 }] });
    expect(parseEvidenceCell('[[10,42]]')).toEqual({ form: 'spans', spans: [{ start: 10, end: 42 }] });
  });

  it.each([
    ['[3, 7]', [3, 7]],
    ['["S3","S7"]', [3, 7]],
    ["['s3', 'S12']", [3, 12]],
    ['S3;S7', [3, 7]],
    ['3,7', [3, 7]],
    ['S3, S7 ; 9', [3, 7, 9]],
    ['S4', [4]],
    [' 5 ', [5]],
  ])('reads sentence ids written as %s', (cell, ids) => {
    expect(parseEvidenceCell(cell)).toEqual({ form: 'ids', ids });
  });

  it.each(['', '  ', '[]', '[ ]', 'None', 'null', 'NaN'])('reads %j as no evidence', (cell) => {
    expect(parseEvidenceCell(cell)).toEqual({ form: 'empty' });
  });

  it.each([
    ['fatigue', /not a list/],
    ["['fatigue', 3]", /mixes/],
    ['[(1, 2), 3]', /mixes/],
    ["['unterminated]", /closing '/],
    ['[(1, 2]', /"\)"/],
    ['[1.5]', /"," or "\]"/],
    ['["a"] trailing', /nothing after/],
    ["['\\x4']", /2 hex digits/],
  ])('rejects %j', (cell, message) => {
    expect(() => parseEvidenceCell(cell)).toThrow(EvidenceParseError);
    expect(() => parseEvidenceCell(cell)).toThrow(message);
  });
});

describe('NoteTextLocator', () => {
  const note = 'Chief Complaint: \nExtreme fatigue. \n \nHPI: He has poorly controlled type 2 diabetes \nmellitus and  polyuria.\nDischarge Diagnosis: \nType 2 DIABETES mellitus\n';
  const only = (found: ReturnType<NoteTextLocator['locate']>) => {
    expect(found).toHaveLength(1);
    return found[0]!;
  };

  it('finds text exactly, in code point offsets', () => {
    const at = note.indexOf('Extreme fatigue');
    expect(new NoteTextLocator(note).locate('Extreme fatigue')).toEqual([{ start: at, end: at + 15, match: 'exact' }]);
  });

  it('finds text across a " \\n" line wrap ignoring whitespace, and maps back to the original offsets', () => {
    const found = only(new NoteTextLocator(note).locate('type 2 diabetes mellitus and polyuria'));
    expect(found.match).toBe('whitespace');
    expect(note.slice(found.start, found.end)).toBe('type 2 diabetes \nmellitus and  polyuria');
  });

  it('trims the quote and collapses its own whitespace runs too', () => {
    const found = only(new NoteTextLocator(note).locate('  controlled\ttype 2\n\ndiabetes   mellitus '));
    expect(note.slice(found.start, found.end)).toBe('controlled type 2 diabetes \nmellitus');
  });

  it('falls back to ignoring case (and whitespace), and returns every place at that level', () => {
    const found = new NoteTextLocator(note).locate('TYPE 2 DIABETES MELLITUS');
    expect(found.map((f) => f.match)).toEqual(['case', 'case']);
    expect(found.map((f) => note.slice(f.start, f.end))).toEqual(['type 2 diabetes \nmellitus', 'Type 2 DIABETES mellitus']);
  });

  it('returns every exact occurrence, and ignores looser matches once an exact one exists', () => {
    const text = 'BMI 37.2 on admission. \nWeight stable, BMI 37.2. bmi 37.2';
    const found = new NoteTextLocator(text).locate('BMI 37.2');
    expect(found).toEqual([
      { start: 0, end: 8, match: 'exact' },
      { start: text.indexOf('BMI 37.2.'), end: text.indexOf('BMI 37.2.') + 8, match: 'exact' },
    ]);
  });

  it('returns nothing for text the note does not hold, and for blank text', () => {
    const locator = new NoteTextLocator(note);
    expect(locator.locate('chest pain')).toEqual([]);
    expect(locator.locate('fatigue polyuria')).toEqual([]);
    expect(locator.locate('  ')).toEqual([]);
  });

  it('counts code points, not UTF-16 units, after an astral character', () => {
    const text = 'Mood 😀 ok. \nPatient   is AFEBRILE.';
    const found = only(new NoteTextLocator(text).locate('patient is afebrile'));
    expect(found.match).toBe('case');
    expect(Array.from(text).slice(found.start, found.end).join('')).toBe('Patient   is AFEBRILE');
  });
});
