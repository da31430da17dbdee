import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CsvParser, CsvSyntaxError } from '../../../src/core/data/csv';

function parse(input: string | Buffer, chunkSize = Infinity, trackLines = true): { fields: string[]; line: number }[] {
  const records: { fields: string[]; line: number }[] = [];
  const parser = new CsvParser((record) => records.push({ fields: record.texts(), line: record.line }), { trackLines });
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  const step = Number.isFinite(chunkSize) ? chunkSize : bytes.length || 1;
  for (let i = 0; i < bytes.length; i += step) parser.push(bytes.subarray(i, i + step));
  parser.end();
  return records;
}

const fields = (input: string, chunkSize?: number) => parse(input, chunkSize).map((r) => r.fields);

describe('CsvParser', () => {
  it('parses plain and quoted fields with commas, quotes and newlines', () => {
    const input = 'a,b,c\n1,"two, three","say ""hi""\nnext line"\n';
    expect(fields(input)).toEqual([
      ['a', 'b', 'c'],
      ['1', 'two, three', 'say "hi"\nnext line'],
    ]);
  });

  it('handles CRLF line ends outside quotes and keeps CR inside quotes', () => {
    expect(fields('a,b\r\n1,"x\r\ny"\r\n2,3')).toEqual([
      ['a', 'b'],
      ['1', 'x\r\ny'],
      ['2', '3'],
    ]);
  });

  it('strips a UTF-8 byte order mark from the first column name', () => {
    expect(fields('\uFEFFtask_id,code\nx,y\n')[0]).toEqual(['task_id', 'code']);
  });

  it('keeps empty fields and reports blank lines as blank records', () => {
    const records: boolean[] = [];
    const parser = new CsvParser((record) => records.push(record.isBlank()));
    parser.push(Buffer.from('a,,c\n\n,\n'));
    parser.end();
    expect(records).toEqual([false, true, false]);
    expect(fields('a,,c\n,\n')).toEqual([
      ['a', '', 'c'],
      ['', ''],
    ]);
  });

  it('gives the same records whatever the chunk boundaries', () => {
    const input = 'h1,h2,h3\r\n"q ""x"", y",plain,"multi\nline"\r\nlast,"",z';
    const whole = fields(input);
    for (let size = 1; size <= input.length; size++) expect(fields(input, size)).toEqual(whole);
  });

  it('splits multi-byte UTF-8 characters across chunks correctly', () => {
    const input = 'a,b\n"é°µ 😀",x\n';
    for (let size = 1; size < 12; size++) expect(fields(input, size)[1]).toEqual(['é°µ 😀', 'x']);
  });

  it('tracks the physical line where each record starts', () => {
    const records = parse('a,b\n1,"x\ny\nz"\n2,3\n');
    expect(records.map((r) => r.line)).toEqual([1, 2, 5]);
  });

  it('rejects a file that ends inside a quoted field', () => {
    expect(() => parse('a,b\n1,"unterminated\n')).toThrow(CsvSyntaxError);
    expect(() => parse('a,b\n1,"unterminated\n')).toThrow(/ends inside a quoted field/);
  });

  it('rejects text after a closing quote', () => {
    expect(() => parse('a,b\n"x"y,2\n')).toThrow(/after a closing quote/);
  });

  it('reports invalid UTF-8 only when the field is read', () => {
    const parser = new CsvParser((record) => {
      expect(record.bytes(0).length).toBe(2);
      expect(() => record.text(1)).toThrow(/not valid UTF-8/);
    });
    parser.push(Buffer.from([0x6f, 0x6b, 0x2c, 0xff, 0xfe, 0x0a]));
    parser.end();
  });

  it('round-trips arbitrary tables written with RFC 4180 quoting (property)', () => {
    const cell = fc.string({ unit: fc.constantFrom('a', 'b', ',', '"', '\n', '\r\n', ' ', 'é', '😀', '_') });
    fc.assert(
      fc.property(fc.array(fc.array(cell, { minLength: 2, maxLength: 2 }), { minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 17 }), (table, chunk) => {
        const quote = (value: string) => `"${value.replaceAll('"', '""')}"`;
        const text = table.map((row) => row.map(quote).join(',')).join('\n');
        expect(fields(text, chunk)).toEqual(table);
      }),
      { numRuns: 200 },
    );
  });
});
