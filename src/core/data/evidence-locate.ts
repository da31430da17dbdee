import { CodePointIndex } from '../../shared/code-points';
import type { Span } from './spans';

/**
 * Evidence as other systems write it, and finding quoted evidence text in a note.
 *
 * One `evidence` cell holds one of: a list of quoted note text (JSON, or Python's repr of a list of
 * str, which is how the seed's processed CSV stores evidence), a list of (start, end) code point
 * spans, sentence ids, or nothing. The form is detected per cell, so a file may mix them.
 */
export type EvidenceCell =
  | { form: 'empty' }
  | { form: 'text'; quotes: string[] }
  | { form: 'spans'; spans: Span[] }
  | { form: 'ids'; ids: number[] };

export type EvidenceForm = EvidenceCell['form'];

export class EvidenceParseError extends Error {}

const SENTENCE_ID = /^S?(\d+)$/i;
const BARE_ID_LIST = /^S?\d+(?:\s*[;,\s]\s*S?\d+)*$/i;
/** What pandas, Python and JSON write for a missing value. */
const EMPTY_WORDS = new Set(['', '[]', 'none', 'null', 'nan']);

/**
 * Parses one evidence cell. Accepted: `["text", 'text']` (JSON or Python literal, any mix of quote
 * styles and escapes), `[(10, 42)]` / `[[10, 42]]` spans, `[3, 7]`, `["S3", "S7"]`, `S3;S7`, `3,7`
 * sentence ids, and an empty cell, `[]`, None, null or nan for no evidence. Empty strings inside a
 * text list carry no evidence and are dropped.
 */
export function parseEvidenceCell(raw: string): EvidenceCell {
  const source = raw.trim();
  if (EMPTY_WORDS.has(source.toLowerCase())) return { form: 'empty' };
  if (!source.startsWith('[')) {
    if (BARE_ID_LIST.test(source)) return { form: 'ids', ids: source.split(/[;,\s]+/).map(sentenceIdOf) };
    throw new EvidenceParseError(`${preview(source)} is not a list: write quoted text as ["..."], spans as [(start, end)], or sentence ids as [3, 7] or S3;S7`);
  }
  const items = new ListLiteralParser(source).parse();
  if (items.length === 0) return { form: 'empty' };
  if (items.every((item) => item.kind === 'pair')) return { form: 'spans', spans: items.map((item) => ({ start: item.start, end: item.end })) };
  if (items.every((item) => item.kind === 'int')) return { form: 'ids', ids: items.map((item) => item.value) };
  if (items.every((item) => item.kind === 'string')) {
    const strings = items.map((item) => item.value);
    if (strings.every((value) => SENTENCE_ID.test(value.trim()))) return { form: 'ids', ids: strings.map((value) => sentenceIdOf(value.trim())) };
    const quotes = strings.filter((value) => value.trim() !== '');
    return quotes.length === 0 ? { form: 'empty' } : { form: 'text', quotes };
  }
  throw new EvidenceParseError(`${preview(source)} mixes quoted text, numbers and (start, end) spans; use one form per cell`);
}

function sentenceIdOf(token: string): number {
  const id = Number(SENTENCE_ID.exec(token)![1]);
  if (!Number.isSafeInteger(id)) throw new EvidenceParseError(`sentence id ${preview(token)} is too large`);
  return id;
}

type ListItem = { kind: 'string'; value: string } | { kind: 'int'; value: number } | { kind: 'pair'; start: number; end: number };

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\', "'": "'", '"': '"', '/': '/', n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', v: '\v', a: '\x07', '0': '\0',
};
const HEX_ESCAPE_LENGTHS: Readonly<Record<string, number>> = { x: 2, u: 4, U: 8 };

/** A one-level list literal in JSON or Python syntax, holding strings, integers and 2-tuples of integers. */
class ListLiteralParser {
  private pos = 0;

  constructor(private readonly source: string) {}

