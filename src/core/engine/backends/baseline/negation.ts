/** The lexical baseline: Negation and experiencer (NegEx-style windows). */
import { NEGATION_WINDOW_BACKWARD, NEGATION_WINDOW_FORWARD, OTHER_PERSON_WINDOW } from './types';
import { type Token } from './tokens';

const NEGATION_BEFORE: readonly string[][] = [
  ['no'], ['not'], ['denies'], ['denied'], ['deny'], ['denying'], ['without'], ['negative', 'for'], ['neg', 'for'],
  ['ruled', 'out'], ['rule', 'out'], ['ruleout'], ['free', 'of'], ['absence', 'of'], ['never'], ['resolved', 'without'],
];
const NEGATION_AFTER: readonly string[][] = [
  ['ruled', 'out'], ['was', 'ruled', 'out'], ['unlikely'], ['negative'], ['neg'], ['excluded'], ['not', 'seen'], ['absent'],
];
/** Look like negations but are not ("do not resuscitate", "not ruled out", "no change"). */
export const PSEUDO_NEGATIONS: readonly string[][] = [
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

export function startsWith(tokens: readonly Token[], at: number, words: readonly string[]): boolean {
  if (at + words.length > tokens.length) return false;
  for (let k = 0; k < words.length; k += 1) if (tokens[at + k].lower !== words[k]) return false;
  return true;
}

export function longestTrigger(tokens: readonly Token[], at: number, triggers: readonly string[][]): number {
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

export function markContext(tokens: readonly Token[]): { negated: Uint8Array; otherPerson: Uint8Array } {
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
