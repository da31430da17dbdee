/**
 * The built-in `baseline` backend: a deterministic lexical matcher, no model.
 *
 * It reads a concept (ICD-10 code + description) the way a coder skims a note: find the sentences that name the
 * concept's informative terms (directly, by synonym or abbreviation, or implicitly through a lab value or BMI), skip
 * negated and family-history mentions, and refuse matches whose distinguishing qualifiers (type 1 vs 2, acute vs
 * chronic, systolic vs diastolic, left vs right, stage) contradict the concept. The score is the weighted share of
 * the concept's terms that the best sentence (or pair of adjacent sentences) covers.
 */
import {
  BMI_IMPLIED_GROUPS,
  CLINICAL_SYNONYM_GROUPS,
  ICD_BOILERPLATE_PHRASES,
  ICD_BOILERPLATE_WORDS,
  LAB_RULES,
  QUALIFIER_AXES,
  WEAK_WORDS,
  WORD_EQUIVALENTS,
  type LabRule,
} from './clinical-synonyms';

export interface BaselineSentence {
  id: number;
  text: string;
}

export interface BaselineConcept {
  code: string;
  desc: string;
}

export interface BaselinePrediction {
  label: boolean;
  evidence: number[];
  rationale: string;
  /** 0..1 match strength. */
  score: number;
}

/** Scores at or above this are predicted True. Missing one strong qualifier (type, hf_type) of a matched disease lands just above it. */
export const BASELINE_THRESHOLD = 0.7;
export const MAX_EVIDENCE_SENTENCES = 3;
export const MAX_RATIONALE_LENGTH = 200;

const GROUP_WEIGHT = 3;
const WORD_WEIGHT = 2;
const WEAK_WORD_WEIGHT = 0.6;
/** Credit for a sentence that names only a broader idea than the concept (anemia for acute blood loss anemia). */
const PARTIAL_CREDIT = 0.5;
/** Terms split across two adjacent sentences count a little less than terms in one sentence. */
const PAIR_FACTOR = 0.85;
/** A qualifier the note contradicts elsewhere and never confirms makes an unqualified mention doubtful. */
const NOTE_CONFLICT_FACTOR = 0.6;
/** Tokens between a matched term and a qualifier (or excluded term) for the qualifier to be read as about it. */
const QUALIFIER_WINDOW = 6;
const NEGATION_WINDOW_FORWARD = 6;
const NEGATION_WINDOW_BACKWARD = 4;
const OTHER_PERSON_WINDOW = 8;
const MAX_SURFACE_LENGTH = 40;

// ---------------------------------------------------------------------------------------------------------------
// Words and stems

const STOPWORDS = new Set([
  'a', 'an', 'the', 'of', 'and', 'or', 'in', 'on', 'at', 'to', 'for', 'by', 'from', 'as', 'is', 'was', 'were', 'be', 'been',
  'being', 'are', 'has', 'have', 'had', 'this', 'that', 'these', 'those', 'his', 'her', 'he', 'she', 'it', 'its', 'their',
  'they', 'which', 'who', 'whom', 'into', 'onto', 'also', 'due', 'with', 'without', 'no', 'not', 'nor', 'than', 'then',
  'there', 'here', 'so', 'such', 'any', 'all', 'some', 's', 'do', 'does', 'did', 'but', 'if', 'while', 'upon', 'we', 'you',
  'him', 'them', 'our', 'your', 'my', 'me', 'pt', 'patient', 'patients',
]);

const LATERALITY_WORDS = new Set(['left', 'right', 'bilateral', 'bilaterally', 'bilat', 'lt', 'rt']);

/** Light suffix stripping; it only has to treat a concept and a note the same way, not produce real roots. */
function stemWord(word: string): string {
  let stem = word;
  if (stem.length > 4 && stem.endsWith('ies')) stem = `${stem.slice(0, -3)}y`;
  else if (stem.length > 4 && stem.endsWith('sses')) stem = stem.slice(0, -2);
  else if (stem.length > 3 && stem.endsWith('s') && !/(ss|us|is)$/.test(stem)) stem = stem.slice(0, -1);
  if (stem.length > 5 && stem.endsWith('ing')) stem = stem.slice(0, -3);
  else if (stem.length > 4 && stem.endsWith('ied')) stem = `${stem.slice(0, -3)}y`;
  else if (stem.length > 4 && stem.endsWith('ed') && !stem.endsWith('eed')) stem = stem.slice(0, -2);
  if (stem.length > 4 && stem.endsWith('e')) stem = stem.slice(0, -1);
  return stem;
}

const EQUIVALENT_STEMS = new Map(Object.entries(WORD_EQUIVALENTS).map(([from, to]) => [stemWord(from), stemWord(to)]));
const WORD_CACHE_LIMIT = 50_000;
const wordCache = new Map<string, string>();

function normalizeWord(lower: string): string {
  const cached = wordCache.get(lower);
  if (cached !== undefined) return cached;
  const stemmed = /\d/.test(lower) ? lower : stemWord(lower);
  const normalized = EQUIVALENT_STEMS.get(stemmed) ?? stemmed;
  if (wordCache.size >= WORD_CACHE_LIMIT) wordCache.clear();
  wordCache.set(lower, normalized);
  return normalized;
}

const BOILERPLATE_STEMS = new Set(ICD_BOILERPLATE_WORDS.map(normalizeWord));
const WEAK_STEMS = new Set(WEAK_WORDS.map(normalizeWord));

// ---------------------------------------------------------------------------------------------------------------
// Tokens

