/*
 * Sentence segmenter for MIMIC-IV discharge summaries: one pass groups lines into units, a second splits
 * each unit into sentences. Both are linear; boundaries only fall on whitespace, so "___" marks, decimals,
 * doses and surrogate pairs are never cut.
 *
 * 1. Units. A blank line (only whitespace, e.g. " \n \n") always ends a unit.
 *    - Headers are their own unit: a Title Case line ending in ":" ("Brief Hospital Course:", "Primary:"),
 *      an ALL-CAPS title ("ADMISSION PHYSICAL EXAM") or a "#" problem heading ("# Anemia:", "#Problem").
 *      A known section title or "#" heading with text after it on the same line is split off:
 *      "Chief Complaint: chest pain" -> "Chief Complaint:" + "chest pain". The line after a header always
 *      starts a new unit ("Allergies: \nPenicillins" -> "Penicillins").
 *    - Items start a unit on their own line, final period or not: list items ("1. ...", "- ...", "* ..."),
 *      timestamped lab lines ("___ 10:25PM BLOOD ..."), header-block lines ("Name: ___ Unit No: ___").
 *      Weaker items - "Key: value" lines ("VS: ...", "Abd: ..."), lab-token, number-dense and medication
 *      lines ("Furosemide 40 mg PO BID") - also start one, unless they finish a dangling prose line.
 *    - Continuation (items and prose): the next line joins the unit when the previous line ends dangling
 *      (",", "-", "and", "of", "Dr.", ...) or the next line starts like a continuation (lower-case letter,
 *      "(", "<", "RX *...", "Refills:*0"). Items also take lines indented deeper than their first line,
 *      and a lab line takes following lab-token lines ("MCHC-32.4 RDW-14.1 Plt ___").
 *    - Soft wrap: otherwise a line joins when the previous one was long enough that the next word would
 *      not have fit (width + 1 + next word > WRAP_MIN_WIDTH). Not after lab lines, and not in line-oriented
 *      sections (diagnoses, medications, PMH, condition, ...), so one diagnosis per line stays separate.
 * 2. Sentences. A unit splits after ".", "?" or "!" (plus closing quotes/brackets) followed by whitespace
 *    and an upper-case letter, a digit or "___". A "." does not split after an abbreviation (Dr., vs.,
 *    approx., etc.), a dotted one (p.o., b.i.d., q.h.s., e.g.; but "a.m."/"p.m." do split, and so does an
 *    undotted "BID."), a single capital initial ("E. coli", also "hepatitis C. He"), or a 1-2 digit ordinal
 *    that starts the sentence or follows ":" ("1. Furosemide", "IMPRESSION: 1. No ...").
 */

export interface SentenceSpan {
  id: number;
  start: number;
  end: number;
}

/** Narrowest hard-wrap width MIMIC prose is assumed to use (notes wrap at roughly 60-80 columns, minus slack). */
const WRAP_MIN_WIDTH = 55;

const KNOWN_SECTIONS = new Set([
  'chief complaint', 'major surgical or invasive procedure', 'history of present illness', 'hpi',
  'past medical history', 'pmh', 'past surgical history', 'psh', 'social history', 'family history',
  'physical exam', 'physical examination', 'admission physical exam', 'admission exam',
  'discharge physical exam', 'discharge exam', 'pertinent results', 'admission labs', 'discharge labs',
  'brief hospital course', 'hospital course', 'transitional issues', 'assessment and plan', 'review of systems',
  'ros', 'medications on admission', 'discharge medications', 'discharge disposition', 'facility',
  'discharge diagnosis', 'discharge diagnoses', 'discharge condition', 'discharge instructions',
  'followup instructions', 'follow-up instructions', 'follow up instructions', 'allergies',
]);

/** Sections written one entry per line, where an unpunctuated line end is a real end, not a wrap. */
const LINE_ORIENTED_SECTIONS = new Set([
  'chief complaint', 'major surgical or invasive procedure', 'past medical history', 'pmh',
  'past surgical history', 'psh', 'admission labs', 'discharge labs', 'medications on admission',
  'discharge medications', 'discharge disposition', 'facility', 'discharge diagnosis', 'discharge diagnoses',
  'discharge condition', 'followup instructions', 'follow-up instructions', 'follow up instructions', 'allergies',
]);

