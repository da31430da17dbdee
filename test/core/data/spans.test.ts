import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatSpanList, parseSpanList, SpanParseError } from '../../../src/core/data/spans';

describe('parseSpanList', () => {
  it.each([
    ['[(8012, 8047), (6350, 6379)]', [[8012, 8047], [6350, 6379]]],
    ['[]', []],
    ['', []],
    ['  [ ]  ', []],
    ['[(1,2)]', [[1, 2]]],
    ['[ ( 1 , 2 ) ,( 3,4 ) ]', [[1, 2], [3, 4]]],
    ['[(1, 2,), (3, 4),]', [[1, 2], [3, 4]]],
    ['[[5, 9], [1, 2]]', [[5, 9], [1, 2]]],
    ['[(10, 5)]', [[10, 5]]],
    ['[(-1, 5)]', [[-1, 5]]],
    ['[\n(1, 2),\n (3, 4)\n]', [[1, 2], [3, 4]]],
  ])('parses %j', (raw, expected) => {
    expect(parseSpanList(raw).map((s) => [s.start, s.end])).toEqual(expected);
  });

  it.each(['(1, 2)', '[(1, 2)', '[(1 2)]', '[(1, 2, 3)]', '[("a", 2)]', '[(1.5, 2)]', '[(1, 2)] x', '[(1, 2) (3, 4)]', 'None', '[(1, 2]]', '[(99999999999999999999, 1)]'])(
    'rejects %j with a message that says what it expected',
    (raw) => {
      expect(() => parseSpanList(raw)).toThrow(SpanParseError);
      expect(() => parseSpanList(raw)).toThrow(/expected/);
    },
  );

  it('round-trips what formatSpanList writes (property)', () => {
    const span = fc.record({ start: fc.nat(1_000_000), end: fc.nat(1_000_000) });
    fc.assert(fc.property(fc.array(span, { maxLength: 12 }), (spans) => {
        expect(parseSpanList(formatSpanList(spans))).toEqual(spans);
      }),
    );
  });
});
