import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { runBuild, type BuildRequest } from '../../../src/core/build/build';
import { hopDistance } from '../../../src/core/build/icd-hierarchy';
import { buildSummary, datasetProvenance, triageOutcome } from '../../../src/core/build/provenance';
import { writeSyntheticHosp, type SyntheticHospFiles } from '../../../src/core/build/synthetic';
import { listPairs } from '../../../src/core/data/pairs';
import { deleteRun } from '../../../src/core/engine/run-lifecycle';
import { openStore } from '../../../src/core/store/database';
import { tempDir } from '../../helpers/mimic-files';
import { startStandin } from '../../helpers/openai-standin';

let files: SyntheticHospFiles;
let dir: string;

beforeAll(() => {
  dir = tempDir('medbench-build-');
  files = writeSyntheticHosp({ outDir: dir, admissions: 200, seed: 3, plain: true });
});

function request(name: string, overrides: Partial<BuildRequest> = {}): BuildRequest {
  return {
    name,
    admissions: 25,
    seed: 5,
    triage: 'baseline',
    rejudge: 'baseline',
    negativesPrevalence: 2,
    negativesSimilar: 2,
    inputs: { kind: 'mimic', diagnoses: files.diagnoses, procedures: files.procedures, icdDiagnoses: files.icdDiagnoses, icdProcedures: files.icdProcedures, notes: files.notes },
    ...overrides,
  };
}

function readCsv(file: string): string[][] {
  const text = zlib.gunzipSync(fs.readFileSync(file)).toString('utf8');
  return text.trim().split('\n').map((line) => line.split(','));
}

