import { describe, expect, it } from 'vitest';
import { confusionMatrixSvg, differenceSvg, escapeXml, horizontalBarsSvg, metricBarsSvg, stackedBarSvg } from '../../../src/core/export/svg-charts';

describe('svg charts', () => {
  const charts = [
    metricBarsSvg([{ name: 'run <a>', values: [{ label: 'F1', value: 0.5, ci: [0.4, 0.6] }, { label: 'evidence recall', value: null, ci: null }] }], 'Metrics & more'),
    confusionMatrixSvg({ tp: 3, fp: 1, fn: 2, tn: 4 }, 'Confusion'),
    stackedBarSvg([{ label: 'exact', value: 0 }, { label: 'none', value: 0 }], 'Empty'),
    horizontalBarsSvg([{ label: 'CM "IX" <circulatory>', value: 0.75, note: '(n=4)' }], 'By chapter'),
    differenceSvg([{ label: 'F1', diff: -0.1, ci: [-0.2, 0.05] }], 'Diff'),
  ];

  it('escapes every label and title, and references nothing outside the file', () => {
    for (const svg of charts) {
      expect(svg.startsWith('<svg ')).toBe(true);
      expect(svg.endsWith('</svg>')).toBe(true);
      expect(svg).not.toMatch(/xmlns|https?:|href/);
      expect(svg).not.toMatch(/<a>|<circulatory>/);
    }
    expect(charts[0]).toContain('Metrics &amp; more');
    expect(charts[3]).toContain('CM &quot;IX&quot; &lt;circulatory&gt;');
    expect(escapeXml(`<&>"'`)).toBe('&lt;&amp;&gt;&quot;&#39;');
  });

  it('draws values, whiskers and n/a where a metric is undefined', () => {
    expect(charts[0]).toContain('>50.0<');
    expect(charts[0]).toContain('class="whisker"');
    expect(charts[0]).toContain('>n/a<');
    expect(charts[1]).toMatch(/>3<\/text>.*>TP</);
    expect(charts[3]).toContain('75.0% (n=4)');
  });
});
