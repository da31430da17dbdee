import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { formatTable, TABLE_MAX_COLUMN_WIDTH, tableLines, writeTable } from '../../src/cli/output';
import { neutraliseBidi, terminalSafe } from '../../src/shared/display-text';

/**
 * Large and hostile terminal output (issue 16 §5, §7): the table printer used Math.max(...cells), which overflowed
 * the stack at ~130k rows after the work was committed; CSV cells with ANSI escape sequences or bidi overrides
 * were printed raw.
 */
describe('tables of any size', () => {
  it('a million rows print without a stack overflow, in bounded blocks', async () => {
    const rows = Array.from({ length: 1_000_000 }, (_, i) => [`${i}_${i}`, 'I48.91', i % 2 === 0 ? 'True' : 'False']);
    const sink = new PassThrough();
    let lines = 0;
    let largestWrite = 0;
    sink.on('data', (chunk: Buffer) => {
      largestWrite = Math.max(largestWrite, chunk.length);
      for (let at = chunk.indexOf(0x0a); at !== -1; at = chunk.indexOf(0x0a, at + 1)) lines++;
    });
    await writeTable(['task id', 'code', 'gold'], rows, sink);
    expect(lines).toBe(1_000_002);
    // Each write is one block of at most 1000 lines, never the whole table as one string.
    expect(largestWrite).toBeLessThan(1000 * 64);
  });

  it('formatTable handles 200k rows (the size that crashed import reports)', () => {
    const rows = Array.from({ length: 200_000 }, (_, i) => ['bad-row', i + 1, null, null, null, 'code is empty']);
    const text = formatTable(['kind', 'row', 'line', 'task id', 'code', 'detail'], rows);
    expect(text.split('\n')).toHaveLength(200_002);
  });

  it('widths come from the first rows; one long cell does not widen a column past the cap', () => {
    const lines = Array.from(tableLines(['a', 'b'], [['x'.repeat(500), 'y'], ['z', 'w']]));
    expect(lines[1]).toBe(`${'-'.repeat(TABLE_MAX_COLUMN_WIDTH)}  -`);
    expect(lines[3]).toBe(`${'z'.padEnd(TABLE_MAX_COLUMN_WIDTH)}  w`);
  });
});

describe('control characters and bidi overrides in cells', () => {
  it('ANSI escape sequences print as text, not as commands to the terminal', () => {
    const cell = '\u001b[2J\u001b]0;pwned\u0007\u001b[31mred\u009b1m';
    const text = formatTable(['desc'], [[cell]]);
    const controls = [...text].filter((ch) => ch !== '\n' && (ch.charCodeAt(0) < 0x20 || (ch.charCodeAt(0) >= 0x7f && ch.charCodeAt(0) <= 0x9f)));
    expect(controls).toEqual([]);
    expect(text).toContain('\\x1b[2J');
    expect(text).toContain('\\x9b1m');
  });

  it('line breaks and tabs in a cell stay on its row', () => {
    expect(formatTable(['a', 'b'], [['one\ntwo\tthree', 'x']]).split('\n')).toHaveLength(3);
  });

  it('right-to-left overrides are neutralised, one character for one (offsets stay valid)', () => {
    const name = 'invoice\u202egnp.exe';
    expect(neutraliseBidi(name)).toBe('invoice\ufffdgnp.exe');
    expect(neutraliseBidi(name)).toHaveLength(name.length);
    for (const control of ['\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069', '\u200e', '\u200f']) {
      expect(neutraliseBidi(`a${control}b`)).toBe('a\ufffdb');
    }
    expect(terminalSafe(name)).not.toContain('\u202e');
    expect(formatTable(['file'], [[name]])).not.toContain('\u202e');
  });

  it('ordinary text, accents and right-to-left scripts themselves are untouched', () => {
    const text = 'Fièvre café — שלום مرحبا 10 mg';
    expect(terminalSafe(text)).toBe(text);
  });
});