describe('medbench build (core)', () => {
  it('samples admissions, keeps every assigned ICD-10 code, adds negatives that are never assigned, and triages through the engine', async () => {
    const db = openStore(':memory:');
    const result = await runBuild(db, request('b'));
    expect(result).toMatchObject({ status: 'finished', stage: 'finished', resumed: false });
    const summary = buildSummary(db, 'b');
    expect(summary.admissions).toBe(25);
    expect(summary.negatives).toEqual({ prevalence: 50, similar: 50 });
    expect(summary.pairs).toBe(summary.candidates + 100);
    expect(summary.manifest).toMatchObject({ seed: 5, admissionsSampled: 25, models: { triage: 'baseline', rejudge: 'baseline', embed: null }, similarity: 'tfidf-cosine' });
    expect((summary.manifest.inputs as { sha256: string }[]).every((f) => /^[0-9a-f]{64}$/.test(f.sha256))).toBe(true);
    expect(summary.manifest.icd9RowsSkipped).toBeGreaterThan(0);

    // The candidates are exactly the ICD-10 codes the hosp tables assign to the sampled admissions.
    const assignedRows = [...readCsv(files.diagnoses).slice(1), ...readCsv(files.procedures).slice(1).map((r) => [r[0], r[1], r[2], r[4], r[5]])];
    const pairs = listPairs(db, 1);
    const sampled = new Set(pairs.map((p) => p.taskId.split('_')[1]));
    const expected = assignedRows.filter((r) => sampled.has(r[1]!) && r[4] === '10').map((r) => `${r[0]}_${r[1]} ${r[3]}`).sort();
    const candidates = pairs.filter((p) => p.provenance?.kind === 'assigned');
    expect(candidates.map((p) => `${p.taskId} ${p.code.replace('.', '')}`).sort()).toEqual(expected);
    expect(candidates.every((p) => p.gold && p.provenance!.hops === 0)).toBe(true);

    for (const taskId of new Set(pairs.map((p) => p.taskId))) {
      const own = pairs.filter((p) => p.taskId === taskId);
      const assigned = own.filter((p) => p.provenance!.kind === 'assigned').map((p) => p.code);
      for (const negative of own.filter((p) => p.provenance!.kind !== 'assigned')) {
        expect(negative.gold).toBe(false);
        expect(assigned).not.toContain(negative.code);
        // hops is the distance to the nearest assigned code.
        expect(negative.provenance!.hops).toBe(Math.min(...assigned.map((code) => hopDistance(code, negative.code))));
        expect(negative.provenance!.similarity).not.toBeNull();
      }
      expect(new Set(own.map((p) => p.code)).size).toBe(own.length);
    }
    // Every assigned pair was triaged (the baseline gives one vote), and its outcome follows its votes.
    for (const pair of candidates) {
      const { votes, triage } = pair.provenance!;
      expect(votes.triage).not.toBeNull();
      if (votes.triage![0] === 'Unrelated') {
        expect(votes.rejudge).toEqual(['Unrelated']);
        expect(triage).toBe('putative-positive');
      } else {
        expect(votes.rejudge).toBeNull();
        expect(triage).toBe('explicit');
      }
    }
    expect(summary.triage['putative-positive'] + summary.triage.explicit).toBe(summary.candidates);
    expect(summary.triage['putative-positive']).toBeGreaterThan(0);
    expect(summary.triage.explicit).toBeGreaterThan(0);
    // The votes are the build's provenance: its runs are not deleted on their own.
    expect(() => deleteRun(db, 'b-triage')).toThrow(/holds the triage votes of build "b"/);
    db.close();
  });

  it('is reproducible: the same inputs and seed give the same set; another seed another one', async () => {
    const keys = async (seed: number) => {
      const db = openStore(':memory:');
      await runBuild(db, request('r', { seed, rejudge: undefined }));
      const out = listPairs(db, 1).map((p) => `${p.taskId} ${p.code} ${p.provenance!.kind} ${p.provenance!.hops} ${p.provenance!.similarity}`);
      db.close();
      return out;
    };
    const first = await keys(11);
    expect(await keys(11)).toEqual(first);
    expect(await keys(12)).not.toEqual(first);
  });

  it('resumes a stopped triage where it stopped, without triaging a pair twice', async () => {
    const file = path.join(tempDir(), 'resume.db');
    const db = openStore(file);
    const controller = new AbortController();
    let seen = 0;
    const stopped = await runBuild(db, request('s'), {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.stage === 'triage' && p.progress.done >= 10 && seen++ === 0) controller.abort();
      },
    });
    expect(stopped).toMatchObject({ status: 'stopped', stage: 'triage' });
    const done = (db.prepare("SELECT count(*) AS n FROM predictions p JOIN runs r ON r.id = p.run_id WHERE r.name = 's-triage'").get() as { n: number }).n;
    expect(done).toBeGreaterThanOrEqual(10);
    db.close();

    const again = openStore(file);
    // Other settings are refused rather than mixed into the same build.
    await expect(runBuild(again, request('s', { seed: 99 }))).rejects.toThrow(/other settings \(seed\)/);
    const resumed = await runBuild(again, request('s'));
    expect(resumed).toMatchObject({ status: 'finished', stage: 'finished', resumed: true });
    const counts = again.prepare("SELECT count(*) AS n, count(DISTINCT pair_id) AS d FROM predictions p JOIN runs r ON r.id = p.run_id WHERE r.name = 's-triage'").get() as { n: number; d: number };
    expect(counts.n).toBe(counts.d);
    expect(counts.n).toBe(buildSummary(again, 's').candidates);
    again.close();
  });

  it('reads the plain-CSV form of the same data to the same candidates', async () => {
    const db = openStore(':memory:');
    await runBuild(db, request('p', { rejudge: undefined, inputs: { kind: 'plain', codes: files.plainCodes!, notes: files.plainNotes!, codeTable: files.plainCodeTable! } }));
    const plain = listPairs(db, 1);
    const db2 = openStore(':memory:');
    await runBuild(db2, request('p', { rejudge: undefined }));
    const mimic = listPairs(db2, 1);
    const key = (p: { taskId: string; code: string; provenance?: { kind: string } }) => `${p.taskId.split('_')[1]} ${p.code} ${p.provenance!.kind}`;
    expect(plain.filter((p) => p.provenance!.kind === 'assigned').map(key).sort()).toEqual(mimic.filter((p) => p.provenance!.kind === 'assigned').map(key).sort());
    // Without a second model, a first-model Unrelated stays unconfirmed.
    expect(new Set(plain.map((p) => p.provenance!.triage))).toContain('unconfirmed-unrelated');
    db.close();
    db2.close();
  });

  it('triages through a server backend with three stored votes per candidate', async () => {
    const server = await startStandin({ flavor: 'vllm' });
    try {
      const db = openStore(':memory:');
      const result = await runBuild(db, request('served', { admissions: 3, triage: 'standin-model', rejudge: 'standin-model', backend: 'openai', backendOptions: { baseUrl: server.url } }));
      expect(result.status).toBe('finished');
      const candidates = listPairs(db, 1).filter((p) => p.provenance!.kind === 'assigned');
      for (const pair of candidates) {
        const { votes, triage } = pair.provenance!;
        expect(votes.triage).toHaveLength(3);
        expect(triage).toBe(triageOutcome(votes.triage, votes.rejudge, true));
      }
      // The server was asked for the 3-way labels.
      const chat = server.requests.find((r) => r.method === 'POST')!.body!;
      expect(JSON.stringify(chat)).toContain('Implicit');
      expect(db.prepare("SELECT backend FROM runs WHERE name = 'served-triage'").get()).toEqual({ backend: 'openai' });
      db.close();
    } finally {
      await server.close();
    }
  });

  it('names the file, row and column of bad input and writes nothing', async () => {
    const bad = path.join(dir, 'bad-diagnoses.csv');
    fs.writeFileSync(bad, 'subject_id,hadm_id,seq_num,icd_code,icd_version\n1,2,1,I10,10\n1,2,2,I10,eleven\n');
    const db = openStore(':memory:');
    await expect(runBuild(db, request('x', { inputs: { kind: 'mimic', diagnoses: bad, procedures: files.procedures, icdDiagnoses: files.icdDiagnoses, icdProcedures: files.icdProcedures, notes: files.notes } }))).rejects.toThrow(
      /bad-diagnoses\.csv: row 2 \(line 3\), column icd_version: "eleven" is neither 9 nor 10/,
    );
    fs.writeFileSync(bad, 'subject_id,hadm_id,seq_num,icd_code,icd_version\n1,2,1,0FT44ZZ,10\n');
    await expect(runBuild(db, request('x', { inputs: { kind: 'mimic', diagnoses: bad, procedures: files.procedures, icdDiagnoses: files.icdDiagnoses, icdProcedures: files.icdProcedures, notes: files.notes } }))).rejects.toThrow(
      /row 1 \(line 2\), column icd_code: "0FT44ZZ" is not an ICD-10-CM code \(it has the shape of ICD-10-PCS\)/,
    );
    expect(db.prepare('SELECT (SELECT count(*) FROM datasets) + (SELECT count(*) FROM builds) + (SELECT count(*) FROM pairs) AS n').get()).toEqual({ n: 0 });
    expect(datasetProvenance(db, 1).size).toBe(0);
    db.close();
  });
});
