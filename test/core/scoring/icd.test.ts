import { describe, it, expect } from 'vitest';
import { cmChapter, codeKind, conceptGroup, conceptGroupInfo, pcsSection } from '../../../src/core/scoring/icd';

describe('codeKind', () => {
  it.each([
    // CM, dotted and undotted (MIMIC stores them without dots)
    ['I10', 'CM'],
    ['E11.9', 'CM'],
    ['E119', 'CM'],
    ['e11.9 ', 'CM'],
    ['F32A', 'CM'],
    ['Z3A.39', 'CM'],
    ['K5730', 'CM'],
    ['C50911', 'CM'],
    // 7-character CM codes that must not be mistaken for PCS
    ['T797XXA', 'CM'],
    ['S72001A', 'CM'],
    ['O321XX0', 'CM'],
    ['M8008XA', 'CM'],
    ['R402142', 'CM'],
    ['H401131', 'CM'],
    ['X58XXXA', 'CM'],
    ['X000XXA', 'CM'],
    ['W19XXXA', 'CM'],
    ['Y92009', 'CM'],
    ['T81.4XXA', 'CM'],
    // PCS: digit sections, and letter sections that share a first letter with CM chapters
    ['0210093', 'PCS'],
    ['02H633Z', 'PCS'],
    ['0DTJ4ZZ', 'PCS'],
    ['5A1955Z', 'PCS'],
    ['3E0G76Z', 'PCS'],
    ['B211YZZ', 'PCS'],
    ['BW03ZZZ', 'PCS'],
    ['C23GYZZ', 'PCS'],
    ['D0Y0KZZ', 'PCS'],
    ['F07Z0ZZ', 'PCS'],
    ['GZ3ZZZZ', 'PCS'],
    ['HZ2ZZZZ', 'PCS'],
    ['XW033E5', 'PCS'],
    ['X2C0361', 'PCS'],
    // neither
    ['', 'unknown'],
    ['ABC', 'unknown'],
    ['123', 'unknown'],
    ['E1', 'unknown'],
    ['E11.', 'unknown'],
    ['.E11', 'unknown'],
    ['E11-9', 'unknown'],
    ['I10.12345', 'unknown'],
    ['0210O93', 'unknown'], // PCS never uses the letter O
    ['0DTJ4Z', 'unknown'],
    ['02100934', 'unknown'],
    ['0210.093', 'unknown'],
    ['AB12345', 'unknown'],
    ['GZ3ZZZI', 'unknown'],
    ['E11928ZZ', 'unknown'],
  ])('%j is %s', (code, expected) => {
    expect(codeKind(code)).toBe(expected);
  });
});

