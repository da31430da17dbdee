/** Word-level vocabulary: spelling equivalents, ICD boilerplate the matcher ignores, and words that carry little weight. */
/**
 * Single words that mean the same thing in notes and in ICD wording (renal = kidney). Applied to every token, so
 * phrases and concepts benefit too.
 */
export const WORD_EQUIVALENTS: Readonly<Record<string, string>> = {
  renal: 'kidney',
  cardiac: 'heart',
  hepatic: 'liver',
  pulmonary: 'lung',
  gastric: 'stomach',
  abdominal: 'abdomen',
  abd: 'abdomen',
  hx: 'history',
  fx: 'fracture',
  sx: 'symptom',
  dx: 'diagnosis',
  tx: 'treatment',
  femoral: 'femur',
  hemorrhage: 'bleed',
  hemorrhagic: 'bleed',
  bleeding: 'bleed',
  fell: 'fall',
  febrile: 'fever',
  infected: 'infection',
  infectious: 'infection',
  thrombus: 'thrombosis',
  thrombi: 'thrombosis',
  embolus: 'embolism',
  emboli: 'embolism',
  embolic: 'embolism',
  stenotic: 'stenosis',
  edematous: 'edema',
  ulcerated: 'ulcer',
  ulceration: 'ulcer',
  infarct: 'infarction',
  infarcts: 'infarction',
};

/** ICD wording that carries no clinical signal; dropped from a concept before it is matched. */
export const ICD_BOILERPLATE_WORDS: readonly string[] = [
  'unspecified', 'other', 'specified', 'type', 'initial', 'subsequent', 'sequela', 'encounter', 'nec', 'nos', 'elsewhere',
  'classified', 'classd', 'uncomplicated', 'mention', 'adult', 'presence', 'native', 'consecutive', 'hour', 'hours', 'greater',
  'less', 'than', 'per', 'approach', 'via', 'using', 'one', 'two', 'three', 'four', 'organism', 'unknown', 'known', 'current',
  'severity', 'certain', 'involving', 'affecting', 'following', 'site', 'complication', 'complications', 'manifestation',
];

/** Multi-word ICD boilerplate, removed before the single words so that "site not specified" does not read as a negation. */
export const ICD_BOILERPLATE_PHRASES: readonly string[] = [
  'not elsewhere classified',
  'not otherwise specified',
  'site not specified',
  'not specified',
  'without complications',
  'without complication',
  'without mention of complication',
  'initial encounter for closed fracture',
  'initial encounter for open fracture',
  'subsequent encounter for fracture with routine healing',
  'long term use',
  'long term',
  'due to excess calories',
  'due to known physiological condition',
  'percutaneous endoscopic approach',
  'percutaneous approach',
  'open approach',
  'external approach',
  'via natural or artificial opening endoscopic',
  'via natural or artificial opening',
  'low osmolar contrast',
  'high osmolar contrast',
  'other contrast',
  'hours per day',
  'place of occurrence of the external cause',
  'as the place of occurrence',
  // PCS transfusions name the vein they run into; notes almost never do.
  'into peripheral vein',
  'into central vein',
];

/** Generic words that still say something, but much less than a disease or organ name. */
export const WEAK_WORDS: readonly string[] = [
  'disease', 'disorder', 'syndrome', 'condition', 'abnormal', 'abnormality', 'finding', 'body', 'part', 'structure', 'region',
  'device', 'system', 'function', 'level', 'status', 'procedure', 'diagnostic', 'therapy', 'drug', 'tissue', 'substance',
  'vein', 'artery', 'arteries', 'cavity', 'lower', 'upper', 'multiple', 'single', 'episode', 'organ', 'systemic', 'analgesic',
  'care', 'intraluminal', 'nonautologous', 'peripheral', 'central', 'endoscopic', 'mixed', 'primary', 'secondary', 'state',
];
