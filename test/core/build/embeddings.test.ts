import { describe, expect, it } from 'vitest';
import { runBuild } from '../../../src/core/build/build';
import { buildSummary } from '../../../src/core/build/provenance';
import { listPairs } from '../../../src/core/data/pairs';
import { openStore } from '../../../src/core/store/database';
import { tempDir, writeFile } from '../../helpers/mimic-files';
import { ensureTinyModel } from '../../helpers/tiny-gguf';

// The tiny generated GGUF has random weights: its vectors mean nothing, but they are real
// node-llama-cpp embeddings, which is what the --embed path must handle. A small code table keeps
// the number of descriptions to embed (and the test's time) low.
describe('--embed: similar negatives by GGUF embeddings', () => {
  it('embeds the descriptions and ranks the similar negatives by their cosine', async () => {
    const model = await ensureTinyModel();
    const dir = tempDir();
    const codes = writeFile(dir, 'codes.csv', 'admission_id,code,system\nA1,N17.9,CM\nA1,I10,CM\nA2,E87.1,CM\n');
    const table = writeFile(
      dir,
      'table.csv',
      'code,system,description\nN17.9,CM,"Acute kidney failure, unspecified"\nI10,CM,Essential (primary) hypertension\nE87.1,CM,Hypo-osmolality and hyponatremia\n' +
        'N18.4,CM,"Chronic kidney disease, stage 4 (severe)"\nE87.6,CM,Hypokalemia\nI50.23,CM,Acute on chronic systolic (congestive) heart failure\n',
    );
    const notes = writeFile(dir, 'notes.csv', 'note_id,admission_id,text\nn1,A1,"Creatinine rose. Blood pressure high."\nn2,A2,"Sodium 125."\n');
    const db = openStore(':memory:');
    await runBuild(db, { name: 'embedded', admissions: 2, seed: 1, triage: 'baseline', negativesPrevalence: 0, negativesSimilar: 2, embed: model, inputs: { kind: 'plain', codes, notes, codeTable: table } });
    const summary = buildSummary(db, 'embedded');
    expect(summary.manifest).toMatchObject({ similarity: 'embedding-cosine', models: { embed: model } });
    expect(summary.negatives.similar).toBe(4);
    const similar = listPairs(db, 1).filter((p) => p.provenance!.kind === 'similar');
    for (const pair of similar) {
      expect(['N17.9', 'I10', 'E87.1']).not.toContain(pair.code);
      expect(pair.provenance!.similarity).not.toBeNull();
      expect(Math.abs(pair.provenance!.similarity!)).toBeLessThanOrEqual(1 + 1e-9);
    }
    db.close();
  }, 60_000);
});
