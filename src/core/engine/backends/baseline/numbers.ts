/** The lexical baseline: Numbers: stages, durations, labs, BMI. */
import { LAB_RULES, type LabRule } from './lexicon/labs';
import { type Token } from './tokens';

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

export function findStages(tokens: readonly Token[], stream: readonly number[]): PositionedValue[] {
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
export function stagesCompatible(a: string, b: string): boolean {
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

export function findDurations(text: string, tokens: readonly Token[]): PositionedValue[] {
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

export interface ImplicitFinding {
  groups: readonly string[];
  surface: string;
}

export function findLabFindings(text: string): ImplicitFinding[] {
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

export function findBmiValues(text: string): number[] {
  if (!/bmi|body\s+mass/i.test(text)) return [];
  const values: number[] = [];
  for (const match of text.matchAll(BMI_PATTERN)) {
    const value = Number.parseFloat(match[1]);
    if (value >= 10 && value <= 120) values.push(value);
  }
  return values;
}
