/** The lexical baseline: Concept analysis. */
import { type BaselineConcept, GROUP_WEIGHT, WEAK_WORD_WEIGHT, WORD_WEIGHT } from './types';
import { PSEUDO_NEGATIONS, longestTrigger } from './negation';
import { findStages, stagesCompatible } from './numbers';
import { AGE_PHRASE, AXIS_INDEX, AXIS_WEIGHTS, BOILERPLATE_INDEX, DURATION_AXIS, FAMILY_HISTORY_KEY, GROUP_IMPLIES, GROUP_INDEX, GROUP_WEIGHTS, STAGE_AXIS, axisKey, groupKey } from './phrase-index';
import { type Token, expandAbbreviations, inAxisStream, inPhraseStream, surfaceOf, tokenize } from './tokens';
import { WEAK_STEMS } from './words';

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

export interface NumericRange {
  min: number;
  /** Exclusive unless `maxInclusive`. */
  max: number;
  maxInclusive: boolean;
  label: string;
}

export interface ConceptModel {
  terms: ConceptTerm[];
  qualifiers: ConceptQualifier[];
  /** Named after "without"/"not" in the concept; a mention next to the match contradicts it. */
  excluded: ExcludedTerm[];
  totalWeight: number;
  /** Family-history concepts are about relatives, so relatives' mentions count. */
  allowOtherPerson: boolean;
  bmiRange: NumericRange | null;
}

export const inRange = (value: number, range: NumericRange): boolean =>
  value >= range.min && (range.maxInclusive ? value <= range.max : value < range.max);

export const formatNumber = (value: number): string => (Number.isInteger(value) ? String(value) : value.toFixed(1));

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

export function conceptModel(concept: BaselineConcept): ConceptModel {
  const key = `${concept.code}\u0000${concept.desc}`;
  let model = conceptCache.get(key);
  if (!model) {
    model = analyzeConcept(concept);
    if (conceptCache.size >= CONCEPT_CACHE_LIMIT) conceptCache.clear();
    conceptCache.set(key, model);
  }
  return model;
}
