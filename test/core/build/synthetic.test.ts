import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { writeSyntheticHosp } from '../../../src/core/build/synthetic';
import { tempDir } from '../../helpers/mimic-files';
import { readCsvText } from '../../helpers/csv-reader';

const rows = (file: string) => readCsvText(zlib.gunzipSync(fs.readFileSync(file)).toString('utf8'));

describe('synthetic hosp tables', () => {
  it('have MIMIC shapes, ICD-9 rows, CM and PCS, a long tail of prevalence, and are seeded', () => {
    const dir = tempDir();
    const files = writeSyntheticHosp({ outDir: dir, admissions: 300, seed: 7 });
    const diagnoses = rows(files.diagnoses);
    const procedures = rows(files.procedures);
    expect(diagnoses[0]).toEqual(['subject_id', 'hadm_id', 'seq_num', 'icd_code', 'icd_version']);
    expect(procedures[0]).toEqual(['subject_id', 'hadm_id', 'seq_num', 'chartdate', 'icd_code', 'icd_version']);
    expect(rows(files.icdDiagnoses)[0]).toEqual(['icd_code', 'icd_version', 'long_title']);
    const codes = [...diagnoses.slice(1), ...procedures.slice(1).map((r) => [r[0], r[1], r[2], r[4], r[5]])];
    expect(codes.every((r) => !r[3]!.includes('.'))).toBe(true);
    expect(codes.some((r) => r[4] === '9')).toBe(true);
    expect(procedures.slice(1).some((r) => r[5] === '10')).toBe(true);
    const admissionsPerCode = new Map<string, Set<string>>();
    for (const r of codes.filter((r) => r[4] === '10')) admissionsPerCode.set(r[3]!, (admissionsPerCode.get(r[3]!) ?? new Set()).add(r[1]!));
    const counts = [...admissionsPerCode.values()].map((s) => s.size).sort((a, b) => b - a);
    // Long tail: the most common code is on many times more admissions than the rarest.
    expect(counts[0]!).toBeGreaterThan(100);
    expect(counts[counts.length - 1]!).toBeLessThan(counts[0]! / 5);
    expect(files.eligible).toBe(300);
    const notes = rows(files.notes);
    expect(notes[0]).toEqual(['note_id', 'subject_id', 'hadm_id', 'note_type', 'note_seq', 'charttime', 'storetime', 'text']);
    // The same seed gives the same bytes; another seed other data.
    const again = writeSyntheticHosp({ outDir: path.join(dir, 'again'), admissions: 300, seed: 7 });
    expect(fs.readFileSync(again.notes).equals(fs.readFileSync(files.notes))).toBe(true);
    const other = writeSyntheticHosp({ outDir: path.join(dir, 'other'), admissions: 300, seed: 8 });
    expect(fs.readFileSync(other.diagnoses).equals(fs.readFileSync(files.diagnoses))).toBe(false);
  });
});