  parse(): ListItem[] {
    const items: ListItem[] = [];
    this.expect('[');
    this.skipSpace();
    while (this.peek() !== ']') {
      items.push(this.item());
      this.skipSpace();
      if (this.peek() === ',') {
        this.pos++;
        this.skipSpace();
      } else if (this.peek() !== ']') this.fail('"," or "]"');
    }
    this.pos++;
    this.skipSpace();
    if (this.pos !== this.source.length) this.fail('nothing after the closing "]"');
    return items;
  }

  private item(): ListItem {
    const char = this.peek();
    if (char === '"' || char === "'") return { kind: 'string', value: this.string(char) };
    if (char === '(' || char === '[') {
      this.pos++;
      const start = this.integer();
      this.expect(',');
      const end = this.integer();
      this.skipSpace();
      if (this.peek() === ',') this.pos++; // Python allows (a, b,)
      this.expect(char === '(' ? ')' : ']');
      return { kind: 'pair', start, end };
    }
    return { kind: 'int', value: this.integer() };
  }

  private string(quote: string): string {
    this.pos++;
    let value = '';
    for (;;) {
      const next = this.source.indexOf(quote, this.pos);
      const backslash = this.source.indexOf('\\', this.pos);
      if (next < 0) return this.fail(`a closing ${quote}`);
      if (backslash < 0 || next < backslash) {
        value += this.source.slice(this.pos, next);
        this.pos = next + 1;
        return value;
      }
      value += this.source.slice(this.pos, backslash);
      this.pos = backslash + 1;
      value += this.escape();
    }
  }

  /** Python's and JSON's escapes; an unknown one keeps its backslash, as Python does. */
  private escape(): string {
    const char = this.source[this.pos];
    if (char === undefined) return this.fail('an escaped character');
    this.pos++;
    if (char === '\n') return ''; // a backslash before a line break continues the line
    const simple = SIMPLE_ESCAPES[char];
    if (simple !== undefined) return simple;
    const hexLength = HEX_ESCAPE_LENGTHS[char];
    if (hexLength === undefined) return `\\${char}`;
    const hex = this.source.slice(this.pos, this.pos + hexLength);
    if (!new RegExp(`^[0-9a-fA-F]{${hexLength}}$`).test(hex)) return this.fail(`${hexLength} hex digits after \\${char}`);
    this.pos += hexLength;
    const codePoint = parseInt(hex, 16);
    if (codePoint > 0x10ffff) return this.fail('a code point of at most 10FFFF');
    // \uD83D\uDE00 (JSON's surrogate pairs) joins up because each half becomes one UTF-16 unit.
    return String.fromCodePoint(codePoint);
  }

  private integer(): number {
    this.skipSpace();
    const match = /^-?\d+/.exec(this.source.slice(this.pos, this.pos + 24));
    if (!match) return this.fail('an integer or a quoted string');
    this.pos += match[0].length;
    const value = Number(match[0]);
    if (!Number.isSafeInteger(value)) this.fail('an integer of sensible size');
    return value;
  }

  private expect(char: string): void {
    this.skipSpace();
    if (this.peek() !== char) this.fail(`"${char}"`);
    this.pos++;
  }

  private peek(): string | undefined {
    return this.source[this.pos];
  }

  private skipSpace(): void {
    while (this.pos < this.source.length && /\s/.test(this.source[this.pos]!)) this.pos++;
  }

  private fail(expected: string): never {
    const found = this.pos < this.source.length ? JSON.stringify(this.source.slice(this.pos, this.pos + 12)) : 'end of text';
    throw new EvidenceParseError(`expected ${expected} at character ${this.pos + 1}, found ${found} in ${preview(this.source)}`);
  }
}

function preview(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text);
}

/** How a quote was found: as written, ignoring whitespace differences, or also ignoring case. */
export type QuoteMatch = 'exact' | 'whitespace' | 'case';

export interface LocatedQuote extends Span {
  match: QuoteMatch;
}

