/** The lexical baseline: Phrase index: greedy, longest match first, no overlaps. */
import { GROUP_WEIGHT } from './types';
import { QUALIFIER_AXES } from './lexicon/qualifiers';
import { CLINICAL_SYNONYM_GROUPS } from './lexicon/synonym-groups';
import { ICD_BOILERPLATE_PHRASES } from './lexicon/words';
import { type Token, expandAbbreviations, inAxisStream, inPhraseStream, tokenize } from './tokens';

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

export const GROUP_INDEX = new PhraseIndex<string>();
export const GROUP_WEIGHTS = new Map<string, number>();
const GROUP_LABELS = new Map<string, string>();
export const GROUP_IMPLIES = new Map<string, string[]>();

for (const group of CLINICAL_SYNONYM_GROUPS) {
  for (const phrase of group.phrases) GROUP_INDEX.add(phraseStems(phrase, inPhraseStream), group.id);
  for (const phrase of group.ambiguous ?? []) GROUP_INDEX.add(phraseStems(phrase, inPhraseStream), group.id, true);
  GROUP_WEIGHTS.set(group.id, group.weight ?? GROUP_WEIGHT);
  GROUP_LABELS.set(group.id, group.label);
}

// "year old" would otherwise read as the history group's "old"; matching it as a phrase consumes it first.
export const AGE_PHRASE = '#age';
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
export const AXIS_INDEX = new PhraseIndex<AxisValue>();
export const AXIS_WEIGHTS = new Map<string, number>();
for (const axis of QUALIFIER_AXES) {
  AXIS_WEIGHTS.set(axis.id, axis.weight);
  for (const { value, phrases } of axis.values) {
    const payload = { axis: axis.id, value };
    for (const phrase of phrases) AXIS_INDEX.add(phraseStems(phrase, inAxisStream), payload);
  }
}
export const STAGE_AXIS = 'stage';
export const DURATION_AXIS = 'duration_hours';
AXIS_WEIGHTS.set(STAGE_AXIS, 1.25);
AXIS_WEIGHTS.set(DURATION_AXIS, 1);

export const BOILERPLATE_INDEX = new PhraseIndex<true>();
for (const phrase of ICD_BOILERPLATE_PHRASES) BOILERPLATE_INDEX.add(phraseStems(phrase, inAxisStream), true);

export const groupKey = (id: string): string => `@${id}`;
export const FAMILY_HISTORY_KEY = groupKey('family_history');
export const axisKey = (axis: string, value: string): string => `~${axis}=${value}`;