describe('cmChapter', () => {
  it.each([
    ['A419', 1, 'I', 'A00-B99'],
    ['B99', 1, 'I', 'A00-B99'],
    ['C00', 2, 'II', 'C00-D49'],
    ['C4A9', 2, 'II', 'C00-D49'],
    ['D3A00', 2, 'II', 'C00-D49'],
    ['D49.9', 2, 'II', 'C00-D49'],
    ['D50.0', 3, 'III', 'D50-D89'],
    ['D649', 3, 'III', 'D50-D89'],
    ['D89', 3, 'III', 'D50-D89'],
    ['E119', 4, 'IV', 'E00-E89'],
    ['E8809', 4, 'IV', 'E00-E89'],
    ['F01', 5, 'V', 'F01-F99'],
    ['F32A', 5, 'V', 'F01-F99'],
    ['G4733', 6, 'VI', 'G00-G99'],
    ['H401131', 7, 'VII', 'H00-H59'],
    ['H59', 7, 'VII', 'H00-H59'],
    ['H60', 8, 'VIII', 'H60-H95'],
    ['H9190', 8, 'VIII', 'H60-H95'],
    ['I10', 9, 'IX', 'I00-I99'],
    ['J189', 10, 'X', 'J00-J99'],
    ['K9501', 11, 'XI', 'K00-K95'],
    ['L89154', 12, 'XII', 'L00-L99'],
    ['M1A00X0', 13, 'XIII', 'M00-M99'],
    ['N186', 14, 'XIV', 'N00-N99'],
    ['O99', 15, 'XV', 'O00-O9A'],
    ['O9A11', 15, 'XV', 'O00-O9A'],
    ['P96', 16, 'XVI', 'P00-P96'],
    ['Q99', 17, 'XVII', 'Q00-Q99'],
    ['R6520', 18, 'XVIII', 'R00-R99'],
    ['S72001A', 19, 'XIX', 'S00-T88'],
    ['T797XXA', 19, 'XIX', 'S00-T88'],
    ['T88', 19, 'XIX', 'S00-T88'],
    ['V00', 20, 'XX', 'V00-Y99'],
    ['W19XXXA', 20, 'XX', 'V00-Y99'],
    ['X58XXXA', 20, 'XX', 'V00-Y99'],
    ['Y929', 20, 'XX', 'V00-Y99'],
    ['Z794', 21, 'XXI', 'Z00-Z99'],
    ['Z3A39', 21, 'XXI', 'Z00-Z99'],
    ['U071', 22, 'XXII', 'U00-U85'],
  ])('%s is in chapter %i (%s, %s)', (code, chapter, id, range) => {
    expect(cmChapter(code)).toMatchObject({ chapter, id, range });
  });

  it('gives the official titles', () => {
    expect(cmChapter('I10')?.title).toBe('Diseases of the circulatory system');
    expect(cmChapter('D649')?.title).toBe(
      'Diseases of the blood and blood-forming organs and certain disorders involving the immune mechanism',
    );
    expect(cmChapter('H9190')?.title).toBe('Diseases of the ear and mastoid process');
    expect(cmChapter('U071')?.title).toBe('Codes for special purposes');
    expect(cmChapter('O800')?.title).toBe('Pregnancy, childbirth and the puerperium');
  });

  it('returns exactly the chapter fields', () => {
    expect(cmChapter('E11.9')).toEqual({
      chapter: 4,
      id: 'IV',
      title: 'Endocrine, nutritional and metabolic diseases',
      range: 'E00-E89',
    });
  });

  it.each(['E90', 'F00', 'K96', 'P97', 'T89', 'U86', 'H96'])('%s falls in no chapter', (code) => {
    expect(cmChapter(code)).toBeNull();
  });

  it.each(['0210093', 'B211YZZ', 'junk', ''])('%j is not a CM code', (code) => {
    expect(cmChapter(code)).toBeNull();
  });
});

describe('pcsSection', () => {
  it.each([
    ['0210093', '0', 'Medical and Surgical'],
    ['10D00Z1', '1', 'Obstetrics'],
    ['2W60X1Z', '2', 'Placement'],
    ['3E0G76Z', '3', 'Administration'],
    ['4A023N7', '4', 'Measurement and Monitoring'],
    ['5A1955Z', '5', 'Extracorporeal or Systemic Assistance and Performance'],
    ['6A550Z3', '6', 'Extracorporeal or Systemic Therapies'],
    ['7W00X0Z', '7', 'Osteopathic'],
    ['8E0W4CZ', '8', 'Other Procedures'],
    ['9WB0XBZ', '9', 'Chiropractic'],
    ['B211YZZ', 'B', 'Imaging'],
    ['C23GYZZ', 'C', 'Nuclear Medicine'],
    ['DW021ZZ', 'D', 'Radiation Therapy'],
    ['F07Z0ZZ', 'F', 'Physical Rehabilitation and Diagnostic Audiology'],
    ['GZ3ZZZZ', 'G', 'Mental Health'],
    ['HZ2ZZZZ', 'H', 'Substance Abuse Treatment'],
    ['XW033E5', 'X', 'New Technology'],
  ])('%s is section %s (%s)', (code, section, title) => {
    expect(pcsSection(code)).toEqual({ section, title });
  });

  it.each(['I10', 'T797XXA', 'X58XXXA', 'H401131', '0210O93', ''])('%j is not a PCS code', (code) => {
    expect(pcsSection(code)).toBeNull();
  });
});

describe('conceptGroup', () => {
  it('labels CM chapters, PCS sections and unknown codes', () => {
    expect(conceptGroup('I10')).toBe('CM IX (I00-I99) Diseases of the circulatory system');
    expect(conceptGroup('0210093')).toBe('PCS 0 Medical and Surgical');
    expect(conceptGroup('XW033E5')).toBe('PCS X New Technology');
    expect(conceptGroup('E95')).toBe('Unknown code');
    expect(conceptGroup('???')).toBe('Unknown code');
  });

  it('orders CM chapters, then PCS sections, then unknown', () => {
    const codes = ['???', 'XW033E5', '0210093', 'U071', 'A419', 'BW03ZZZ', 'I10'];
    const sorted = [...codes].sort((a, b) => conceptGroupInfo(a).order - conceptGroupInfo(b).order);
    expect(sorted).toEqual(['A419', 'I10', 'U071', '0210093', 'BW03ZZZ', 'XW033E5', '???']);
  });
});