/** Header-block fields: the whole line is one unit because it often holds several fields. */
const HEADER_BLOCK_FIELDS = new Set([
  'name', 'unit no', 'admission date', 'discharge date', 'date of birth', 'sex', 'service', 'attending',
]);

/** Lower-case words (without their final ".") after which a "." never ends a sentence. */
const ABBREVIATIONS = new Set([
  'dr', 'drs', 'mr', 'mrs', 'ms', 'prof', 'sr', 'jr', 'st', 'mt', 'vs', 'approx', 'appx', 'etc', 'al', 'cf', 'fig',
  'esp', 'incl', 'dept', 'hosp', 'univ', 'apt', 'ext', 'avg', 'sig', 'disp', 'qty', 'susp', 'soln', 'inj',
]);

/** Words that cannot end a clause, so a line ending in one continues on the next line. */
const DANGLING_WORDS = new Set([
  'a', 'an', 'the', 'and', 'or', 'nor', 'but', 'of', 'to', 'with', 'without', 'for', 'in', 'on', 'at', 'by',
  'from', 'as', 'into', 'per', 'than', 'that', 'which', 'who', 'whom', 'whose', 'was', 'were', 'is', 'are',
  'be', 'been', 'being', 'has', 'had', 'have', 'after', 'before', 'due', 'including', 'because', 'while',
  'since', 'under', 'over', 'about', 'via', 'then', 'if', 's/p', 'h/o', 'c/b', 'w/', 'p/w', 'dr.', 'mr.',
  'mrs.', 'ms.', 'vs.', 'e.g.', 'i.e.',
]);

/** Lower-case words allowed inside a Title Case header ("History of Present Illness:"). */
const TITLE_SMALL_WORDS = new Set(['of', 'or', 'and', 'on', 'the', 'to', 'for', 'in', 'with', 'at', 'a', 'an', 'by', 'from']);

