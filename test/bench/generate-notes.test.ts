import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng, generateMimicLike, type GenerateResult } from '../../bench/generate-notes';
import { readCsvText } from '../helpers/csv-reader';

const TEXT_BYTES = 2_000_000;
let workDir: string;
let first: GenerateResult;
let second: GenerateResult;
let notesRows: string[][];
let pairRows: string[][];

beforeAll(async () => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'medbench-gen-'));
  first = await generateMimicLike({ outDir: path.join(workDir, 'a'), textBytes: TEXT_BYTES, seed: 7, annotatedNotes: 25 });
  second = await generateMimicLike({ outDir: path.join(workDir, 'b'), textBytes: TEXT_BYTES, seed: 7, annotatedNotes: 25 });
  notesRows = readCsvText(zlib.gunzipSync(fs.readFileSync(first.notesPath)).toString('utf8'));
  pairRows = readCsvText(fs.readFileSync(first.annotationsPath, 'utf8'));
});

afterAll(() => {
  fs.rmSync(workDir, { recursive: true, force: true });
});

describe('generateMimicLike', () => {
  it('writes a gzip CSV with the MIMIC-IV-Note header and the reported note count', () => {
    expect(notesRows[0]).toEqual(['note_id', 'subject_id', 'hadm_id', 'note_type', 'note_seq', 'charttime', 'storetime', 'text']);
    const notes = notesRows.slice(1);
    expect(notes).toHaveLength(first.notes);
    for (const [noteId, subjectId, hadmId, noteType, noteSeq, charttime, storetime] of notes) {
      expect(noteId).toBe(`${subjectId}-DS-${noteSeq}`);
      expect(hadmId).toMatch(/^\d{8}$/);
      expect(noteType).toBe('DS');
      expect(charttime).toMatch(/^\d{4}-\d{2}-\d{2} 00:00:00$/);
      expect(storetime).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:00$/);
    }
    expect(new Set(notes.map((row) => row[0])).size).toBe(notes.length);
    expect(new Set(notes.map((row) => row[2])).size).toBe(notes.length);
  });

  it('produces about the requested amount of MIMIC-like text', () => {
    const texts = notesRows.slice(1).map((row) => row[7]);
    const bytes = texts.reduce((sum, text) => sum + Buffer.byteLength(text), 0);
    expect(bytes).toBe(first.textBytes);
    expect(bytes).toBeGreaterThan(TEXT_BYTES * 0.9);
    expect(bytes).toBeLessThan(TEXT_BYTES * 1.2);
    const lengths = texts.map((text) => text.length);
    const mean = lengths.reduce((a, b) => a + b, 0) / lengths.length;
    expect(mean).toBeGreaterThan(7_000);
    expect(mean).toBeLessThan(13_000);
    expect(Math.max(...lengths)).toBeGreaterThan(20_000);
    expect(Math.max(...lengths)).toBeLessThanOrEqual(62_000);
    for (const text of texts) {
      expect(text).toContain('___');
      expect(text).toContain(' \n \n');
      expect(text).toContain('Brief Hospital Course:');
      expect(text).toContain('Discharge Diagnosis:');
    }
    expect(texts.some((text) => text.includes('"'))).toBe(true);
    expect(texts.some((text) => /[^\t\n\x20-\x7e]/.test(text))).toBe(true);
  });

  it('annotates the requested notes with valid spans spread through the file', () => {
    expect(pairRows[0]).toEqual(['task_id', 'code', 'desc', 'gold', 'reasoning_summary', 'evidence_spans']);
    const pairs = pairRows.slice(1);
    expect(pairs).toHaveLength(first.pairs);
    const notes = notesRows.slice(1);
    const positionByTask = new Map(notes.map((row, index) => [`${row[1]}_${row[2]}`, index]));
    const tasks = new Set(pairs.map((row) => row[0]));
    expect(tasks.size).toBe(25);
    expect(pairs.length / tasks.size).toBeGreaterThan(1.4);
    expect(pairs.length / tasks.size).toBeLessThan(2.6);
    const positions = [...tasks].map((task) => positionByTask.get(task)!);
    expect(Math.min(...positions)).toBeLessThan(notes.length * 0.1);
    expect(Math.max(...positions)).toBeGreaterThan(notes.length * 0.9);

    for (const [taskId, code, desc, gold, reasoning, spansLiteral] of pairs) {
      expect(code.length).toBeGreaterThan(2);
      expect(desc.length).toBeGreaterThan(3);
      expect(reasoning.length).toBeGreaterThan(10);
      expect(['True', 'False']).toContain(gold);
      expect(spansLiteral).toMatch(/^\[(\(\d+, \d+\)(, \(\d+, \d+\))*)?\]$/);
      const spans = [...spansLiteral.matchAll(/\((\d+), (\d+)\)/g)].map((m) => [Number(m[1]), Number(m[2])]);
      if (gold === 'False') {
        expect(spans).toEqual([]);
        continue;
      }
      expect(spans.length).toBeGreaterThan(0);
      const codePoints = Array.from(notes[positionByTask.get(taskId)!][7]);
      const [[sentenceStart, sentenceEnd], [diagnosisStart, diagnosisEnd]] = spans;
      // Evidence is the problem's hospital-course sentence (ending in a period) and its discharge diagnosis line.
      expect(codePoints.slice(sentenceStart, sentenceEnd).join('')).toMatch(/^[A-Z].*\.$/s);
      expect(codePoints[diagnosisStart - 1]).toBe('\n');
      expect(codePoints[diagnosisEnd]).toBe('\n');
      for (const [start, end] of spans) {
        expect(start).toBeGreaterThanOrEqual(0);
        expect(end).toBeGreaterThan(start);
        expect(end).toBeLessThanOrEqual(codePoints.length);
        const evidence = codePoints.slice(start, end).join('');
        expect(evidence.trim()).toBe(evidence);
      }
    }
    expect(pairs.some((row) => row[3] === 'True')).toBe(true);
    expect(pairs.some((row) => row[3] === 'False')).toBe(true);
  });

  it('is deterministic for a seed and varies across seeds', async () => {
    expect(second).toEqual({ ...first, notesPath: second.notesPath, annotationsPath: second.annotationsPath });
    expect(fs.readFileSync(second.notesPath).equals(fs.readFileSync(first.notesPath))).toBe(true);
    expect(fs.readFileSync(second.annotationsPath).equals(fs.readFileSync(first.annotationsPath))).toBe(true);
    const other = await generateMimicLike({ outDir: path.join(workDir, 'c'), textBytes: 200_000, seed: 8, annotatedNotes: 5 });
    const same = await generateMimicLike({ outDir: path.join(workDir, 'd'), textBytes: 200_000, seed: 7, annotatedNotes: 5 });
    expect(fs.readFileSync(other.notesPath).equals(fs.readFileSync(same.notesPath))).toBe(false);
  });

  it('clamps annotations to the number of notes', async () => {
    const tiny = await generateMimicLike({ outDir: path.join(workDir, 'e'), textBytes: 30_000, seed: 3 });
    const tasks = new Set(readCsvText(fs.readFileSync(tiny.annotationsPath, 'utf8')).slice(1).map((row) => row[0]));
    expect(tasks.size).toBe(tiny.notes);
  });
});

describe('createRng', () => {
  it('repeats for a seed and stays in [0, 1)', () => {
    const a = createRng(42);
    const b = createRng(42);
    const values = Array.from({ length: 1000 }, () => a());
    expect(values).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
    expect(new Set(values).size).toBeGreaterThan(990);
    expect(createRng(43)()).not.toBe(createRng(42)());
  });
});
