import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, it, expect } from 'vitest';
import { buildDemo, DEMO_DIR, DEMO_SOURCE_DIR, layoutNoteText, locateQuote, type DemoPairSource } from '../../scripts/build-demo';
import { readCsvText } from '../helpers/csv-reader';

function toRecords(rows: string[][]): Array<Record<string, string>> {
  const [header, ...body] = rows;
  return body.map((cells) => {
    expect(cells).toHaveLength(header.length);
    return Object.fromEntries(header.map((name, index) => [name, cells[index]]));
  });
}

function parseSpans(literal: string): Array<[number, number]> {
  expect(literal).toMatch(/^\[(\(\d+, \d+\)(, \(\d+, \d+\))*)?\]$/);
  return [...literal.matchAll(/\((\d+), (\d+)\)/g)].map((m) => [Number(m[1]), Number(m[2])]);
}

const squash = (text: string) => text.replace(/\s+/g, ' ').trim();

const datasetText = fs.readFileSync(path.join(DEMO_DIR, 'dataset_raw.csv'), 'utf8');
const dischargeGz = fs.readFileSync(path.join(DEMO_DIR, 'discharge.csv.gz'));
const dischargeText = zlib.gunzipSync(dischargeGz).toString('utf8');
const datasetRows = readCsvText(datasetText);
const dischargeRows = readCsvText(dischargeText);
const pairs = toRecords(datasetRows);
const notes = toRecords(dischargeRows);
const pairSources = JSON.parse(fs.readFileSync(path.join(DEMO_SOURCE_DIR, 'pairs.json'), 'utf8')) as DemoPairSource[];

/** The note an importer would pick for a task: the admission's discharge note with the highest note_seq. */
function noteForTask(taskId: string): Record<string, string> {
  const [subjectId, hadmId] = taskId.split('_');
  const candidates = notes.filter((note) => note.subject_id === subjectId && note.hadm_id === hadmId);
  expect(candidates.length).toBeGreaterThan(0);
  return candidates.reduce((best, note) => (Number(note.note_seq) > Number(best.note_seq) ? note : best));
}

