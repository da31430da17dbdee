/**
 * Builds the bundled synthetic demo set (resources/demo/dataset_raw.csv and
 * resources/demo/discharge.csv.gz) from the readable sources in resources/demo/source/.
 *
 *   npx tsx scripts/build-demo.ts            # rewrite the committed files
 *   npx tsx scripts/build-demo.ts --check    # exit 1 if the committed files are stale
 *
 * Sources: notes.json (row metadata), notes/<note_id>.txt (unwrapped note text), pairs.json
 * (annotations whose evidence is given as quoted text). Notes are laid out the way MIMIC-IV-Note
 * text looks (hard wrap with " \n", blank lines " \n") and evidence offsets are computed against
 * that laid-out text, so nobody has to count characters by hand.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface DemoNoteMeta {
  note_id: string;
  subject_id: number;
  hadm_id: number;
  note_seq: number;
  charttime: string;
  storetime: string;
  /** Column at which prose is hard-wrapped; varies per note like real summaries do. */
  wrapWidth: number;
}

export interface EvidenceQuote {
  quote: string;
  /** 1-based; required when the quote occurs more than once in the note. */
  occurrence?: number;
}

export interface DemoPairSource {
  note_id: string;
  code: string;
  desc: string;
  gold: boolean;
  reasoning_summary: string;
  evidence: Array<string | EvidenceQuote>;
}

export interface BuiltNote extends DemoNoteMeta {
  text: string;
}

export interface BuiltPair {
  task_id: string;
  note_id: string;
  code: string;
  desc: string;
  gold: boolean;
  reasoning_summary: string;
  /** Code point offsets into the note text, in the order the evidence was listed. */
  spans: Array<[number, number]>;
  quotes: string[];
}

export interface BuiltDemo {
  notes: BuiltNote[];
  pairs: BuiltPair[];
  datasetCsv: string;
  dischargeCsv: string;
}

export const DISCHARGE_HEADER = ['note_id', 'subject_id', 'hadm_id', 'note_type', 'note_seq', 'charttime', 'storetime', 'text'];
export const DATASET_HEADER = ['task_id', 'code', 'desc', 'gold', 'reasoning_summary', 'evidence_spans'];

const scriptDir = path.dirname(fileURLToPath(import.meta.url));
export const DEMO_DIR = path.resolve(scriptDir, '..', 'resources', 'demo');
export const DEMO_SOURCE_DIR = path.join(DEMO_DIR, 'source');

/**
 * Hard-wraps each source line at `wrapWidth` the way MIMIC discharge text is wrapped: the
 * breaking space stays at the end of the line (" \n"), the last line of a wrapped paragraph and
 * numbered list items also end in a space, blank lines become a single space (so paragraphs end
 * " \n \n"), and the text opens with a blank line as real notes do.
 */
export function layoutNoteText(raw: string, wrapWidth: number): string {
  const out: string[] = [' '];
  for (const sourceLine of raw.replace(/\r\n?/g, '\n').replace(/\n+$/, '').split('\n')) {
    let line = sourceLine.replace(/\s+$/, '');
    if (line === '') {
      out.push(' ');
      continue;
    }
    while (line.length > wrapWidth) {
      let breakAt = line.lastIndexOf(' ', wrapWidth);
      if (breakAt <= 0) breakAt = line.indexOf(' ', wrapWidth);
      if (breakAt <= 0 || breakAt === line.length - 1) break;
      out.push(line.slice(0, breakAt + 1));
      line = line.slice(breakAt + 1);
    }
    const wasWrapped = line.length !== sourceLine.replace(/\s+$/, '').length;
    out.push(wasWrapped || /^\d+\. /.test(line) ? `${line} ` : line);
  }
  return out.join('\n') + '\n';
}

