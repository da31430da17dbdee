/** The lexical baseline: Sentence analysis (done once per note, shared by every concept). */
import { type BaselineSentence } from './types';
import { BMI_IMPLIED_GROUPS } from './lexicon/labs';
import { markContext } from './negation';
import { type ImplicitFinding, findBmiValues, findDurations, findLabFindings, findStages } from './numbers';
import { AXIS_INDEX, DURATION_AXIS, GROUP_IMPLIES, GROUP_INDEX, STAGE_AXIS, axisKey, groupKey } from './phrase-index';
import { expandAbbreviations, inAxisStream, inPhraseStream, surfaceOf, tokenize } from './tokens';

export interface Hit {
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

export interface AnalyzedSentence {
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

export function analyzeSentence(sentence: BaselineSentence): AnalyzedSentence {
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