interface Token {
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

function expandAbbreviations(text: string): string {
  if (!text.includes('/')) return text;
  let out = text;
  for (const [pattern, replacement] of SLASH_ABBREVIATIONS) out = out.replace(pattern, replacement);
  return out;
}

const TOKEN_PATTERN = /[A-Za-z0-9]+/g;

function tokenize(text: string): Token[] {
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
function inPhraseStream(token: Token): boolean {
  return !token.stop && !token.laterality && !BOILERPLATE_STEMS.has(token.stem);
}

/** Tokens the qualifier axes are matched on: everything but stopwords ("type", "left" stay visible). */
function inAxisStream(token: Token): boolean {
  return !token.stop;
}

function surfaceOf(text: string, tokens: readonly Token[], first: number, last: number): string {
  const surface = text.slice(tokens[first].start, tokens[last].end).toLowerCase().replace(/\s+/g, ' ');
  return surface.length > MAX_SURFACE_LENGTH ? `${surface.slice(0, MAX_SURFACE_LENGTH - 1)}…` : surface;
}

// ---------------------------------------------------------------------------------------------------------------
// Phrase index: greedy, longest match first, no overlaps

interface PhraseEntry<T> {
  stems: readonly string[];
  payload: T[];
  ambiguous: boolean;
}

interface PhraseMatch<T> {
  first: number;
  last: number;
  /** Token indices the phrase consumed (stopwords and sides in between are not among them). */
  indices: number[];
  payload: readonly T[];
}

class PhraseIndex<T> {
  private readonly byFirst = new Map<string, PhraseEntry<T>[]>();

  add(stems: readonly string[], payload: T, ambiguous = false): void {
    if (stems.length === 0) return;
    const entries = this.byFirst.get(stems[0]) ?? [];
    const existing = entries.find((entry) => entry.stems.length === stems.length && entry.stems.every((s, i) => s === stems[i]));
    if (existing) {
      if (!existing.payload.includes(payload)) existing.payload.push(payload);
      existing.ambiguous &&= ambiguous;
    } else {
      entries.push({ stems, payload: [payload], ambiguous });
      entries.sort((a, b) => b.stems.length - a.stems.length);
      this.byFirst.set(stems[0], entries);
    }
  }

  match(tokens: readonly Token[], stream: readonly number[]): PhraseMatch<T>[] {
    const matches: PhraseMatch<T>[] = [];
    for (let position = 0; position < stream.length; position += 1) {
      const entries = this.byFirst.get(tokens[stream[position]].stem);
      if (!entries) continue;
      for (const entry of entries) {
        const length = entry.stems.length;
        if (position + length > stream.length) continue;
        let same = true;
        for (let k = 1; k < length && same; k += 1) same = tokens[stream[position + k]].stem === entry.stems[k];
        if (!same) continue;
        if (entry.ambiguous) {
          const token = tokens[stream[position]];
          if (!token.capitals || token.labelLike) continue;
        }
        const indices = stream.slice(position, position + length);
        matches.push({ first: indices[0], last: indices[length - 1], indices, payload: entry.payload });
        position += length - 1;
        break;
      }
    }
    return matches;
  }
}

function phraseStems(phrase: string, keep: (token: Token) => boolean): string[] {
  return tokenize(expandAbbreviations(phrase))
    .filter(keep)
    .map((token) => token.stem);
}

const GROUP_INDEX = new PhraseIndex<string>();
const GROUP_WEIGHTS = new Map<string, number>();
const GROUP_LABELS = new Map<string, string>();
const GROUP_IMPLIES = new Map<string, string[]>();

for (const group of CLINICAL_SYNONYM_GROUPS) {
  for (const phrase of group.phrases) GROUP_INDEX.add(phraseStems(phrase, inPhraseStream), group.id);
  for (const phrase of group.ambiguous ?? []) GROUP_INDEX.add(phraseStems(phrase, inPhraseStream), group.id, true);
  GROUP_WEIGHTS.set(group.id, group.weight ?? GROUP_WEIGHT);
  GROUP_LABELS.set(group.id, group.label);
}

// "year old" would otherwise read as the history group's "old"; matching it as a phrase consumes it first.
const AGE_PHRASE = '#age';
for (const phrase of ['year old', 'years old', 'yo', 'y o', 'month old']) GROUP_INDEX.add(phraseStems(phrase, inPhraseStream), AGE_PHRASE);

function impliedClosure(id: string): string[] {
  const seen = new Set<string>();
  const pending = [...(CLINICAL_SYNONYM_GROUPS.find((group) => group.id === id)?.implies ?? [])];
  while (pending.length > 0) {
    const next = pending.pop() as string;
    if (seen.has(next) || next === id) continue;
    seen.add(next);
    pending.push(...(CLINICAL_SYNONYM_GROUPS.find((group) => group.id === next)?.implies ?? []));
  }
  return [...seen].sort();
}
for (const group of CLINICAL_SYNONYM_GROUPS) GROUP_IMPLIES.set(group.id, impliedClosure(group.id));

interface AxisValue {
  axis: string;
  value: string;
}
const AXIS_INDEX = new PhraseIndex<AxisValue>();
const AXIS_WEIGHTS = new Map<string, number>();
for (const axis of QUALIFIER_AXES) {
  AXIS_WEIGHTS.set(axis.id, axis.weight);
  for (const { value, phrases } of axis.values) {
    const payload = { axis: axis.id, value };
    for (const phrase of phrases) AXIS_INDEX.add(phraseStems(phrase, inAxisStream), payload);
  }
}
const STAGE_AXIS = 'stage';
const DURATION_AXIS = 'duration_hours';
AXIS_WEIGHTS.set(STAGE_AXIS, 1.25);
AXIS_WEIGHTS.set(DURATION_AXIS, 1);

const BOILERPLATE_INDEX = new PhraseIndex<true>();
for (const phrase of ICD_BOILERPLATE_PHRASES) BOILERPLATE_INDEX.add(phraseStems(phrase, inAxisStream), true);

const groupKey = (id: string): string => `@${id}`;
const FAMILY_HISTORY_KEY = groupKey('family_history');
const axisKey = (axis: string, value: string): string => `~${axis}=${value}`;

// ---------------------------------------------------------------------------------------------------------------
// Negation and experiencer (NegEx-style windows)

const NEGATION_BEFORE: readonly string[][] = [
  ['no'], ['not'], ['denies'], ['denied'], ['deny'], ['denying'], ['without'], ['negative', 'for'], ['neg', 'for'],
  ['ruled', 'out'], ['rule', 'out'], ['ruleout'], ['free', 'of'], ['absence', 'of'], ['never'], ['resolved', 'without'],
];
const NEGATION_AFTER: readonly string[][] = [
  ['ruled', 'out'], ['was', 'ruled', 'out'], ['unlikely'], ['negative'], ['neg'], ['excluded'], ['not', 'seen'], ['absent'],
];
/** Look like negations but are not ("do not resuscitate", "not ruled out", "no change"). */
const PSEUDO_NEGATIONS: readonly string[][] = [
  ['not', 'ruled', 'out'], ['do', 'not', 'resuscitate'], ['do', 'not', 'intubate'], ['no', 'change'], ['no', 'interval', 'change'],
  ['no', 'increase'], ['not', 'only'], ['without', 'difficulty'], ['gram', 'negative'],
];
const OTHER_PERSON_TRIGGERS: readonly string[][] = [
  ['family', 'history'], ['fh'], ['mother'], ['father'], ['brother'], ['sister'], ['sibling'], ['siblings'], ['aunt'],
  ['uncle'], ['grandmother'], ['grandfather'], ['maternal'], ['paternal'], ['daughter'], ['son'], ['cousin'],
];
const SCOPE_TERMINATORS = new Set([
  'but', 'however', 'although', 'though', 'except', 'aside', 'apart', 'which', 'who', 'presented', 'presents', 'reports',
  'reported', 'endorses', 'endorsed', 'now', 'secondary', 'likely', 'has', 'had',
]);

function startsWith(tokens: readonly Token[], at: number, words: readonly string[]): boolean {
  if (at + words.length > tokens.length) return false;
  for (let k = 0; k < words.length; k += 1) if (tokens[at + k].lower !== words[k]) return false;
  return true;
}

function longestTrigger(tokens: readonly Token[], at: number, triggers: readonly string[][]): number {
  let longest = 0;
  for (const words of triggers) if (words.length > longest && startsWith(tokens, at, words)) longest = words.length;
  return longest;
}

function markForward(tokens: readonly Token[], from: number, window: number, marks: Uint8Array): void {
  const segment = tokens[from - 1]?.segment ?? 0;
  for (let j = from; j < tokens.length && j < from + window; j += 1) {
    if (tokens[j].segment !== segment || SCOPE_TERMINATORS.has(tokens[j].lower)) break;
    marks[j] = 1;
  }
}

function markBackward(tokens: readonly Token[], before: number, window: number, marks: Uint8Array): void {
  const segment = tokens[before]?.segment ?? 0;
  for (let j = before - 1; j >= 0 && j >= before - window; j -= 1) {
    if (tokens[j].segment !== segment || SCOPE_TERMINATORS.has(tokens[j].lower)) break;
    marks[j] = 1;
  }
}

function markContext(tokens: readonly Token[]): { negated: Uint8Array; otherPerson: Uint8Array } {
  const negated = new Uint8Array(tokens.length);
  const otherPerson = new Uint8Array(tokens.length);
  for (let i = 0; i < tokens.length; i += 1) {
    const pseudo = longestTrigger(tokens, i, PSEUDO_NEGATIONS);
    if (pseudo > 0) {
      i += pseudo - 1;
      continue;
    }
    const before = longestTrigger(tokens, i, NEGATION_BEFORE);
    if (before > 0) markForward(tokens, i + before, NEGATION_WINDOW_FORWARD, negated);
    const after = longestTrigger(tokens, i, NEGATION_AFTER);
    if (after > 0) markBackward(tokens, i, NEGATION_WINDOW_BACKWARD, negated);
    const person = longestTrigger(tokens, i, OTHER_PERSON_TRIGGERS);
    if (person > 0) markForward(tokens, i + person, OTHER_PERSON_WINDOW, otherPerson);
    const consumed = Math.max(before, after, person);
    if (consumed > 1) i += consumed - 1;
  }
  return { negated, otherPerson };
}

// ---------------------------------------------------------------------------------------------------------------
// Numbers: stages, durations, labs, BMI

const ROMAN_STAGES: Readonly<Record<string, string>> = { i: '1', ii: '2', iii: '3', iv: '4', v: '5' };

/** `3`, `3a`, `iii`, `IV` as a stage number with optional a/b suffix, or null. */
function parseStage(lower: string): string | null {
  const arabic = /^([1-5])([ab])?$/.exec(lower);
  if (arabic) return `${arabic[1]}${arabic[2] ?? ''}`;
  return ROMAN_STAGES[lower] ?? null;
}

interface PositionedValue {
  value: string;
  first: number;
  last: number;
}

function findStages(tokens: readonly Token[], stream: readonly number[]): PositionedValue[] {
  const found: PositionedValue[] = [];
  for (let p = 0; p < stream.length; p += 1) {
    const token = tokens[stream[p]];
    if (token.lower === 'esrd' || token.lower === 'eskd') {
      found.push({ value: '5', first: stream[p], last: stream[p] });
      continue;
    }
    if (token.lower === 'end' && tokens[stream[p + 1]]?.lower === 'stage') {
      found.push({ value: '5', first: stream[p], last: stream[p + 1] });
      p += 1;
      continue;
    }
    if (token.lower !== 'stage' && token.lower !== 'ckd') continue;
    const next = tokens[stream[p + 1]];
    const stage = next ? parseStage(next.lower) : null;
    if (!stage) continue;
    found.push({ value: stage, first: stream[p], last: stream[p + 1] });
    // ICD writes ranges as "stage 1 through stage 4".
    const through = tokens[stream[p + 2]];
    const rangeEnd = tokens[stream[p + 4]];
    if (through?.lower === 'through' && tokens[stream[p + 3]]?.lower === 'stage' && rangeEnd) {
      const last = parseStage(rangeEnd.lower);
      if (last) {
        for (let n = Number.parseInt(stage, 10) + 1; n <= Number.parseInt(last, 10); n += 1) {
          found.push({ value: String(n), first: stream[p], last: stream[p + 4] });
        }
        p += 4;
        continue;
      }
    }
    p += 1;
  }
  return found;
}

/** Stage 3 and stage 3a are compatible; 3a and 3b, or 3 and 4, are not. */
function stagesCompatible(a: string, b: string): boolean {
  if (a[0] !== b[0]) return false;
  return a.length === 1 || b.length === 1 || a === b;
}

const NUMBER_WORDS: Readonly<Record<string, number>> = {
  one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, several: 3,
};
const DURATION_PATTERN = /\b(\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|several)\s*-?\s*(hours?|hrs?|days?|weeks?)\b/gi;

function tokenAt(tokens: readonly Token[], offset: number): number {
  for (let i = 0; i < tokens.length; i += 1) if (tokens[i].end > offset) return i;
  return Math.max(0, tokens.length - 1);
}

function findDurations(text: string, tokens: readonly Token[]): PositionedValue[] {
  if (!/\d|one|two|three|four|five|six|seven|eight|nine|ten|several/i.test(text)) return [];
  const found: PositionedValue[] = [];
  for (const match of text.matchAll(DURATION_PATTERN)) {
    const amount = NUMBER_WORDS[match[1].toLowerCase()] ?? Number.parseFloat(match[1]);
    const unit = match[2].toLowerCase();
    const hours = unit.startsWith('w') ? amount * 168 : unit.startsWith('d') ? amount * 24 : amount;
    found.push({ value: String(hours), first: tokenAt(tokens, match.index), last: tokenAt(tokens, match.index + match[0].length - 1) });
  }
  return found;
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const LAB_CONNECTORS = '(?:of|was|is|at|to|count|ct|level|levels|nadir|down|dropped|fell|from|decreased|low|high|elevated|remained|stable|approximately|approx|~)';

interface CompiledLabRule {
  rule: LabRule;
  pattern: RegExp;
}

/** MIMIC writes `Hgb-7.1*` and prose writes "hemoglobin of 7.9"; both end in the first number after the name. */
const COMPILED_LAB_RULES: readonly CompiledLabRule[] = LAB_RULES.map((rule) => {
  const words = rule.names.map((name) => escapeRegExp(name).replace(/ /g, '\\s+'));
  // Compact names (`Mg`) collide with units ("25 mg"), so they only count in the MIMIC `Mg-1.4` form.
  const compact = (rule.compactNames ?? []).map((name) => `${escapeRegExp(name)}(?=-\\d)`);
  const names = [...words, ...compact].join('|');
  const pattern = new RegExp(`\\b(?:${names})\\b[\\s:=+\\-]*(?:${LAB_CONNECTORS}[\\s:=\\-]*){0,3}(\\d+(?:\\.\\d+)?)(?![\\d.]*\\s*(?:mg|mcg|units?|tabs?|tablets?|meq)\\b(?!\\s*\\/))`, 'gi');
  return { rule, pattern };
});

interface ImplicitFinding {
  groups: readonly string[];
  surface: string;
}

function findLabFindings(text: string): ImplicitFinding[] {
  if (!/\d/.test(text)) return [];
  const findings: ImplicitFinding[] = [];
  for (const { rule, pattern } of COMPILED_LAB_RULES) {
    for (const match of text.matchAll(pattern)) {
      const value = Number.parseFloat(match[1]);
      if (!(value >= rule.plausible[0] && value <= rule.plausible[1])) continue;
      const surface = `${rule.analyte} ${match[1]}`;
      if (rule.below && value < rule.below.value) findings.push({ groups: rule.below.groups, surface });
      if (rule.above && value > rule.above.value) findings.push({ groups: rule.above.groups, surface });
    }
  }
  return findings;
}

const BMI_PATTERN = /\b(?:bmi|body\s+mass\s+index)\b[^0-9\n]{0,16}?(\d{2}(?:\.\d+)?)/gi;

function findBmiValues(text: string): number[] {
  if (!/bmi|body\s+mass/i.test(text)) return [];
  const values: number[] = [];
  for (const match of text.matchAll(BMI_PATTERN)) {
    const value = Number.parseFloat(match[1]);
    if (value >= 10 && value <= 120) values.push(value);
  }
  return values;
}

// ---------------------------------------------------------------------------------------------------------------
// Sentence analysis (done once per note, shared by every concept)

interface Hit {
  /** First token of the mention, or -1 for implicit findings (labs, BMI), which have no position. */
  first: number;
  negated: boolean;
  otherPerson: boolean;
  surface: string;
}

interface AxisHit {
  value: string;
  first: number;
  negated: boolean;
  surface: string;
}

interface AnalyzedSentence {
  id: number;
  hits: Map<string, Hit[]>;
  axes: Map<string, AxisHit[]>;
  bmi: number[];
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function analyzeSentence(sentence: BaselineSentence): AnalyzedSentence {
  const text = expandAbbreviations(sentence.text);
  const tokens = tokenize(text);
  const { negated, otherPerson } = markContext(tokens);
  const hits = new Map<string, Hit[]>();
  const axes = new Map<string, AxisHit[]>();

  const phraseStream: number[] = [];
  const axisStream: number[] = [];
  tokens.forEach((token, index) => {
    if (inPhraseStream(token)) phraseStream.push(index);
    if (inAxisStream(token)) axisStream.push(index);
  });

  for (const index of axisStream) {
    pushTo(hits, tokens[index].stem, { first: index, negated: negated[index] === 1, otherPerson: otherPerson[index] === 1, surface: tokens[index].lower });
  }
  for (const match of GROUP_INDEX.match(tokens, phraseStream)) {
    const hit = {
      first: match.first,
      negated: negated[match.first] === 1,
      otherPerson: otherPerson[match.first] === 1,
      surface: surfaceOf(text, tokens, match.first, match.last),
    };
    const ids = new Set<string>();
    for (const id of match.payload) {
      ids.add(id);
      for (const implied of GROUP_IMPLIES.get(id) ?? []) ids.add(implied);
    }
    for (const id of ids) pushTo(hits, groupKey(id), hit);
  }

  const addAxis = (axis: string, value: string, first: number, last: number): void => {
    const hit = { value, first, negated: negated[first] === 1, surface: surfaceOf(text, tokens, first, last) };
    pushTo(axes, axis, hit);
    pushTo(hits, axisKey(axis, value), { first, negated: hit.negated, otherPerson: otherPerson[first] === 1, surface: hit.surface });
  };
  for (const match of AXIS_INDEX.match(tokens, axisStream)) {
    for (const { axis, value } of match.payload) addAxis(axis, value, match.first, match.last);
  }
  for (const stage of findStages(tokens, axisStream)) addAxis(STAGE_AXIS, stage.value, stage.first, stage.last);
  for (const duration of findDurations(text, tokens)) addAxis(DURATION_AXIS, duration.value, duration.first, duration.last);

  const implicit: ImplicitFinding[] = findLabFindings(text);
  const bmi = findBmiValues(text);
  for (const value of bmi) {
    for (const band of BMI_IMPLIED_GROUPS) {
      if (value >= band.min && value < band.max) implicit.push({ groups: band.groups, surface: `BMI ${value}` });
    }
  }
  for (const finding of implicit) {
    for (const id of finding.groups) {
      for (const key of [id, ...(GROUP_IMPLIES.get(id) ?? [])]) {
        pushTo(hits, groupKey(key), { first: -1, negated: false, otherPerson: false, surface: finding.surface });
      }
    }
  }
  return { id: sentence.id, hits, axes, bmi };
}

// ---------------------------------------------------------------------------------------------------------------
// Concept analysis

interface ConceptTerm {
  /** Any of these satisfies the term (ICD "and" means and/or: "TIA and cerebral infarction"). */
  keys: string[];
  /** Broader groups: a sentence naming only these earns partial credit. */
  partialKeys: string[];
  weight: number;
  label: string;
}

interface ConceptQualifier {
  axis: string;
  weight: number;
  label: string;
  accepts: (value: string) => boolean;
}

interface ExcludedTerm {
  key: string;
  label: string;
}

interface NumericRange {
  min: number;
  /** Exclusive unless `maxInclusive`. */
  max: number;
  maxInclusive: boolean;
  label: string;
}

interface ConceptModel {
  terms: ConceptTerm[];
  qualifiers: ConceptQualifier[];
  /** Named after "without"/"not" in the concept; a mention next to the match contradicts it. */
  excluded: ExcludedTerm[];
  totalWeight: number;
  /** Family-history concepts are about relatives, so relatives' mentions count. */
  allowOtherPerson: boolean;
  bmiRange: NumericRange | null;
}

const inRange = (value: number, range: NumericRange): boolean =>
  value >= range.min && (range.maxInclusive ? value <= range.max : value < range.max);

const formatNumber = (value: number): string => (Number.isInteger(value) ? String(value) : value.toFixed(1));

/** Z68 descriptions: "Body mass index [BMI] 35.0-35.9, adult", "... 70 or greater, adult", "... 19.9 or less, adult". */
function parseBmiRange(desc: string): NumericRange | null {
  if (!/body mass index|\bbmi\b/i.test(desc) || /percentile/i.test(desc)) return null;
  const between = /(\d+(?:\.\d+)?)\s*-\s*(\d+(?:\.\d+)?)/.exec(desc);
  if (between) {
    const min = Number.parseFloat(between[1]);
    const decimals = between[2].split('.')[1]?.length ?? 0;
    // "35.0-35.9" covers up to 35.99...; "30-39" covers up to 39.99...
    const max = Number.parseFloat(between[2]) + 10 ** -decimals;
    return { min, max, maxInclusive: false, label: `${between[1]}-${between[2]}` };
  }
  const greater = /(\d+(?:\.\d+)?)\s*or\s*(?:greater|more)/i.exec(desc);
  if (greater) return { min: Number.parseFloat(greater[1]), max: Infinity, maxInclusive: true, label: `${greater[1]} or greater` };
  const less = /(\d+(?:\.\d+)?)\s*or\s*less/i.exec(desc);
  if (less) return { min: 0, max: Number.parseFloat(less[1]), maxInclusive: true, label: `${less[1]} or less` };
  return null;
}

/** PCS 5A19x5Z: mechanical ventilation, with its duration band in the description (and the 5th character). */
function parseVentilationHours(concept: BaselineConcept): NumericRange | null {
  const desc = concept.desc.toLowerCase();
  if (/less than 24 consecutive hours/.test(desc)) return { min: 0, max: 24, maxInclusive: false, label: 'less than 24 hours' };
  if (/24\s*-\s*96 consecutive hours/.test(desc)) return { min: 24, max: 96, maxInclusive: true, label: '24-96 hours' };
  if (/greater than 96 consecutive hours/.test(desc)) return { min: 96.0001, max: Infinity, maxInclusive: true, label: 'more than 96 hours' };
  const code = /^5A19([345])5Z$/i.exec(concept.code.replace(/\./g, ''));
  if (code?.[1] === '3') return { min: 0, max: 24, maxInclusive: false, label: 'less than 24 hours' };
  if (code?.[1] === '4') return { min: 24, max: 96, maxInclusive: true, label: '24-96 hours' };
  if (code?.[1] === '5') return { min: 96.0001, max: Infinity, maxInclusive: true, label: 'more than 96 hours' };
  return null;
}

const EXCLUSION_UNTIL_WITH = new Set(['without', 'excluding']);
const EXCLUSION_UNTIL_COMMA = new Set(['not', 'no']);

/**
 * Marks ICD filler (removed) and the scope of "without"/"not" (excluded terms) in a concept's tokens. "Site not
 * specified" is filler, not a negation, so filler is found first.
 */
function markConceptScopes(tokens: readonly Token[], axisCandidates: readonly number[]): { boilerplate: Uint8Array; excludedScope: Uint8Array } {
  const boilerplate = new Uint8Array(tokens.length);
  for (const match of BOILERPLATE_INDEX.match(tokens, axisCandidates)) for (const index of match.indices) boilerplate[index] = 1;

  // "X and other Y" is ICD's catch-all: the other conditions never have to be documented.
  for (let i = 1; i < tokens.length; i += 1) {
    if (tokens[i].lower !== 'other' || (tokens[i - 1].lower !== 'and' && tokens[i - 1].lower !== 'or')) continue;
    for (let j = i; j < tokens.length && tokens[j].clause === tokens[i].clause; j += 1) boilerplate[j] = 1;
  }

  const pseudoNegation = new Uint8Array(tokens.length);
  for (let i = 0; i < tokens.length; i += 1) {
    const length = longestTrigger(tokens, i, PSEUDO_NEGATIONS);
    for (let k = 0; k < length; k += 1) pseudoNegation[i + k] = 1;
  }

  const excludedScope = new Uint8Array(tokens.length);
  for (let i = 0; i < tokens.length; i += 1) {
    if (boilerplate[i] || pseudoNegation[i]) continue;
    const lower = tokens[i].lower;
    if (!EXCLUSION_UNTIL_WITH.has(lower) && !EXCLUSION_UNTIL_COMMA.has(lower)) continue;
    for (let j = i + 1; j < tokens.length; j += 1) {
      if (EXCLUSION_UNTIL_WITH.has(lower) && tokens[j].lower === 'with') break;
      if (EXCLUSION_UNTIL_COMMA.has(lower) && tokens[j].clause !== tokens[i].clause) break;
      if (!boilerplate[j]) excludedScope[j] = 1;
    }
  }
  return { boilerplate, excludedScope };
}

function analyzeConcept(concept: BaselineConcept): ConceptModel {
  // ICD puts nonessential modifiers in parentheses ("Morbid (severe) obesity"): they never have to be documented.
  const main = expandAbbreviations(concept.desc.replace(/\([^)]*\)|\[[^\]]*\]/g, ' '));
  const tokens = tokenize(main);
  const axisCandidates = tokens.map((_, index) => index).filter((index) => inAxisStream(tokens[index]));
  const { boilerplate, excludedScope } = markConceptScopes(tokens, axisCandidates);

  const axisStream = axisCandidates.filter((index) => !boilerplate[index] && !excludedScope[index]);
  const phraseStream = axisStream.filter((index) => inPhraseStream(tokens[index]));
  const groupMatches = GROUP_INDEX.match(tokens, phraseStream).filter((match) => !match.payload.includes(AGE_PHRASE));
  const inGroup = new Uint8Array(tokens.length);
  for (const match of groupMatches) for (const index of match.indices) inGroup[index] = 1;

  // Terms: synonym groups first, then the informative words left over.
  const terms: ConceptTerm[] = [];
  const seenKeys = new Set<string>();
  let previousGroupLast = -2;
  for (const match of groupMatches) {
    const keys = match.payload.map(groupKey).filter((key) => !seenKeys.has(key));
    if (keys.length === 0) continue;
    keys.forEach((key) => seenKeys.add(key));
    const label = surfaceOf(main, tokens, match.first, match.last);
    const weight = Math.max(...match.payload.map((id) => GROUP_WEIGHTS.get(id) ?? GROUP_WEIGHT));
    const partialKeys = [...new Set(match.payload.flatMap((id) => GROUP_IMPLIES.get(id) ?? []))].map(groupKey);
    const between = tokens.slice(previousGroupLast + 1, match.first);
    const joinedByAnd = previousGroupLast >= 0 && between.length === 1 && (between[0].lower === 'and' || between[0].lower === 'or');
    const previous = terms[terms.length - 1];
    if (joinedByAnd && previous) {
      previous.keys.push(...keys);
      previous.partialKeys.push(...partialKeys);
      previous.weight = Math.max(previous.weight, weight);
      previous.label = `${previous.label} / ${label}`;
    } else {
      terms.push({ keys, partialKeys, weight, label });
    }
    previousGroupLast = match.last;
  }

  const qualifiers: ConceptQualifier[] = [];
  const inAxis = new Uint8Array(tokens.length);
  const axisValues = new Map<string, { values: Set<string>; labels: string[] }>();
  const addAxisValue = (axis: string, value: string, indices: readonly number[], first: number, last: number): void => {
    // A qualifier spelled inside a group phrase ("acute" in "acute kidney failure") is part of that group's meaning.
    if (axis !== 'laterality' && indices.every((index) => inGroup[index])) return;
    indices.forEach((index) => (inAxis[index] = 1));
    const entry = axisValues.get(axis) ?? { values: new Set<string>(), labels: [] };
    entry.values.add(value);
    const label = surfaceOf(main, tokens, first, last);
    if (!entry.labels.includes(label)) entry.labels.push(label);
    axisValues.set(axis, entry);
  };
  for (const match of AXIS_INDEX.match(tokens, axisStream)) {
    for (const { axis, value } of match.payload) addAxisValue(axis, value, match.indices, match.first, match.last);
  }
  for (const stage of findStages(tokens, axisStream)) {
    const indices = axisStream.filter((index) => index >= stage.first && index <= stage.last);
    addAxisValue(STAGE_AXIS, stage.value, indices, stage.first, stage.last);
  }
  for (const [axis, { values, labels }] of axisValues) {
    const accepts =
      axis === STAGE_AXIS
        ? (value: string) => [...values].some((wanted) => stagesCompatible(wanted, value))
        : (value: string) => values.has(value);
    qualifiers.push({ axis, weight: AXIS_WEIGHTS.get(axis) ?? 1, label: labels.join(' / '), accepts });
  }

  for (const index of phraseStream) {
    const token = tokens[index];
    if (inGroup[index] || inAxis[index] || token.lower.length < 2 || /^\d+$/.test(token.lower)) continue;
    if (seenKeys.has(token.stem)) continue;
    seenKeys.add(token.stem);
    terms.push({ keys: [token.stem], partialKeys: [], weight: WEAK_STEMS.has(token.stem) ? WEAK_WORD_WEIGHT : WORD_WEIGHT, label: token.lower });
  }

  const excluded: ExcludedTerm[] = [];
  const excludedStream = axisCandidates.filter((index) => excludedScope[index] && inPhraseStream(tokens[index]));
  const inExcludedGroup = new Uint8Array(tokens.length);
  for (const match of GROUP_INDEX.match(tokens, excludedStream)) {
    match.indices.forEach((index) => (inExcludedGroup[index] = 1));
    for (const id of match.payload) excluded.push({ key: groupKey(id), label: surfaceOf(main, tokens, match.first, match.last) });
  }
  for (const index of excludedStream) {
    const token = tokens[index];
    if (inExcludedGroup[index] || WEAK_STEMS.has(token.stem) || token.lower.length < 2 || /^\d+$/.test(token.lower)) continue;
    excluded.push({ key: token.stem, label: token.lower });
  }

  const ventilationHours = seenKeys.has(groupKey('mechanical_ventilation')) ? parseVentilationHours(concept) : null;
  if (ventilationHours) {
    const range = ventilationHours;
    qualifiers.push({
      axis: DURATION_AXIS,
      weight: AXIS_WEIGHTS.get(DURATION_AXIS) ?? 1,
      label: range.label,
      accepts: (value) => inRange(Number.parseFloat(value), range),
    });
  }

  // A concept that is nothing but a qualifier ("Hypoxemia") matches on the qualifier itself.
  if (terms.length === 0) {
    for (const [axis, { values, labels }] of axisValues) {
      terms.push({ keys: [...values].map((value) => axisKey(axis, value)), partialKeys: [], weight: WORD_WEIGHT, label: labels.join(' / ') });
    }
    qualifiers.length = 0;
  }

  const totalWeight = terms.reduce((sum, term) => sum + term.weight, 0) + qualifiers.reduce((sum, q) => sum + q.weight, 0);
  return {
    terms,
    qualifiers,
    excluded,
    totalWeight,
    allowOtherPerson: seenKeys.has(FAMILY_HISTORY_KEY),
    bmiRange: parseBmiRange(concept.desc),
  };
}

const CONCEPT_CACHE_LIMIT = 20_000;
const conceptCache = new Map<string, ConceptModel>();

function conceptModel(concept: BaselineConcept): ConceptModel {
  const key = `${concept.code}\u0000${concept.desc}`;
  let model = conceptCache.get(key);
  if (!model) {
    model = analyzeConcept(concept);
    if (conceptCache.size >= CONCEPT_CACHE_LIMIT) conceptCache.clear();
    conceptCache.set(key, model);
  }
  return model;
}

// ---------------------------------------------------------------------------------------------------------------
// Scoring

interface Conflict {
  axis: string;
  wanted: string;
  found: string;
}

interface SentenceEvaluation {
  credit: number[];
  surfaces: (string | null)[];
  qualifierMet: boolean[];
  qualifierSurfaces: (string | null)[];
  conflict: Conflict | null;
  /** Some term was mentioned here only in a negated or relative's context. */
  negatedMention: boolean;
  matchedWeight: number;
}

function positiveHit(hits: readonly Hit[] | undefined, allowOtherPerson: boolean): Hit | null | 'negated' {
  if (!hits) return null;
  let sawNegated = false;
  for (const hit of hits) {
    if (hit.negated || (hit.otherPerson && !allowOtherPerson)) {
      sawNegated = true;
      continue;
    }
    return hit;
  }
  return sawNegated ? 'negated' : null;
}

const near = (position: number, anchors: readonly number[]): boolean => anchors.some((anchor) => Math.abs(anchor - position) <= QUALIFIER_WINDOW);

function evaluateSentence(model: ConceptModel, sentence: AnalyzedSentence): SentenceEvaluation | null {
  const credit = new Array<number>(model.terms.length).fill(0);
  const surfaces = new Array<string | null>(model.terms.length).fill(null);
  const anchors: number[] = [];
  let negatedMention = false;
  let any = false;
  let relativeSurface: string | null = null;

  const firstPositive = (keys: readonly string[]): Hit | null => {
    for (const key of keys) {
      const found = positiveHit(sentence.hits.get(key), model.allowOtherPerson);
      if (found === 'negated') negatedMention = true;
      else if (found) return found;
    }
    return null;
  };
  model.terms.forEach((term, t) => {
    const full = firstPositive(term.keys);
    const found = full ?? firstPositive(term.partialKeys);
    if (!found) return;
    credit[t] = full ? 1 : PARTIAL_CREDIT;
    surfaces[t] = found.surface;
    if (found.otherPerson) relativeSurface ??= `relative: ${found.surface}`;
    if (found.first >= 0) anchors.push(found.first);
    any = true;
  });
  // "Father with CAD" documents a family history even without the words: a relative's mention satisfies that term.
  if (model.allowOtherPerson && relativeSurface !== null) {
    model.terms.forEach((term, t) => {
      if (credit[t] === 0 && term.keys.includes(FAMILY_HISTORY_KEY)) {
        credit[t] = 1;
        surfaces[t] = relativeSurface;
      }
    });
  }
  if (!any) return negatedMention ? { credit, surfaces, qualifierMet: [], qualifierSurfaces: [], conflict: null, negatedMention, matchedWeight: 0 } : null;

  let conflict: Conflict | null = null;
  const qualifierSurfaces = new Array<string | null>(model.qualifiers.length).fill(null);
  const qualifierMet = model.qualifiers.map((qualifier, q) => {
    const nearby = (sentence.axes.get(qualifier.axis) ?? []).filter((hit) => !hit.negated && near(hit.first, anchors));
    if (nearby.length === 0) return false;
    const accepted = nearby.find((hit) => qualifier.accepts(hit.value));
    if (accepted) {
      qualifierSurfaces[q] = accepted.surface;
      return true;
    }
    conflict ??= { axis: qualifier.axis, wanted: qualifier.label, found: nearby[0].surface };
    return false;
  });
  for (const term of model.excluded) {
    if (conflict) break;
    const hit = (sentence.hits.get(term.key) ?? []).find((h) => !h.negated && h.first >= 0 && near(h.first, anchors));
    if (hit) conflict = { axis: 'excluded', wanted: `without ${term.label}`, found: hit.surface };
  }

  let matchedWeight = 0;
  model.terms.forEach((term, t) => (matchedWeight += term.weight * credit[t]));
  model.qualifiers.forEach((qualifier, q) => (matchedWeight += qualifierMet[q] ? qualifier.weight : 0));
  return { credit, surfaces, qualifierMet, qualifierSurfaces, conflict, negatedMention, matchedWeight };
}

function combinedWeight(model: ConceptModel, evaluations: readonly SentenceEvaluation[]): number {
  let weight = 0;
  model.terms.forEach((term, t) => (weight += term.weight * Math.max(...evaluations.map((e) => e.credit[t]))));
  model.qualifiers.forEach((qualifier, q) => (weight += evaluations.some((e) => e.qualifierMet[q]) ? qualifier.weight : 0));
  return weight;
}

// ---------------------------------------------------------------------------------------------------------------
// Rationale

function bounded(text: string): string {
  return text.length <= MAX_RATIONALE_LENGTH ? text : `${text.slice(0, MAX_RATIONALE_LENGTH - 1)}…`;
}

const quote = (text: string): string => `"${text}"`;
const sentenceList = (ids: readonly number[]): string => ids.map((id) => `S${id}`).join(', ');

const describe = (label: string, surface: string | null): string =>
  surface && surface !== label.toLowerCase() ? `${quote(label)} (${surface})` : quote(label);

function describeMatches(model: ConceptModel, evaluations: readonly SentenceEvaluation[]): string {
  const parts: string[] = [];
  model.terms.forEach((term, t) => {
    const source = evaluations.find((e) => e.credit[t] > 0);
    if (source) parts.push(describe(term.label, source.surfaces[t]));
  });
  model.qualifiers.forEach((qualifier, q) => {
    const source = evaluations.find((e) => e.qualifierMet[q]);
    if (source) parts.push(describe(qualifier.label, source.qualifierSurfaces[q]));
  });
  return parts.join(', ');
}

function missingLabels(model: ConceptModel, evaluations: readonly SentenceEvaluation[]): string[] {
  const missing: string[] = [];
  model.terms.forEach((term, t) => {
    if (!evaluations.some((e) => e.credit[t] >= 1)) missing.push(term.label);
  });
  model.qualifiers.forEach((qualifier, q) => {
    if (!evaluations.some((e) => e.qualifierMet[q])) missing.push(qualifier.label);
  });
  return missing;
}

// ---------------------------------------------------------------------------------------------------------------
// The matcher

const round = (value: number): number => Math.round(Math.min(1, Math.max(0, value)) * 1000) / 1000;

/**
 * Caches the analysis of one note's sentences so that many concepts can be checked against it cheaply.
 * The sentences are analyzed on the first `predict`.
 */
export class BaselineMatcher {
  private readonly originals: readonly BaselineSentence[];
  private readonly sentences: readonly BaselineSentence[];
  /** Texts as they were when the matcher was built: a caller may mutate a sentence object in place. */
  private readonly texts: readonly string[];
  private analyzed: AnalyzedSentence[] | null = null;

  constructor(sentences: readonly BaselineSentence[]) {
    this.sentences = sentences.map((sentence) => ({ id: sentence.id, text: sentence.text }));
    this.texts = this.sentences.map((sentence) => sentence.text);
    this.originals = [...sentences];
  }

  /** True when this matcher was built from exactly these sentence objects, unchanged. */
  isFor(sentences: readonly BaselineSentence[]): boolean {
    return (
      sentences.length === this.originals.length &&
      sentences.every((sentence, i) => sentence === this.originals[i] && sentence.text === this.texts[i] && sentence.id === this.sentences[i].id)
    );
  }

  predict(concept: BaselineConcept): BaselinePrediction {
    const analyzed = this.analysis();
    if (analyzed.length === 0) return { label: false, evidence: [], rationale: 'The note has no sentences.', score: 0 };
    const model = conceptModel(concept);
    if (model.bmiRange) return this.predictBmi(model.bmiRange, analyzed);
    if (model.terms.length === 0 || model.totalWeight === 0) {
      return { label: false, evidence: [], rationale: bounded(`No informative terms in "${concept.desc}".`), score: 0 };
    }

    const evaluations = analyzed.map((sentence) => evaluateSentence(model, sentence));
    let bestScore = 0;
    let bestWindow: number[] = [];
    const conflictedAxes = new Set<string>();
    let firstConflict: { index: number; conflict: Conflict } | null = null;
    let negatedAt: number[] = [];

    for (let i = 0; i < evaluations.length; i += 1) {
      const evaluation = evaluations[i];
      if (!evaluation) continue;
      if (evaluation.negatedMention && evaluation.matchedWeight === 0) negatedAt.push(i);
      if (evaluation.conflict) {
        conflictedAxes.add(evaluation.conflict.axis);
        firstConflict ??= { index: i, conflict: evaluation.conflict };
        continue;
      }
      const single = evaluation.matchedWeight / model.totalWeight;
      if (single > bestScore) {
        bestScore = single;
        bestWindow = [i];
      }
      const next = evaluations[i + 1];
      if (next && !next.conflict && next.matchedWeight > 0 && evaluation.matchedWeight > 0) {
        const pair = (combinedWeight(model, [evaluation, next]) / model.totalWeight) * PAIR_FACTOR;
        if (pair > bestScore + 1e-9) {
          bestScore = pair;
          bestWindow = [i, i + 1];
        }
      }
    }

    const windowEvaluations = bestWindow.map((i) => evaluations[i] as SentenceEvaluation);
    const unmetConflicted = model.qualifiers.some(
      (qualifier, q) => conflictedAxes.has(qualifier.axis) && !windowEvaluations.some((e) => e.qualifierMet[q]),
    );
    const excludedConflict = conflictedAxes.has('excluded');
    if (bestScore > 0 && (unmetConflicted || excludedConflict)) bestScore *= NOTE_CONFLICT_FACTOR;
    const score = round(bestScore);
    const label = score >= BASELINE_THRESHOLD;

    if (label) {
      const evidence = this.pickEvidence(model, evaluations, bestWindow);
      const ids = evidence.map((i) => analyzed[i].id);
      return { label, evidence: ids, rationale: bounded(`Matched ${describeMatches(model, windowEvaluations)} in ${sentenceList(ids)}.`), score };
    }

    let rationale: string;
    if (bestScore > 0) {
      const missing = missingLabels(model, windowEvaluations).map(quote).join(', ');
      const found = describeMatches(model, windowEvaluations);
      const where = sentenceList(bestWindow.map((i) => analyzed[i].id));
      const doubt = unmetConflicted || excludedConflict ? ' Note contradicts a qualifier elsewhere.' : '';
      rationale = `Partial match (${score.toFixed(2)}): ${found} in ${where}; missing ${missing || 'nothing'}.${doubt}`;
    } else if (firstConflict) {
      const { conflict, index } = firstConflict;
      rationale = `Conflicting qualifier: concept says ${quote(conflict.wanted)}, note says ${quote(conflict.found)} (S${analyzed[index].id}).`;
    } else if (negatedAt.length > 0) {
      negatedAt = negatedAt.slice(0, MAX_EVIDENCE_SENTENCES);
      rationale = `Only negated or family mentions of ${model.terms.map((t) => quote(t.label)).join(', ')} (${sentenceList(negatedAt.map((i) => analyzed[i].id))}).`;
    } else {
      rationale = `No sentence mentions ${model.terms.map((t) => quote(t.label)).join(', ')}.`;
    }
    return { label, evidence: [], rationale: bounded(rationale), score };
  }

  private analysis(): AnalyzedSentence[] {
    this.analyzed ??= this.sentences.map(analyzeSentence);
    return this.analyzed;
  }

  /** The winning window, then other non-conflicting sentences that match nearly as well, up to the cap. */
  private pickEvidence(model: ConceptModel, evaluations: readonly (SentenceEvaluation | null)[], window: readonly number[]): number[] {
    const chosen = new Set(window.filter((i) => (evaluations[i]?.matchedWeight ?? 0) > 0));
    const bestSingle = Math.max(...window.map((i) => evaluations[i]?.matchedWeight ?? 0));
    const others = evaluations
      .map((evaluation, index) => ({ evaluation, index }))
      .filter(({ evaluation, index }) => evaluation && !evaluation.conflict && !chosen.has(index) && evaluation.matchedWeight >= 0.6 * bestSingle)
      .filter(({ evaluation }) => (evaluation as SentenceEvaluation).matchedWeight / model.totalWeight >= 0.35)
      .sort((a, b) => (b.evaluation as SentenceEvaluation).matchedWeight - (a.evaluation as SentenceEvaluation).matchedWeight || a.index - b.index);
    for (const { index } of others) {
      if (chosen.size >= MAX_EVIDENCE_SENTENCES) break;
      chosen.add(index);
    }
    const analyzed = this.analysis();
    return [...chosen].sort((a, b) => analyzed[a].id - analyzed[b].id || a - b).filter((index, k, all) => k === 0 || analyzed[all[k - 1]].id !== analyzed[index].id);
  }

  private predictBmi(range: NumericRange, analyzed: readonly AnalyzedSentence[]): BaselinePrediction {
    const supporting: { id: number; value: number }[] = [];
    const outside: { id: number; value: number }[] = [];
    for (const sentence of analyzed) {
      for (const value of sentence.bmi) (inRange(value, range) ? supporting : outside).push({ id: sentence.id, value });
    }
    if (supporting.length > 0) {
      const ids = [...new Set(supporting.map((s) => s.id))].sort((a, b) => a - b).slice(0, MAX_EVIDENCE_SENTENCES);
      return {
        label: true,
        evidence: ids,
        rationale: bounded(`BMI ${formatNumber(supporting[0].value)} in ${sentenceList(ids)} is within ${range.label}.`),
        score: 1,
      };
    }
    if (outside.length > 0) {
      const first = outside[0];
      return { label: false, evidence: [], rationale: bounded(`BMI ${formatNumber(first.value)} (S${first.id}) is outside ${range.label}.`), score: 0 };
    }
    return { label: false, evidence: [], rationale: `No BMI value in the note for range ${range.label}.`, score: 0 };
  }
}

const matcherByNote = new WeakMap<readonly BaselineSentence[], BaselineMatcher>();

/**
 * Predicts one note-concept pair. Repeated calls with the same sentence array reuse its analysis; use
 * `BaselineMatcher` directly to make that explicit.
 */
export function predictBaseline(concept: BaselineConcept, sentences: readonly BaselineSentence[]): BaselinePrediction {
  let matcher = matcherByNote.get(sentences);
  if (!matcher || !matcher.isFor(sentences)) {
    matcher = new BaselineMatcher(sentences);
    matcherByNote.set(sentences, matcher);
  }
  return matcher.predict(concept);
}