/** Number of code points in text[0, utf16Index): Python's string index for that position. */
export function codePointIndex(text: string, utf16Index: number): number {
  let count = 0;
  for (let i = 0; i < utf16Index; i++) {
    const unit = text.charCodeAt(i);
    // A high surrogate followed by a low one is a single code point.
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < utf16Index) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    count++;
  }
  return count;
}

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Finds a quote in laid-out note text. Any whitespace run in the quote matches any whitespace run
 * in the text, so a quote written on one line still finds text that was wrapped with " \n".
 * Throws when the quote is missing, ambiguous without an occurrence, or the occurrence is out of range.
 */
export function locateQuote(text: string, quote: string, occurrence?: number): { start: number; end: number } {
  const tokens = quote.trim().split(/\s+/).filter(Boolean);
  if (tokens.length === 0) throw new Error('empty evidence quote');
  const pattern = new RegExp(tokens.map(escapeRegExp).join('\\s+'), 'g');
  const matches: Array<{ index: number; length: number }> = [];
  for (const match of text.matchAll(pattern)) matches.push({ index: match.index, length: match[0].length });
  if (matches.length === 0) throw new Error(`evidence quote not found: ${JSON.stringify(quote)}`);
  if (occurrence === undefined && matches.length > 1) {
    throw new Error(`evidence quote is ambiguous (${matches.length} occurrences, give "occurrence"): ${JSON.stringify(quote)}`);
  }
  const chosen = matches[(occurrence ?? 1) - 1];
  if (!chosen) throw new Error(`evidence quote has ${matches.length} occurrence(s), asked for #${occurrence}: ${JSON.stringify(quote)}`);
  return { start: codePointIndex(text, chosen.index), end: codePointIndex(text, chosen.index + chosen.length) };
}

/** RFC 4180 field: quoted only when needed, like pandas' QUOTE_MINIMAL output of the real files. */
export function csvField(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csvRow(fields: Array<string | number>): string {
  return fields.map(csvField).join(',') + '\n';
}

export function formatSpans(spans: Array<[number, number]>): string {
  return `[${spans.map(([start, end]) => `(${start}, ${end})`).join(', ')}]`;
}

function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}

function validateMeta(meta: DemoNoteMeta): void {
  if (meta.note_id !== `${meta.subject_id}-DS-${meta.note_seq}`) {
    throw new Error(`note_id ${meta.note_id} does not match subject_id/note_seq`);
  }
  const timestamp = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
  if (!timestamp.test(meta.charttime) || !timestamp.test(meta.storetime)) {
    throw new Error(`note ${meta.note_id}: charttime/storetime must look like 2180-05-07 00:00:00`);
  }
}

