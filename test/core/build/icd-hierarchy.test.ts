import { describe, expect, it } from 'vitest';
import { hierarchyPath, hopDistance, nearestByHops, stripDot, withDot } from '../../../src/core/build/icd-hierarchy';

describe('ICD-10 hierarchy', () => {
  it('places CM codes under chapter, block, category and subcategory', () => {
    expect(hierarchyPath('I50.23')).toEqual(['CM', 'CM-chapter:IX', 'CM-block:I5', 'CM:I50', 'CM:I502', 'CM:I5023']);
    expect(hierarchyPath('D62')).toEqual(['CM', 'CM-chapter:III', 'CM-block:D6', 'CM:D62']);
  });

  it('places PCS codes under section, body system and one level per axis', () => {
    expect(hierarchyPath('0FT44ZZ')).toEqual(['PCS', 'PCS:0', 'PCS:0F', 'PCS:0FT', 'PCS:0FT4', 'PCS:0FT44', 'PCS:0FT44Z', 'PCS:0FT44ZZ']);
  });

  it('counts hops through the lowest common ancestor', () => {
    expect(hopDistance('I50.23', 'I50.23')).toBe(0);
    expect(hopDistance('I50.2', 'I50.23')).toBe(1);
    expect(hopDistance('I50.23', 'I50.22')).toBe(2); // siblings under I50.2
    expect(hopDistance('I50.23', 'I50.33')).toBe(4); // cousins under I50
    expect(hopDistance('I50.23', 'I48.91')).toBe(8); // blocks I5 and I4 meet at chapter IX
    expect(hopDistance('L03.116', 'L03.115')).toBe(2);
    expect(hopDistance('0FT44ZZ', '0FT40ZZ')).toBe(6);
    // Different chapters meet at CM: up 5 from I50.23, down 4 to E87.1.
    expect(hopDistance('I50.23', 'E87.1')).toBe(5 + 4);
    // CM and PCS meet only at the root.
    expect(hopDistance('D62', '30233N1')).toBe(4 + 8);
    expect(hopDistance('I5023', 'I50.23')).toBe(0);
  });

  it('finds the nearest code', () => {
    expect(nearestByHops('I50.22', ['E87.1', 'I50.23', 'I48.91'])).toEqual({ code: 'I50.23', hops: 2 });
    expect(nearestByHops('I50.22', [])).toBeNull();
  });

  it('writes CM codes with the dot as MedicalBench does, PCS without', () => {
    expect(withDot('I5023', 'CM')).toBe('I50.23');
    expect(withDot('D62', 'CM')).toBe('D62');
    expect(withDot('0FT44ZZ', 'PCS')).toBe('0FT44ZZ');
    expect(stripDot(' i50.23 ')).toBe('I5023');
  });
});