describe('demo set files', () => {
  it('are in sync with resources/demo/source', () => {
    const built = buildDemo();
    expect(datasetText).toBe(built.datasetCsv);
    expect(dischargeText).toBe(built.dischargeCsv);
  });

  it('is a gzip with mtime 0 so rebuilding gives identical bytes', () => {
    expect(dischargeGz.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(dischargeGz.readUInt32LE(4)).toBe(0);
  });

  it('uses the release headers, LF line ends and Python-literal spans', () => {
    expect(datasetRows[0]).toEqual(['task_id', 'code', 'desc', 'gold', 'reasoning_summary', 'evidence_spans']);
    expect(dischargeRows[0]).toEqual(['note_id', 'subject_id', 'hadm_id', 'note_type', 'note_seq', 'charttime', 'storetime', 'text']);
    expect(datasetText.includes('\r')).toBe(false);
    expect(dischargeText.includes('\r')).toBe(false);
    for (const pair of pairs) {
      expect(pair.task_id).toMatch(/^\d+_\d+$/);
      expect(['True', 'False']).toContain(pair.gold);
      expect(pair.reasoning_summary.length).toBeGreaterThan(10);
      parseSpans(pair.evidence_spans);
    }
    for (const note of notes) {
      expect(note.note_id).toBe(`${note.subject_id}-DS-${note.note_seq}`);
      expect(note.note_type).toBe('DS');
      expect(note.charttime).toMatch(/^\d{4}-\d{2}-\d{2} 00:00:00$/);
      expect(note.storetime).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    }
  });

  it('has enough notes and pairs, both labels and both code systems', () => {
    expect(notes.length).toBeGreaterThanOrEqual(12);
    expect(pairs.length).toBeGreaterThanOrEqual(40);
    expect(pairs.some((pair) => pair.gold === 'True')).toBe(true);
    expect(pairs.some((pair) => pair.gold === 'False')).toBe(true);
    const isPcs = (code: string) => /^[0-9A-HJ-NP-Z]{7}$/.test(code);
    const isCm = (code: string) => /^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$/.test(code);
    for (const pair of pairs) expect(isPcs(pair.code) || isCm(pair.code)).toBe(true);
    expect(pairs.some((pair) => isPcs(pair.code))).toBe(true);
    expect(pairs.some((pair) => isCm(pair.code))).toBe(true);
  });

  it('looks like MIMIC discharge text', () => {
    for (const note of notes) {
      expect(note.text.length).toBeGreaterThanOrEqual(3900);
      expect(note.text.length).toBeLessThanOrEqual(10_000);
      expect(note.text).toContain('___');
      expect(note.text).toContain(' \n \n');
      expect(note.text).toContain('Discharge Diagnosis:');
      // Wrapped at 70-80 columns; the kept breaking space can add one more.
      expect(note.text.split('\n').every((line) => line.length <= 81)).toBe(true);
    }
    expect(notes.some((note) => note.text.includes('"'))).toBe(true);
    expect(notes.some((note) => /[^\t\n\x20-\x7e]/.test(note.text))).toBe(true);
  });

  it('has spans in range whose text equals the quoted evidence', () => {
    expect(pairs).toHaveLength(pairSources.length);
    pairs.forEach((pair, index) => {
      const source = pairSources[index];
      expect(pair.code).toBe(source.code);
      const codePoints = Array.from(noteForTask(pair.task_id).text);
      const spans = parseSpans(pair.evidence_spans);
      expect(spans).toHaveLength(source.evidence.length);
      spans.forEach(([start, end], spanIndex) => {
        expect(start).toBeGreaterThanOrEqual(0);
        expect(end).toBeGreaterThan(start);
        expect(end).toBeLessThanOrEqual(codePoints.length);
        const item = source.evidence[spanIndex];
        const quote = typeof item === 'string' ? item : item.quote;
        expect(squash(codePoints.slice(start, end).join(''))).toBe(squash(quote));
      });
      if (pair.gold === 'True') expect(spans.length).toBeGreaterThan(0);
      else expect(spans).toEqual([]);
    });
  });

  it('covers the cases an importer must get right', () => {
    const referencedTasks = new Set(pairs.map((pair) => pair.task_id));
    const unreferenced = notes.filter((note) => !referencedTasks.has(`${note.subject_id}_${note.hadm_id}`));
    expect(unreferenced.length).toBeGreaterThanOrEqual(1);

    const byHadm = new Map<string, Array<Record<string, string>>>();
    for (const note of notes) byHadm.set(note.hadm_id, [...(byHadm.get(note.hadm_id) ?? []), note]);
    const shared = [...byHadm.values()].find((group) => group.length === 2);
    expect(shared?.map((note) => note.note_seq).sort()).toEqual(['20', '21']);
    expect(referencedTasks.has(`${shared![0].subject_id}_${shared![0].hadm_id}`)).toBe(true);
    expect(shared![0].text).not.toBe(shared![1].text);

    // Offsets count code points: a UTF-16 or byte index would land elsewhere after the non-ASCII character.
    const spansAfterNonAscii = pairs.some((pair) => {
      const text = noteForTask(pair.task_id).text;
      return parseSpans(pair.evidence_spans).some(([start]) => /[^\t\n\x20-\x7e]/.test(Array.from(text).slice(0, start).join('')));
    });
    expect(spansAfterNonAscii).toBe(true);

    const crossesWrap = pairs.some((pair) => {
      const codePoints = Array.from(noteForTask(pair.task_id).text);
      return parseSpans(pair.evidence_spans).some(([start, end]) => codePoints.slice(start, end).join('').includes(' \n'));
    });
    expect(crossesWrap).toBe(true);
    expect(pairs.some((pair) => parseSpans(pair.evidence_spans).length >= 3)).toBe(true);
  });
});

describe('build-demo helpers', () => {
  it('wraps long lines with a trailing space and turns blank lines into a single space', () => {
    const text = layoutNoteText('Title:\n\nalpha beta gamma delta epsilon zeta\n\n1. Aspirin 81 mg\nshort line', 20);
    expect(text).toBe(' \nTitle:\n \nalpha beta gamma \ndelta epsilon zeta \n \n1. Aspirin 81 mg \nshort line\n');
  });

  it('finds quotes across wrapped lines and reports code point offsets', () => {
    const text = ' \nTmax 101.3°F \nwith rigors\n';
    expect(locateQuote(text, 'with rigors')).toEqual({ start: 16, end: 27 });
    expect(locateQuote(text, '101.3°F with')).toEqual({ start: 7, end: 20 });
    const astral = 'a\u{1F600}b target';
    expect(locateQuote(astral, 'target')).toEqual({ start: 4, end: 10 });
  });

  it('rejects missing and ambiguous quotes unless an occurrence is given', () => {
    const text = 'BMI 37 today, BMI 37 last year';
    expect(() => locateQuote(text, 'BMI 40')).toThrow(/not found/);
    expect(() => locateQuote(text, 'BMI 37')).toThrow(/ambiguous/);
    expect(locateQuote(text, 'BMI 37', 2)).toEqual({ start: 14, end: 20 });
    expect(() => locateQuote(text, 'BMI 37', 3)).toThrow(/occurrence/);
  });
});
