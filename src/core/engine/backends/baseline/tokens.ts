/** The lexical baseline: Tokens. */
import { MAX_SURFACE_LENGTH } from './types';
import { BOILERPLATE_STEMS, LATERALITY_WORDS, STOPWORDS, normalizeWord } from './words';

export interface Token {
  stem: string;
  lower: string;
  start: number;
  end: number;
  /** Written in capitals (`PE`, `HD`): ambiguous abbreviations only count this way. */
  capitals: boolean;
  /** Followed by `:`, `#` or a number, as in `PE:` or `HD #3`: a label, not a diagnosis. */
  labelLike: boolean;
  /** Index of the comma/semicolon-delimited clause, for the scope of "not" in a concept. */
  clause: number;
  /** Index of the `;`/`:`-delimited segment; negation does not cross it. */
  segment: number;
  stop: boolean;
  laterality: boolean;
}

const SLASH_ABBREVIATIONS: readonly [RegExp, string][] = [
  [/\bh\/o\b/gi, 'history of'],
  [/\bs\/p\b/gi, 'status post'],
  [/\br\/o\b/gi, 'ruleout'],
  [/\bw\/o\b/gi, 'without'],
  [/\bw\//gi, 'with '],
  [/\bc\/b\b/gi, 'complicated by'],
  [/\bn\/v\b/gi, 'nausea vomiting'],
];

export function expandAbbreviations(text: string): string {
  if (!text.includes('/')) return text;
  let out = text;
  for (const [pattern, replacement] of SLASH_ABBREVIATIONS) out = out.replace(pattern, replacement);
  return out;
}

const TOKEN_PATTERN = /[A-Za-z0-9]+/g;

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let clause = 0;
  let segment = 0;
  let previousEnd = 0;
  for (const match of text.matchAll(TOKEN_PATTERN)) {
    const raw = match[0];
    const start = match.index;
    const gap = text.slice(previousEnd, start);
    if (/[,;]/.test(gap)) clause += 1;
    if (/[;:]/.test(gap)) segment += 1;
    const lower = raw.toLowerCase();
    const end = start + raw.length;
    tokens.push({
      stem: normalizeWord(lower),
      lower,
      start,
      end,
      capitals: /[A-Z]/.test(raw) && raw === raw.toUpperCase(),
      labelLike: /^\s*[:#\d]/.test(text.slice(end, end + 3)),
      clause,
      segment,
      stop: STOPWORDS.has(lower),
      laterality: LATERALITY_WORDS.has(lower),
    });
    previousEnd = end;
  }
  return tokens;
}

/** Tokens the group phrases are matched on: no stopwords, no sides (they are an axis), no ICD filler. */
export function inPhraseStream(token: Token): boolean {
  return !token.stop && !token.laterality && !BOILERPLATE_STEMS.has(token.stem);
}

/** Tokens the qualifier axes are matched on: everything but stopwords ("type", "left" stay visible). */
export function inAxisStream(token: Token): boolean {
  return !token.stop;
}

export function surfaceOf(text: string, tokens: readonly Token[], first: number, last: number): string {
  const surface = text.slice(tokens[first].start, tokens[last].end).toLowerCase().replace(/\s+/g, ' ');
  return surface.length > MAX_SURFACE_LENGTH ? `${surface.slice(0, MAX_SURFACE_LENGTH - 1)}…` : surface;
}