export function buildDemo(sourceDir: string = DEMO_SOURCE_DIR): BuiltDemo {
  const metas = readJson<DemoNoteMeta[]>(path.join(sourceDir, 'notes.json'));
  const pairSources = readJson<DemoPairSource[]>(path.join(sourceDir, 'pairs.json'));

  const notes: BuiltNote[] = metas.map((meta) => {
    validateMeta(meta);
    const raw = fs.readFileSync(path.join(sourceDir, 'notes', `${meta.note_id}.txt`), 'utf8');
    return { ...meta, text: layoutNoteText(raw, meta.wrapWidth) };
  });
  // MIMIC's file is ordered by subject and note sequence; sorting keeps the output independent of notes.json order.
  notes.sort((a, b) => a.subject_id - b.subject_id || a.note_seq - b.note_seq);
  const noteById = new Map<string, BuiltNote>();
  for (const note of notes) {
    if (noteById.has(note.note_id)) throw new Error(`duplicate note_id ${note.note_id}`);
    noteById.set(note.note_id, note);
  }
  const latestSeqByHadm = new Map<number, number>();
  for (const note of notes) latestSeqByHadm.set(note.hadm_id, Math.max(latestSeqByHadm.get(note.hadm_id) ?? -1, note.note_seq));

  const seenPairs = new Set<string>();
  const pairs: BuiltPair[] = pairSources.map((source, index) => {
    const where = `pair #${index + 1} (${source.note_id} ${source.code})`;
    const note = noteById.get(source.note_id);
    if (!note) throw new Error(`${where}: unknown note`);
    // The importer resolves a task to the admission's latest discharge note, so spans must point there.
    if (latestSeqByHadm.get(note.hadm_id) !== note.note_seq) {
      throw new Error(`${where}: annotations must reference the highest note_seq of hadm ${note.hadm_id}`);
    }
    const taskId = `${note.subject_id}_${note.hadm_id}`;
    const key = `${taskId}|${source.code}`;
    if (seenPairs.has(key)) throw new Error(`${where}: duplicate pair`);
    seenPairs.add(key);
    if (!source.reasoning_summary.trim()) throw new Error(`${where}: missing reasoning_summary`);
    if (source.gold && source.evidence.length === 0) throw new Error(`${where}: positive pair without evidence`);
    const quotes: string[] = [];
    const spans = source.evidence.map((item): [number, number] => {
      const { quote, occurrence } = typeof item === 'string' ? { quote: item, occurrence: undefined } : item;
      try {
        const { start, end } = locateQuote(note.text, quote, occurrence);
        quotes.push(quote);
        return [start, end];
      } catch (error) {
        throw new Error(`${where}: ${(error as Error).message}`);
      }
    });
    const distinctSpans = new Set(spans.map(([start, end]) => `${start}:${end}`));
    if (distinctSpans.size !== spans.length) throw new Error(`${where}: the same evidence span is listed twice`);
    return {
      task_id: taskId,
      note_id: note.note_id,
      code: source.code,
      desc: source.desc,
      gold: source.gold,
      reasoning_summary: source.reasoning_summary,
      spans,
      quotes,
    };
  });

  const datasetCsv =
    csvRow(DATASET_HEADER) +
    pairs
      .map((pair) =>
        csvRow([pair.task_id, pair.code, pair.desc, pair.gold ? 'True' : 'False', pair.reasoning_summary, formatSpans(pair.spans)]),
      )
      .join('');
  const dischargeCsv =
    csvRow(DISCHARGE_HEADER) +
    notes
      .map((note) =>
        // The text column is always quoted in the real export because every note spans many lines.
        [note.note_id, note.subject_id, note.hadm_id, 'DS', note.note_seq, note.charttime, note.storetime]
          .map(csvField)
          .concat(`"${note.text.replace(/"/g, '""')}"`)
          .join(',') + '\n',
      )
      .join('');
  return { notes, pairs, datasetCsv, dischargeCsv };
}

/** gzipSync writes mtime 0 and no file name, so the same CSV always gives the same bytes. */
export function gzipDeterministic(content: string): Buffer {
  return zlib.gzipSync(Buffer.from(content, 'utf8'), { level: 9 });
}

export function writeDemo(built: BuiltDemo, outDir: string = DEMO_DIR): void {
  fs.writeFileSync(path.join(outDir, 'dataset_raw.csv'), built.datasetCsv);
  fs.writeFileSync(path.join(outDir, 'discharge.csv.gz'), gzipDeterministic(built.dischargeCsv));
}

function isCommittedCopyCurrent(built: BuiltDemo, outDir: string): boolean {
  try {
    const dataset = fs.readFileSync(path.join(outDir, 'dataset_raw.csv'), 'utf8');
    const discharge = zlib.gunzipSync(fs.readFileSync(path.join(outDir, 'discharge.csv.gz'))).toString('utf8');
    return dataset === built.datasetCsv && discharge === built.dischargeCsv;
  } catch {
    return false;
  }
}

function main(argv: string[]): void {
  const built = buildDemo();
  const positives = built.pairs.filter((pair) => pair.gold).length;
  if (argv.includes('--check')) {
    if (!isCommittedCopyCurrent(built, DEMO_DIR)) {
      console.error('resources/demo is out of date: run npx tsx scripts/build-demo.ts');
      process.exitCode = 1;
      return;
    }
    console.log('resources/demo is up to date');
    return;
  }
  writeDemo(built);
  console.log(
    `wrote ${built.notes.length} notes and ${built.pairs.length} pairs (${positives} positive, ${built.pairs.length - positives} negative) to ${DEMO_DIR}`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main(process.argv.slice(2));
}
