import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport, renderReportMarkdown } from '../../../src/core/export/report';
import { renderReportHtml } from '../../../src/core/export/report-html';
import { answer, createRunsFixture, type RunsFixture } from '../../helpers/runs-fixture';

let f: RunsFixture;
beforeAll(async () => {
  f = await createRunsFixture();
  f.runWith('always-yes', f.pairs, () => answer(true));
  f.runWith('short', f.pairs.slice(0, 10), (p) => answer(p.gold));
});
afterAll(() => f.close());

describe('reports: trust', () => {
  it('shows the degenerate warning, reference rows, MCC n/a and small-n marks in Markdown and HTML', () => {
    const report = buildReport(f.db, 'always-yes', { resamples: 200, compare: 'short', generatedAt: new Date(0) });
    const md = renderReportMarkdown(report);
    expect(md).toMatch(/> \*\*Warning:\*\* "always-yes" answers True for 100% of its \d+ answered pairs/);
    expect(md).toMatch(/> \*\*Warning:\*\* "always-yes" is compared on 10 of its \d+ planned pairs/);
    expect(md).toContain('## Reference on the same pairs');
    expect(md).toMatch(/\| always False \| n\/a \| 0\.0% \| 0\.0% \| n\/a \|/);
    expect(md).toContain('| MCC | n/a |');
    expect(md).toMatch(/\| [^|]+ \* \| \d \|/);
    expect(md).toContain('* fewer than 10 pairs');
    const html = renderReportHtml(report);
    expect(html).toContain('<strong>Warning:</strong> &quot;always-yes&quot; answers True');
    expect(html).toContain('Reference on the same pairs');
    expect(html).toContain('fewer than 10 pairs');
  });
});
