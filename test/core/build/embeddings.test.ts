import { describe, expect, it } from 'vitest';
import { runBuild } from '../../../src/core/build/build';
import { buildSummary } from '../../../src/core/build/provenance';
import { writeSyntheticHosp } from '../../../src/core/build/synthetic';
import { listPairs } from '../../../src/core/data/pairs';
import { openStore } from '../../../src/core/store/database';
import { tempDir } from '../../helpers/mimic-files';
import { ensureTinyModel } from '../../helpers/tiny-gguf';

// The tiny generated GGUF has random weights: its vectors mean nothing, but they are real
// node-llama-cpp embeddings, which is what the --embed path must handle.
describe('--embed: similar negatives by GGUF embeddings', () => {
  it('embeds the descriptions and ranks the similar negatives by their cosine', async () => {
    const model = await ensureTinyModel();
    const files = writeSyntheticHosp({ outDir: tempDir(), admissions: 40, seed: 2 });
    const db = openStore(':memory:');
    await runBuild(db, {
      name: 'embedded',
      admissions: 3,
      seed: 1,
      triage: 'baseline',
      negativesPrevalence: 0,
      negativesSimilar: 2,
      embed: model,
      inputs: { kind: 'mimic', diagnoses: files.diagnoses, procedures: files.procedures, icdDiagnoses: files.icdDiagnoses, icdProcedures: files.icdProcedures, notes: files.notes },
    });
    const summary = buildSummary(db, 'embedded');
    expect(summary.manifest).toMatchObject({ similarity: 'embedding-cosine', models: { embed: model } });
    expect(summary.negatives.similar).toBe(6);
    const similar = listPairs(db, 1).filter((p) => p.provenance!.kind === 'similar');
    expect(similar.every((p) => p.provenance!.similarity !== null && p.provenance!.similarity! <= 1 + 1e-9)).toBe(true);
    db.close();
  }, 60_000);
});