const LIST_MARKER = /^(?:\d{1,3}[.)]|\(\d{1,3}\)|[a-z]\)|[-*\u2022])(?=\s|$)|^[-*\u2022](?=[A-Za-z])/;
const LAB_LINE_START = /^(?:___|\d{1,2}\/\d{1,2}(?:\/\d{2,4})?)\s+\d{1,2}:\d{2}\s?[AP]M\b/;
const LAB_TOKEN = /^[A-Za-z][A-Za-z0-9#%]*-[<>]?(?:\d|___|[A-Z])\S*$/;
const NUMERIC_TOKEN = /^[<>~]?\d[\d.,/%:-]*[A-Za-z%]{0,3}\*?[,;]?$/;
const DOSE = /\b\d+(?:\.\d+)?\s?(?:mg|mcg|g|gm|mL|ml|units?|mEq|meq|puffs?|tabs?|tablets?|capsules?|drops?)(?![A-Za-z])/;
const ROUTE_OR_FREQUENCY = /\b(?:PO|IV|IM|SC|SQ|SL|PR|NG|INH|NEB|TD|BID|TID|QID|QHS|QAM|QPM|QD|QOD|DAILY|PRN|Q\d{1,2}H|ONCE|WEEKLY)\b/;
/** Prescription detail lines that MIMIC prints under a discharge medication ("RX *torsemide 20 mg ...", "Refills:*0"). */
const PRESCRIPTION_DETAIL = /^(?:RX\s*\*|Refills:|Disp\s*#)/;
const FIELD_KEY = /^[A-Za-z][A-Za-z0-9 ()/&+'_-]*$/;
const DOTTED_ABBREVIATION = /^[a-z][a-z0-9]{0,2}(?:\.[a-z0-9]{1,3})+$/i;

type LineKind =
  | 'header' // closes itself, nothing joins it
  | 'strong' // always starts a unit
  | 'weak' // starts a unit unless it plainly continues the previous prose line
  | 'prose';

interface LineClass {
  kind: LineKind;
  /** For a header followed by text on the same line: offset just after the header's ":". */
  splitAfter?: number;
  /** Normalized title of a known section, to switch line-oriented mode. */
  section?: string;
  isLabLine: boolean;
  isLabTokens: boolean;
}

interface Range {
  start: number;
  end: number;
}

interface OpenUnit extends Range {
  kind: 'prose' | 'item';
  column: number;
  isLab: boolean;
  lastLineWidth: number;
  lastLineDangling: boolean;
}

export function segmentSentences(text: string): SentenceSpan[] {
  const ranges: Range[] = [];
  for (const unit of groupLinesIntoUnits(text)) splitUnitIntoSentences(text, unit, ranges);
  return ranges.map((r, i) => ({ id: i + 1, start: r.start, end: r.end }));
}

export function sentenceText(text: string, sentence: SentenceSpan): string {
  return text.slice(sentence.start, sentence.end);
}

// Exactly the characters JavaScript's /\s/ matches, so callers can check coverage with /\s/.
function isWhitespace(code: number): boolean {
  return (
    code === 32 || (code >= 9 && code <= 13) || code === 0xa0 || code === 0x1680 || (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 || code === 0x2029 || code === 0x202f || code === 0x205f || code === 0x3000 || code === 0xfeff
  );
}

function isUpperCase(ch: string): boolean {
  return ch !== ch.toLowerCase();
}

function isLowerCase(ch: string): boolean {
  return ch !== ch.toUpperCase();
}

function isDigit(ch: string): boolean {
  return ch >= '0' && ch <= '9';
}

function groupLinesIntoUnits(text: string): Range[] {
  const units: Range[] = [];
  let open: OpenUnit | null = null;
  let lineOriented = false;

  const closeOpen = (): void => {
    if (open) units.push({ start: open.start, end: open.end });
    open = null;
  };

  const addSegment = (segmentStart: number, end: number, lineStart: number): void => {
    let start = segmentStart;
    let content = text.slice(start, end);
    let line = classifyLine(content);
    // A header may have text after it on the same line; peel headers off (a loop, as one line may hold many).
    for (;;) {
      // An ALL-CAPS word finishing a dangling line ("admitted to the CCU for \nNSTEMI.") is prose, not a title.
      if (line.kind === 'header' && open?.lastLineDangling && content[0] !== '#' && !content.endsWith(':')) {
        line = { kind: 'prose', isLabLine: false, isLabTokens: false };
      }
      if (line.kind !== 'header') break;
      closeOpen();
      const headerEnd = line.splitAfter === undefined ? end : start + line.splitAfter;
      units.push({ start, end: headerEnd });
      if (line.section !== undefined) lineOriented = LINE_ORIENTED_SECTIONS.has(line.section);
      start = headerEnd;
      while (start < end && isWhitespace(text.charCodeAt(start))) start++;
      if (start === end) return;
      content = text.slice(start, end);
      line = classifyLine(content);
    }
    const column = start - lineStart;
    const width = end - lineStart;
    const dangling = endsDangling(content);
    if (open && shouldJoin(open, line, content, column, lineOriented)) {
      open.end = end;
      open.lastLineWidth = width;
      open.lastLineDangling = dangling;
      return;
    }
    closeOpen();
    open = {
      kind: line.kind === 'prose' ? 'prose' : 'item',
      start,
      end,
      column,
      isLab: line.isLabLine,
      lastLineWidth: width,
      lastLineDangling: dangling,
    };
  };

  let lineStart = 0;
  while (lineStart <= text.length) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    let start = lineStart;
    while (start < lineEnd && isWhitespace(text.charCodeAt(start))) start++;
    let end = lineEnd;
    while (end > start && isWhitespace(text.charCodeAt(end - 1))) end--;
    if (start === end) closeOpen();
    else addSegment(start, end, lineStart);
    lineStart = lineEnd + 1;
  }
  closeOpen();
  return units;
}

function shouldJoin(open: OpenUnit, line: LineClass, content: string, column: number, lineOriented: boolean): boolean {
  if (line.kind === 'strong') return false;
  if (line.kind === 'weak') {
    if (open.isLab && line.isLabTokens) return true;
    return open.kind === 'prose' && (open.lastLineDangling || startsLikeContinuation(content));
  }
  if (open.lastLineDangling || startsLikeContinuation(content)) return true;
  if (open.kind === 'item' && column > open.column) return true;
  // Lab lines are long but never wrap into prose; in line-oriented sections a short-looking wrap is rarer than a new entry.
  if (open.isLab || lineOriented) return false;
  return open.lastLineWidth + 1 + firstWordLength(content) > WRAP_MIN_WIDTH;
}

function startsLikeContinuation(content: string): boolean {
  const first = content[0];
  return isLowerCase(first) || '(),;<>/&%+='.includes(first) || PRESCRIPTION_DETAIL.test(content);
}

function firstWordLength(content: string): number {
  let i = 0;
  while (i < content.length && !isWhitespace(content.charCodeAt(i))) i++;
  return i;
}

function endsDangling(content: string): boolean {
  const last = content[content.length - 1];
  if (',;-/(&+='.includes(last)) return true;
  let wordStart = content.length;
  while (wordStart > 0 && !isWhitespace(content.charCodeAt(wordStart - 1))) wordStart--;
  return DANGLING_WORDS.has(content.slice(wordStart).toLowerCase());
}

function normalizeTitle(title: string): string {
  return title.replace(/^#+/, '').replace(/:$/, '').trim().replace(/\s+/g, ' ').toLowerCase();
}

/** Index of the first ":" that is followed by whitespace or ends the line (so "10:25PM" does not count). */
function fieldColon(content: string, limit: number): number {
  let colon = content.indexOf(':');
  while (colon >= 0 && colon < limit) {
    if (colon + 1 === content.length || isWhitespace(content.charCodeAt(colon + 1))) return colon;
    colon = content.indexOf(':', colon + 1);
  }
  return -1;
}

function wordCount(s: string): number {
  const trimmed = s.trim();
  return trimmed === '' ? 0 : trimmed.split(/\s+/).length;
}

function isTitleCase(title: string): boolean {
  if (title.length === 0 || title.length > 60 || /[.;,]/.test(title)) return false;
  const words = title.trim().split(/\s+/);
  if (words.length > 6) return false;
  return words.every((w) => TITLE_SMALL_WORDS.has(w) || isUpperCase(w[0]) || isDigit(w[0]) || '#(&/-_+'.includes(w[0]));
}

function isAllCapsTitle(content: string): boolean {
  const title = content.endsWith(':') ? content.slice(0, -1) : content;
  if (title.length > 60 || /[a-z0-9.]/.test(title) || fieldColon(title, title.length) >= 0) return false;
  const letters = title.match(/[A-Z]/g);
  return letters !== null && letters.length >= 3 && wordCount(title) <= 8;
}

function classifyLine(content: string): LineClass {
  const plain = { isLabLine: false, isLabTokens: false };

  if (content[0] === '#') {
    const colon = fieldColon(content, 80);
    if (colon >= 0) return { kind: 'header', splitAfter: colon + 1 < content.length ? colon + 1 : undefined, ...plain };
    return { kind: wordCount(content) <= 8 ? 'header' : 'strong', ...plain };
  }
  if (LAB_LINE_START.test(content)) return { kind: 'strong', isLabLine: true, isLabTokens: false };
  if (LIST_MARKER.test(content)) return { kind: 'strong', ...plain };

  const colon = fieldColon(content, 60);
  const key = colon >= 0 ? content.slice(0, colon) : '';
  const normalizedKey = normalizeTitle(key);
  if (colon >= 0) {
    if (HEADER_BLOCK_FIELDS.has(normalizedKey)) return { kind: 'strong', ...plain };
    if (KNOWN_SECTIONS.has(normalizedKey)) {
      const splitAfter = colon + 1 < content.length ? colon + 1 : undefined;
      return { kind: 'header', splitAfter, section: normalizedKey, ...plain };
    }
  }
  if ((colon === content.length - 1 && isTitleCase(key)) || isAllCapsTitle(content)) {
    const title = normalizeTitle(content);
    return { kind: 'header', section: KNOWN_SECTIONS.has(title) ? title : undefined, ...plain };
  }
  if (colon > 0 && key.length <= 32 && wordCount(key) <= 4 && isUpperCase(key[0]) && FIELD_KEY.test(key)) {
    return { kind: 'weak', ...plain };
  }

  const tokens = content.split(/\s+/);
  let labTokens = 0;
  let deidTokens = 0;
  let numericTokens = 0;
  for (const token of tokens) {
    if (token === '___') deidTokens++;
    else if (LAB_TOKEN.test(token)) labTokens++;
    else if (NUMERIC_TOKEN.test(token)) numericTokens++;
  }
  if (labTokens > 0 && (labTokens + deidTokens) * 5 >= tokens.length * 3) {
    return { kind: 'weak', isLabLine: false, isLabTokens: true };
  }
  if (tokens.length >= 3 && numericTokens * 2 >= tokens.length) return { kind: 'weak', ...plain };
  if (!content.endsWith('.') && DOSE.test(content) && ROUTE_OR_FREQUENCY.test(content)) return { kind: 'weak', ...plain };
  return { kind: 'prose', ...plain };
}

function isTerminator(code: number): boolean {
  return code === 46 || code === 63 || code === 33; // . ? !
}

function isCloser(ch: string): boolean {
  return ch === ')' || ch === ']' || ch === '"' || ch === "'" || ch === '\u201d' || ch === '\u2019';
}

function isOpener(ch: string): boolean {
  return ch === '(' || ch === '[' || ch === '"' || ch === "'" || ch === '\u201c' || ch === '\u2018';
}

function startsSentence(text: string, at: number, end: number): boolean {
  let i = at;
  if (isOpener(text[i]) && i + 1 < end) i++;
  const ch = text[i];
  return isUpperCase(ch) || isDigit(ch) || text.startsWith('___', i);
}

/** Whether the "." at `dot` belongs to its word rather than ending the sentence that began at `sentenceStart`. */
function isNonTerminalPeriod(text: string, sentenceStart: number, dot: number): boolean {
  let tokenStart = dot;
  while (tokenStart > sentenceStart && !isWhitespace(text.charCodeAt(tokenStart - 1)) && !isOpener(text[tokenStart - 1])) {
    tokenStart--;
  }
  const token = text.slice(tokenStart, dot);
  if (token === '') return false;
  const lower = token.toLowerCase();
  // "a.m."/"p.m." before a capital usually close the sentence ("at 3 a.m. Per her sister, ...").
  if (lower === 'a.m' || lower === 'p.m') return false;
  if (ABBREVIATIONS.has(lower) || DOTTED_ABBREVIATION.test(token)) return true;
  if (token.length === 1 && token >= 'A' && token <= 'Z') return true;
  if (/^\d{1,2}$/.test(token)) {
    if (tokenStart === sentenceStart) return true;
    let before = tokenStart - 1;
    while (before >= sentenceStart && isWhitespace(text.charCodeAt(before))) before--;
    return before >= sentenceStart && text[before] === ':';
  }
  return false;
}

function splitUnitIntoSentences(text: string, unit: Range, out: Range[]): void {
  let sentenceStart = unit.start;
  let i = unit.start;
  while (i < unit.end) {
    if (!isTerminator(text.charCodeAt(i))) {
      i++;
      continue;
    }
    let after = i + 1;
    while (after < unit.end && isTerminator(text.charCodeAt(after))) after++;
    const singlePeriod = text[i] === '.' && after === i + 1;
    while (after < unit.end && isCloser(text[after])) after++;
    if (after >= unit.end || !isWhitespace(text.charCodeAt(after))) {
      i = after;
      continue;
    }
    let next = after;
    while (next < unit.end && isWhitespace(text.charCodeAt(next))) next++;
    if (startsSentence(text, next, unit.end) && !(singlePeriod && isNonTerminalPeriod(text, sentenceStart, i))) {
      out.push({ start: sentenceStart, end: after });
      sentenceStart = next;
    }
    i = next;
  }
  out.push({ start: sentenceStart, end: unit.end });
}
