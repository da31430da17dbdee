/** The lexical baseline: Words and stems. */
import { ICD_BOILERPLATE_WORDS, WEAK_WORDS, WORD_EQUIVALENTS } from './lexicon/words';

export const STOPWORDS = new Set([
  'a', 'an', 'the', 'of', 'and', 'or', 'in', 'on', 'at', 'to', 'for', 'by', 'from', 'as', 'is', 'was', 'were', 'be', 'been',
  'being', 'are', 'has', 'have', 'had', 'this', 'that', 'these', 'those', 'his', 'her', 'he', 'she', 'it', 'its', 'their',
  'they', 'which', 'who', 'whom', 'into', 'onto', 'also', 'due', 'with', 'without', 'no', 'not', 'nor', 'than', 'then',
  'there', 'here', 'so', 'such', 'any', 'all', 'some', 's', 'do', 'does', 'did', 'but', 'if', 'while', 'upon', 'we', 'you',
  'him', 'them', 'our', 'your', 'my', 'me', 'pt', 'patient', 'patients',
]);

export const LATERALITY_WORDS = new Set(['left', 'right', 'bilateral', 'bilaterally', 'bilat', 'lt', 'rt']);

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

export function normalizeWord(lower: string): string {
  const cached = wordCache.get(lower);
  if (cached !== undefined) return cached;
  const stemmed = /\d/.test(lower) ? lower : stemWord(lower);
  const normalized = EQUIVALENT_STEMS.get(stemmed) ?? stemmed;
  if (wordCache.size >= WORD_CACHE_LIMIT) wordCache.clear();
  wordCache.set(lower, normalized);
  return normalized;
}

export const BOILERPLATE_STEMS = new Set(ICD_BOILERPLATE_WORDS.map(normalizeWord));
export const WEAK_STEMS = new Set(WEAK_WORDS.map(normalizeWord));
