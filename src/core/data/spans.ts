/** A character range [start, end) in Python code point offsets, as MedicalBench stores evidence. */
export interface Span {
  start: number;
  end: number;
}

export class SpanParseError extends Error {}

/**
 * Parses the Python-literal list of tuples in `evidence_spans`: `[(8012, 8047), (6350, 6379)]`, `[]`,
 * JSON-style `[[1, 2]]`, any whitespace, trailing commas. Order is kept as written; range checks
 * are the caller's (they need the note). An empty cell means "no evidence", like `[]`.
 */
export function parseSpanList(raw: string): Span[] {
  const source = raw.trim();
  if (source === '') return [];
  let pos = 0;
  const spans: Span[] = [];
  const fail = (expected: string): never => {
    const found = pos < source.length ? JSON.stringify(source.slice(pos, pos + 12)) : 'end of text';
    throw new SpanParseError(`expected ${expected} at character ${pos + 1}, found ${found} in ${preview(source)}`);
  };
  const skipSpace = () => {
    while (pos < source.length && /\s/.test(source[pos]!)) pos++;
  };
  const expect = (char: string) => {
    skipSpace();
    if (source[pos] !== char) fail(`"${char}"`);
    pos++;
  };
  const integer = (): number => {
    skipSpace();
    const match = /^-?\d+/.exec(source.slice(pos, pos + 24));
    if (!match) return fail('an integer');
    pos += match[0].length;
    const value = Number(match[0]);
    if (!Number.isSafeInteger(value)) fail('an integer of sensible size');
    return value;
  };

  expect('[');
  skipSpace();
  while (source[pos] !== ']') {
    skipSpace();
    const open = source[pos];
    if (open !== '(' && open !== '[') fail('"(" starting a (start, end) pair');
    pos++;
    const start = integer();
    expect(',');
    const end = integer();
    skipSpace();
    if (source[pos] === ',') pos++; // Python allows (a, b,)
    expect(open === '(' ? ')' : ']');
    spans.push({ start, end });
    skipSpace();
    if (source[pos] === ',') {
      pos++;
      skipSpace();
    } else if (source[pos] !== ']') fail('"," or "]"');
  }
  pos++;
  skipSpace();
  if (pos !== source.length) fail('nothing after the closing "]"');
  return spans;
}

/** Python-literal form, as the release writes it. */
export function formatSpanList(spans: readonly Span[]): string {
  return `[${spans.map((s) => `(${s.start}, ${s.end})`).join(', ')}]`;
}

function preview(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text);
}