/** The note with every whitespace run collapsed to one space, and where each of its units came from. */
interface CollapsedText {
  text: string;
  /** UTF-16 offset in the note where collapsed unit i starts. */
  starts: Uint32Array;
  /** UTF-16 offset in the note just after collapsed unit i (after the whole run for a space). */
  ends: Uint32Array;
}

/**
 * Finds quoted evidence in one note: exact first; then ignoring whitespace differences (MIMIC
 * hard-wraps prose with " \n", which systems quote as one space, or the reverse); then also ignoring
 * case. Offsets are code points, like every span in the store.
 *
 * A quote can occur more than once (a diagnosis in the history and again in the discharge
 * diagnoses). Nothing tells which place the system meant, so every occurrence at the first level
 * that matches is returned, and the caller maps the quote to all their sentences: picking the
 * first would mark a faithful quote of the second place as wrong.
 */
export class NoteTextLocator {
  private readonly index: CodePointIndex;
  private collapsed: CollapsedText | null = null;
  private folded: string | null = null;

  constructor(private readonly text: string) {
    this.index = new CodePointIndex(text);
  }

  /** Every place the quote occurs, in note order; empty when it is nowhere (or blank). */
  locate(quote: string): LocatedQuote[] {
    if (quote.trim() === '') return [];
    const exact = occurrences(this.text, quote);
    if (exact.length > 0) return exact.map((at) => this.toSpan(at, at + quote.length, 'exact'));
    const wanted = collapseWhitespace(quote);
    const collapsed = this.collapsedText();
    const loose = occurrences(collapsed.text, wanted);
    if (loose.length > 0) return loose.map((at) => this.fromCollapsed(at, wanted.length, 'whitespace'));
    this.folded ??= foldCase(collapsed.text);
    return occurrences(this.folded, foldCase(wanted)).map((at) => this.fromCollapsed(at, wanted.length, 'case'));
  }

  private fromCollapsed(at: number, length: number, match: QuoteMatch): LocatedQuote {
    const collapsed = this.collapsedText();
    return this.toSpan(collapsed.starts[at]!, collapsed.ends[at + length - 1]!, match);
  }

  private toSpan(start: number, end: number, match: QuoteMatch): LocatedQuote {
    return { start: this.index.toCodePoint(start), end: this.index.toCodePoint(end), match };
  }

  private collapsedText(): CollapsedText {
    if (this.collapsed) return this.collapsed;
    const text = this.text;
    const starts = new Uint32Array(text.length);
    const ends = new Uint32Array(text.length);
    let out = '';
    let n = 0;
    let i = 0;
    while (i < text.length) {
      const start = i;
      if (isSpace(text.charCodeAt(i))) {
        while (i < text.length && isSpace(text.charCodeAt(i))) i++;
        out += ' ';
      } else {
        out += text[i];
        i++;
      }
      starts[n] = start;
      ends[n] = i;
      n++;
    }
    this.collapsed = { text: out, starts: starts.subarray(0, n), ends: ends.subarray(0, n) };
    return this.collapsed;
  }
}

/** Start offsets of the non-overlapping occurrences of `needle`, left to right. */
function occurrences(haystack: string, needle: string): number[] {
  const found: number[] = [];
  for (let at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + needle.length)) found.push(at);
  return found;
}

/** The same whitespace as JavaScript's \s, tested per UTF-16 unit so offsets stay aligned. */
function isSpace(unit: number): boolean {
  if (unit > 0x20 && unit < 0x7f) return false; // printable ASCII, nearly every unit of a note
  return /\s/.test(String.fromCharCode(unit));
}

function collapseWhitespace(text: string): string {
  return text.trim().replace(/\s+/g, ' ');
}

/** Lower case unit by unit, keeping any character whose lower case has another length (so offsets still line up). */
function foldCase(text: string): string {
  let out = '';
  for (const char of text) {
    const lower = char.toLowerCase();
    out += lower.length === char.length ? lower : char;
  }
  return out;
}
