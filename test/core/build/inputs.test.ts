import { describe, expect, it } from 'vitest';
import { admissionsWithNotes, readCodeTables, readNotes } from '../../../src/core/build/inputs';
import { notesCsv, tempDir, writeFile } from '../../helpers/mimic-files';

describe('build inputs', () => {
  it('reads MIMIC hosp tables, skipping and counting ICD-9 rows, codes without dots', async () => {
    const dir = tempDir();
    const diagnoses = writeFile(dir, 'diagnoses_icd.csv.gz', 'subject_id,hadm_id,seq_num,icd_code,icd_version\n1,10,1,I5023,10\n1,10,2,4280,9\n1,10,3,I5023,10\n2,20,1,25000,9\n', true);
    const procedures = writeFile(dir, 'procedures_icd.csv', 'subject_id,hadm_id,seq_num,chartdate,icd_code,icd_version\n1,10,1,2180-01-01,30233N1,10\n');
    const icdDiagnoses = writeFile(dir, 'd_icd_diagnoses.csv', 'icd_code,icd_version,long_title\n4280,9,"Congestive heart failure, unspecified"\nI5023,10,Acute on chronic systolic (congestive) heart failure\n');
    const icdProcedures = writeFile(dir, 'd_icd_procedures.csv', 'icd_code,icd_version,long_title\n30233N1,10,"Transfusion of Nonautologous Red Blood Cells into Peripheral Vein, Percutaneous Approach"\n');
    const notes = writeFile(dir, 'discharge.csv.gz', notesCsv([{ subjectId: '1', hadmId: '10', text: 'Heart failure.' }, { subjectId: '2', hadmId: '20', text: 'Diabetes.' }]), true);
    const inputs = { kind: 'mimic' as const, diagnoses, procedures, icdDiagnoses, icdProcedures, notes };
    const tables = await readCodeTables(inputs);
    expect(tables.icd9Skipped).toBe(2);
    // Admission 20 has ICD-9 codes only: it is not an ICD-10 admission.
    expect([...tables.admissions.keys()]).toEqual(['10']);
    expect(tables.admissions.get('10')!.codes).toEqual([
      { code: 'I5023', system: 'CM', seqNum: 1 },
      { code: '30233N1', system: 'PCS', seqNum: 1 },
    ]);
    expect(tables.files.map((f) => f.role)).toEqual(['diagnoses', 'procedures', 'icd-diagnoses', 'icd-procedures']);
    expect((await admissionsWithNotes(inputs)).admissions).toEqual(new Set(['10', '20']));
    expect((await readNotes(inputs, new Set(['10']), new Map([['10', '1']]))).get('10')!.text).toBe('Heart failure.');
    await expect(readNotes(inputs, new Set(['10']), new Map([['10', '7']]))).rejects.toThrow(/belongs to subject_id 1, but the hosp tables give subject_id 7/);
  });

  it('reads plain CSVs with descriptions from the codes file or a code table, and names bad cells', async () => {
    const dir = tempDir();
    const codes = writeFile(dir, 'codes.csv', 'admission_id,code,system,description\nA1,I50.23,CM,\nA1,30233N1,pcs,Red cells\n');
    const table = writeFile(dir, 'table.csv', 'code,system,description\nI50.23,CM,Acute on chronic systolic heart failure\n');
    const notes = writeFile(dir, 'notes.csv', 'note_id,admission_id,text\nn1,A1,Heart failure.\n');
    const tables = await readCodeTables({ kind: 'plain', codes, notes, codeTable: table });
    expect([...tables.descriptions]).toEqual([
      ['CM:I5023', 'Acute on chronic systolic heart failure'],
      ['PCS:30233N1', 'Red cells'],
    ]);
    await expect(readCodeTables({ kind: 'plain', codes, notes })).rejects.toThrow(/codes\.csv: admission A1: code I5023 \(ICD-10-CM\) has no description in the code table/);
    const bad = writeFile(dir, 'bad.csv', 'admission_id,code,system\nA1,I50.23,CM\nA1,I50.23,ICD\n');
    await expect(readCodeTables({ kind: 'plain', codes: bad, notes })).rejects.toThrow(/bad\.csv: row 2 \(line 3\), column system: "ICD" is neither CM nor PCS/);
    const missing = writeFile(dir, 'missing.csv', 'admission_id,code\nA1,I50.23\n');
    await expect(readCodeTables({ kind: 'plain', codes: missing, notes })).rejects.toThrow(/missing\.csv: missing required column system/);
    const notesRead = await readNotes({ kind: 'plain', codes, notes }, new Set(['A1']), new Map([['A1', null]]));
    // Without a subject_id the admission id stands in, so task ids read "A1_A1".
    expect(notesRead.get('A1')).toMatchObject({ subjectId: 'A1', hadmId: 'A1', noteId: 'n1' });
  });
});
